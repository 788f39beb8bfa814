// Our own small SVG icons for the palette, one per node kind (drawn here, no icon set copied).
// A kind the schema gains later gets the generic icon until it is drawn.

const STROKE = 'fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"';

const SHAPES = Object.freeze({
  host: `<rect x="2" y="3" width="20" height="18" rx="2" ${STROKE}/><rect x="5" y="7" width="6" height="5" ${STROKE}/><rect x="13" y="7" width="6" height="5" ${STROKE}/><path d="M5 17h14" ${STROKE}/>`,
  vm: `<rect x="3" y="4" width="18" height="12" rx="1.5" ${STROKE}/><path d="M8 20h8M12 16v4" ${STROKE}/>`,
  container: `<path d="M12 2l9 5v10l-9 5-9-5V7z" ${STROKE}/><path d="M3 7l9 5 9-5M12 12v10" ${STROKE}/>`,
  vswitch: `<path d="M12 3l9 9-9 9-9-9z" ${STROKE} stroke-dasharray="3 2"/><path d="M8 12h8" ${STROKE}/>`,
  lan_switch: `<rect x="2" y="8" width="20" height="8" rx="1.5" ${STROKE}/><path d="M5 12h2M9 12h2M13 12h2M17 12h2" ${STROKE}/>`,
  outside_host: `<rect x="4" y="3" width="16" height="12" rx="1" ${STROKE}/><path d="M2 20h20l-2-5H4z" ${STROKE}/>`,
  internet: `<path d="M7 18a5 5 0 010-10 6 6 0 0111 1 4.5 4.5 0 010 9z" ${STROKE}/>`,
});

const GENERIC = `<circle cx="12" cy="12" r="8" ${STROKE}/>`;

/** The SVG markup of `kind`'s icon (decorative: the button beside it carries the text). */
export function iconSvg(kind) {
  const body = SHAPES[kind] ?? GENERIC;
  return `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${body}</svg>`;
}
