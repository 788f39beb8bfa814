// The canvas stylesheet. Colours come from CSS custom properties of the page (static/css/site.css)
// so the canvas follows the light/dark theme chosen by `prefers-color-scheme`.

import { kindsFromSchema } from "../model/index.js";
import { schema } from "./fieldcheck.js";
import { iconDataUri, kindIconStyles } from "./icons.js";

const KINDS = kindsFromSchema(schema);

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function partIcon(icon, colour, surface) {
  return { "background-color": surface, "background-image": iconDataUri(icon, colour), "background-fit": "contain", "background-width": "72%", "background-height": "72%", "border-color": colour, "border-width": 2 };
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
    // Every kind its own icon (its schema `x-icon`) inside its shape, in its colour (icons.js).
    ...kindIconStyles(KINDS, { surface, muted }),
    { selector: "node.vm", style: { shape: "round-rectangle", width: 36, height: 32 } },
    { selector: "node.container", style: { shape: "hexagon" } },
    { selector: "node.vswitch", style: { shape: "diamond", width: 34, height: 34 } },
    { selector: "node.lan_switch", style: { shape: "round-rectangle", width: 40, height: 26 } },
    { selector: "node.outside_host", style: { shape: "rectangle", width: 34, height: 30 } },
    { selector: "node.internet", style: { shape: "ellipse", width: 44, height: 40 } },
    // A container made during the run (static/src/live/runnodes.js): dashed, dimmed while stopped.
    { selector: "node.run-made", style: { "border-width": 2, "border-style": "dashed", "border-color": "#0f766e", "text-wrap": "wrap" } },
    { selector: "node.run-made.stopped", style: { opacity: 0.45 } },
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
    { selector: "node.nat_network", style: { shape: "ellipse", width: 38, height: 38 } },
    { selector: "node.dhcp_server", style: { shape: "round-rectangle", width: 30, height: 34 } },
    {
      // A type 2 host's OS, under the hypervisor and its guests (view only, elements.js hostOsPart).
      selector: "node.host-os",
      style: {
        events: "no",
        shape: "round-rectangle",
        width: "data(width)",
        height: 22,
        "background-color": "#e2e8f0",
        "background-image": "none",
        "border-color": muted,
        "border-width": 1,
        label: "data(label)",
        "text-valign": "center",
        "text-margin-y": 0,
        "text-background-opacity": 0,
        "font-size": 10,
        color: "#1b1f24",
      },
    },
    {
      // An expanded NAT network: a dashed box around its switch, DHCP server and router.
      selector: "node.nat_network.expanded",
      style: {
        "background-image": "none",
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
    { selector: "node.nat-switch", style: { shape: "round-rectangle", ...partIcon("switch", "#b45309", surface) } },
    { selector: "node.nat-dhcp", style: { shape: "round-rectangle", ...partIcon("dhcp", "#15803d", surface) } },
    { selector: "node.nat-router", style: { shape: "ellipse", ...partIcon("nat", "#0369a1", surface) } },
    { selector: "edge.nat-part", style: { events: "no", "line-style": "dotted", "source-label": "", "target-label": "" } },
    {
      // The selected node's wire handle: press and drag to wire from that node (wirehandle.js).
      selector: "node.wire-handle",
      style: {
        shape: "ellipse",
        width: 18,
        height: 18,
        "background-color": accent,
        "background-image": "none",
        "border-color": surface,
        "border-width": 2,
        // Says what it is for: a short word beside the dot.
        label: "wire",
        "font-size": 9,
        "font-weight": "bold",
        color: accent,
        "text-valign": "center",
        "text-halign": "right",
        "text-margin-x": 3,
        "text-margin-y": 0,
        "z-index": 999,
        "z-compound-depth": "top",
      },
    },
    // A node or link a problem is about (the Problems panel's list): a glow in the severity's colour.
    { selector: "node[problem = 'error']", style: { "underlay-color": "#dc2626", "underlay-opacity": 0.45, "underlay-padding": 7, "underlay-shape": "round-rectangle" } },
    { selector: "node[problem = 'warning']", style: { "underlay-color": "#f59e0b", "underlay-opacity": 0.5, "underlay-padding": 7, "underlay-shape": "round-rectangle" } },
    // A host's glow would fill its whole box: fainter there.
    { selector: "node:parent[problem]", style: { "underlay-opacity": 0.2, "underlay-padding": 5 } },
    { selector: "edge[problem = 'error']", style: { "underlay-color": "#dc2626", "underlay-opacity": 0.45, "underlay-padding": 4 } },
    { selector: "edge[problem = 'warning']", style: { "underlay-color": "#f59e0b", "underlay-opacity": 0.5, "underlay-padding": 4 } },
    { selector: ":selected", style: { "border-color": accent, "line-color": accent, "border-width": 3 } },
  ];
}
