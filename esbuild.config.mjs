// Builds the browser bundles into static/dist/ (gitignored, rebuilt at set-up by `npm run build`).
// ES modules, minified, with source maps. `--watch` rebuilds on change during development.
import * as esbuild from "esbuild";

const options = {
  entryPoints: {
    editor: "static/src/editor/main.js",
    pages: "static/src/pages/main.js",
    // The presenter view (/designs/<id>/present/): the drawing read-only and the live run.
    present: "static/src/live/present.js",
    // An activity page's completion and Check (templates/designer/lessons/work.html).
    activity: "static/src/lessons/activity.js",
    // A class's overview for its teacher (templates/designer/lessons/class.html).
    overview: "static/src/lessons/overview.js",
    // xterm.js's stylesheet for the live consoles, served from the build (never a CDN).
    xterm: "node_modules/@xterm/xterm/css/xterm.css",
  },
  outdir: "static/dist",
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  // Several Cytoscape extensions ship only CommonJS/UMD (an import map from node_modules cannot
  // load them): the bundler resolves them.
  platform: "browser",
  legalComments: "linked",
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
