// What the browser model's modules import and which browser globals they touch, read by esbuild's
// own JavaScript parser (so comments, strings and local variables named like a global never count).
//
//   node tests/js/model_layers.mjs <model dir>
//
// Prints JSON: {"imports": [{"from", "to", "kind"}], "globals": [{"file", "name"}]}.
// * imports: every import leaving the model directory (static, dynamic, re-export, require),
//   "to" an absolute path for a relative import, else the bare specifier;
// * globals: every reference to a browser-only global (the DOM, storage, the window), as a free
//   identifier or through globalThis, found by esbuild's `define`, which replaces exactly those.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

import * as esbuild from "esbuild";

// Globals a browser has and Node does not (what the model's node tests could never run with).
const BROWSER_GLOBALS = [
  "document", "window", "self", "navigator", "localStorage", "sessionStorage", "location",
  "HTMLElement", "SVGElement", "Element", "Node", "NodeList", "KeyboardEvent", "MouseEvent",
  "PointerEvent", "DOMParser", "XMLSerializer", "MutationObserver", "ResizeObserver",
  "IntersectionObserver", "requestAnimationFrame", "cancelAnimationFrame", "getComputedStyle",
  "matchMedia", "alert", "confirm", "prompt", "screen", "devicePixelRatio", "customElements",
  "indexedDB", "Image", "FileReader",
];

const dir = resolve(process.argv[2]);
const files = readdirSync(dir).filter((f) => f.endsWith(".js")).sort().map((f) => join(dir, f));
const inside = (path) => path.startsWith(dir + sep);

const imports = [];
const recorder = {
  name: "record-imports",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return { path: args.path };
      const relative = args.path.startsWith(".") || args.path.startsWith("/");
      const to = relative ? resolve(dirname(args.importer), args.path) : args.path;
      if (relative && inside(to)) return { path: to };
      imports.push({ from: args.importer, to, kind: args.kind });
      return { path: args.path, external: true };
    });
  },
};
await esbuild.build({
  entryPoints: files, bundle: true, write: false, outdir: "unused", format: "esm", platform: "neutral",
  plugins: [recorder], logLevel: "silent",
});

const names = [...BROWSER_GLOBALS, ...BROWSER_GLOBALS.map((name) => `globalThis.${name}`)];
const define = Object.fromEntries(names.map((name, i) => [name, `__browser_global_${i}__`]));
const globals = [];
for (const file of files) {
  const { code } = await esbuild.transform(readFileSync(file, "utf8"), { loader: "js", define, sourcefile: file });
  for (const i of new Set([...code.matchAll(/__browser_global_(\d+)__/g)].map((m) => Number(m[1])))) {
    globals.push({ file, name: names[i] });
  }
}
imports.sort((a, b) => (a.from + a.to).localeCompare(b.from + b.to));
process.stdout.write(JSON.stringify({ imports, globals }));
