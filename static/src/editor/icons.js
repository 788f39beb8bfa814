// Our own small SVG icons for the palette (drawn here, no icon set copied), by the icon name a
// kind's `x-icon` gives in the design schema. A test checks every kind's icon is drawn here; an
// unknown name still gets the generic circle, so a broken name never breaks the palette.

const STROKE = 'fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"';

const SHAPES = Object.freeze({
  server: `<rect x="2" y="3" width="20" height="18" rx="2" ${STROKE}/><rect x="5" y="7" width="6" height="5" ${STROKE}/><rect x="13" y="7" width="6" height="5" ${STROKE}/><path d="M5 17h14" ${STROKE}/>`,
  vm: `<rect x="3" y="4" width="18" height="12" rx="1.5" ${STROKE}/><path d="M8 20h8M12 16v4" ${STROKE}/>`,
  container: `<path d="M12 2l9 5v10l-9 5-9-5V7z" ${STROKE}/><path d="M3 7l9 5 9-5M12 12v10" ${STROKE}/>`,
  vswitch: `<path d="M12 3l9 9-9 9-9-9z" ${STROKE} stroke-dasharray="3 2"/><path d="M8 12h8" ${STROKE}/>`,
  switch: `<rect x="2" y="8" width="20" height="8" rx="1.5" ${STROKE}/><path d="M5 12h2M9 12h2M13 12h2M17 12h2" ${STROKE}/>`,
  desktop: `<rect x="4" y="3" width="16" height="12" rx="1" ${STROKE}/><path d="M2 20h20l-2-5H4z" ${STROKE}/>`,
  cloud: `<path d="M7 18a5 5 0 010-10 6 6 0 0111 1 4.5 4.5 0 010 9z" ${STROKE}/>`,
  // A box handing out numbered leases: a box with three stacked address lines.
  dhcp: `<rect x="4" y="3" width="16" height="18" rx="2" ${STROKE}/><path d="M8 8h8M8 12h8M8 16h5" ${STROKE}/>`,
  // A NAT network: a switch bar under a router circle with an arrow out.
  nat: `<circle cx="12" cy="8" r="4" ${STROKE}/><path d="M14.5 5.5l4-3M16 2.5h2.5V5" ${STROKE}/><rect x="3" y="15" width="18" height="6" rx="1.5" ${STROKE}/><path d="M12 12v3" ${STROKE}/>`,
  // A distributed switch: two switch halves joined by a dashed tunnel.
  dswitch: `<rect x="1.5" y="9" width="8" height="6" rx="1" ${STROKE}/><rect x="14.5" y="9" width="8" height="6" rx="1" ${STROKE}/><path d="M9.5 12h5" ${STROKE} stroke-dasharray="1.5 1.5"/>`,
});

const GENERIC = `<circle cx="12" cy="12" r="8" ${STROKE}/>`;

/** Whether icon `name` is drawn here. */
export function hasIcon(name) {
  return Object.prototype.hasOwnProperty.call(SHAPES, name);
}

/** The SVG markup of icon `name` (decorative: the button beside it carries the text). */
export function iconSvg(name) {
  const body = hasIcon(name) ? SHAPES[name] : GENERIC;
  return `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${body}</svg>`;
}

/** Icon `name` as an SVG data URI drawn in `color` (the canvas paints it inside the node's shape). */
export function iconDataUri(name, color) {
  const body = (hasIcon(name) ? SHAPES[name] : GENERIC).replaceAll("currentColor", color);
  // A size of its own: an SVG without one has no natural size, and the canvas would draw it tiny.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 24 24">${body}</svg>`;
  return `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
}

// The canvas colour of each kind's node (the border and the icon; the fill is the page's surface).
// Kinds not listed are drawn in the muted colour.
export const KIND_COLOURS = Object.freeze({
  vm: "#2563eb",
  container: "#0f766e",
  vswitch: "#b45309",
  lan_switch: "#b45309",
  outside_host: "#7c3aed",
  internet: "#475569",
  dhcp_server: "#15803d",
  nat_network: "#0369a1",
  distributed_switch: "#b45309",
});

/**
 * The canvas style rules giving every kind (but the host, drawn as a box around its guests) its
 * own icon inside its shape: `[{selector: "node.<kind>", style}]`, from the kinds' `x-icon`.
 */
export function kindIconStyles(kinds, { surface = "#ffffff", muted = "#57606a" } = {}) {
  return kinds
    .filter((k) => k.kind !== "host")
    .map((k) => {
      const colour = KIND_COLOURS[k.kind] ?? muted;
      return {
        selector: `node.${k.kind}`,
        style: {
          "background-color": surface,
          "background-image": iconDataUri(k.icon, colour),
          "background-fit": "contain",
          "background-width": "72%",
          "background-height": "72%",
          "background-clip": "none",
          "border-color": colour,
          "border-width": 2,
        },
      };
    });
}
