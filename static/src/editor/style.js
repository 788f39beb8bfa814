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
    // A container made during the run (static/src/live/runnodes.js): dashed, dimmed while stopped.
    { selector: "node.run-made", style: { "border-width": 2, "border-style": "dashed", "border-color": "#0f766e", "text-wrap": "wrap" } },
    { selector: "node.run-made.stopped", style: { opacity: 0.45 } },
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
        // The NIC and its address at each end (elements.js: endLabel).
        "source-label": "data(sourceText)",
        "target-label": "data(targetText)",
        "source-text-offset": 22,
        "target-text-offset": 22,
        "font-size": 9,
        color: fg,
        "text-background-color": surface,
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    {
      // A distributed switch: a wide bar, with a dashed line to each host it spans (VNI, underlay).
      selector: "node.distributed_switch",
      style: { shape: "round-rectangle", width: 96, height: 14, "background-color": "#f59e0b", "border-style": "double", "border-width": 3 },
    },
    {
      selector: "edge.dswitch-span",
      style: {
        "line-style": "dashed",
        "line-dash-pattern": [6, 4],
        "line-color": "#d97706",
        width: 2,
        label: "data(label)",
        "source-label": "",
        "target-label": "",
        "font-size": 9,
        "text-rotation": "autorotate",
      },
    },
    { selector: "node.nat_network", style: { shape: "round-rectangle", "background-color": "#0ea5e9", width: 40, height: 24 } },
    { selector: "node.dhcp_server", style: { shape: "round-rectangle", "background-color": "#22c55e" } },
    {
      // An expanded NAT network: a dashed box around its switch, DHCP server and router.
      selector: "node.nat_network.expanded",
      style: {
        "background-color": surface,
        "background-opacity": 0.4,
        "border-style": "dashed",
        "border-color": "#0ea5e9",
        "border-width": 2,
        "text-valign": "top",
        "text-margin-y": -4,
        padding: 12,
      },
    },
    // The parts are drawn only: events fall through to the NAT network box (drag, select, wire).
    { selector: "node.nat-part", style: { events: "no", width: 22, height: 22, "font-size": 9 } },
    { selector: "node.nat-switch", style: { shape: "diamond", "background-color": "#f59e0b" } },
    { selector: "node.nat-dhcp", style: { shape: "round-rectangle", "background-color": "#22c55e" } },
    { selector: "node.nat-router", style: { shape: "ellipse", "background-color": "#0ea5e9" } },
    { selector: "edge.nat-part", style: { events: "no", "line-style": "dotted", "source-label": "", "target-label": "" } },
    { selector: ":selected", style: { "border-color": accent, "line-color": accent, "border-width": 3 } },
  ];
}
