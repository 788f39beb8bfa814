// Where a node added from the palette goes, so a drawing reads well without a drag: a guest
// (placed on a host) joins its host's grid of guests, three to a row, in the first free cell; any
// other node goes beside what is selected (else the middle of the view), in the nearest spot
// where its box touches no other box. Pure: boxes in, a point out (tested with `node --test`).

// Room a node takes with its label under it (name, an address or two), and the gap kept around it.
export const CELL = Object.freeze({ w: 130, h: 110 });
const NODE = Object.freeze({ w: 90, h: 80 });
const GAP = 16;

function overlaps(a, b) {
  return a.x1 < b.x2 + GAP && b.x1 < a.x2 + GAP && a.y1 < b.y2 + GAP && b.y1 < a.y2 + GAP;
}

function boxAt(p, size = NODE) {
  return { x1: p.x - size.w / 2, y1: p.y - size.h / 2, x2: p.x + size.w / 2, y2: p.y + size.h / 2 };
}

/**
 * The cell of a host's guest grid for a new guest: `guests` are the positions of what the host
 * holds already; the grid starts at the first guest (or `origin`, the host's own position) and
 * the first cell no guest is near is taken, row by row, three to a row.
 */
export function guestSpot(guests, origin) {
  const start = guests.length ? { x: Math.min(...guests.map((g) => g.x)), y: Math.min(...guests.map((g) => g.y)) } : origin;
  for (let i = 0; i < 10000; i += 1) {
    const p = { x: start.x + (i % 3) * CELL.w, y: start.y + Math.floor(i / 3) * CELL.h };
    if (!guests.some((g) => Math.abs(g.x - p.x) < CELL.w * 0.6 && Math.abs(g.y - p.y) < CELL.h * 0.6)) return p;
  }
  return start;
}

/**
 * The nearest point to `near` (then to its right, below, left, above, ring by ring) where a new
 * node's box overlaps none of `boxes` ({x1, y1, x2, y2}: every node and host box drawn, labels
 * included). `beside`: the box of the selected node, to start just right of it.
 */
export function freeSpot(boxes, near, beside = null) {
  const start = beside ? { x: beside.x2 + GAP + NODE.w / 2 + 20, y: (beside.y1 + beside.y2) / 2 } : near;
  const step = { x: NODE.w + GAP * 2, y: NODE.h + GAP * 2 };
  for (let ring = 0; ring < 60; ring += 1) {
    const candidates = [];
    for (let dx = -ring; dx <= ring; dx += 1) {
      for (let dy = -ring; dy <= ring; dy += 1) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        candidates.push({ x: start.x + dx * step.x, y: start.y + dy * step.y, order: [Math.hypot(dx, dy), -dx, dy] });
      }
    }
    // Nearest first; at equal distance, rightward then downward (reading order).
    candidates.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
    const free = candidates.find((p) => !boxes.some((b) => overlaps(boxAt(p), b)));
    if (free) return { x: Math.round(free.x), y: Math.round(free.y) };
  }
  return { x: Math.round(start.x), y: Math.round(start.y) };
}
