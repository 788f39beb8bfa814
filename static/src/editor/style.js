// The canvas stylesheet. Colours come from CSS custom properties of the page (static/css/site.css)
// so the canvas follows the light/dark theme chosen by `prefers-color-scheme`.

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function canvasStyle() {
  const fg = cssVar("--fg", "#1b1f24");
  const muted = cssVar("--muted", "#57606a");
  const surface = cssVar("--surface", "#ffffff");
  const accent = cssVar("--accent", "#0b62c4");
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "text-wrap": "wrap",
        "text-valign": "bottom",
        "text-margin-y": 4,
        "font-size": 11,
        color: fg,
        // Labels sit over links: a backing keeps them readable.
        "text-background-color": surface,
        "text-background-opacity": 0.75,
        "text-background-padding": 1,
        "background-color": muted,
        "border-width": 1,
        "border-color": fg,
        width: 28,
        height: 28,
      },
    },
    { selector: "node.vm", style: { shape: "round-rectangle", "background-color": "#3b82f6" } },
    { selector: "node.container", style: { shape: "hexagon", "background-color": "#14b8a6" } },
    { selector: "node.vswitch", style: { shape: "diamond", "background-color": "#f59e0b" } },
    { selector: "node.lan_switch", style: { shape: "diamond", "background-color": "#d97706" } },
    { selector: "node.outside_host", style: { shape: "rectangle", "background-color": "#8b5cf6" } },
    { selector: "node.internet", style: { shape: "ellipse", "background-color": "#64748b", width: 40, height: 40 } },
    {
      // A physical host is drawn as the box around its VMs, containers and virtual switches.
      selector: "node.host",
      style: {
        shape: "round-rectangle",
        "background-color": surface,
        "background-opacity": 0.6,
        "border-color": accent,
        "border-width": 2,
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": -4,
        "font-weight": "bold",
        padding: 18,
      },
    },
    {
      selector: "edge",
      style: {
        width: 2,
        "line-color": muted,
        "curve-style": "bezier",
        "source-label": "data(sourceLabel)",
        "target-label": "data(targetLabel)",
        "source-text-offset": 22,
        "target-text-offset": 22,
        "font-size": 9,
        color: fg,
        "text-background-color": surface,
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    { selector: ":selected", style: { "border-color": accent, "line-color": accent, "border-width": 3 } },
  ];
}
