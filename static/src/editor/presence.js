// Presence on the canvas: each other person's cursor (an arrow with their name) and selection (a
// ring round each node they selected) in their colour. One message type, `presence`, on the
// design socket, never stored (docs/websocket-protocol.md, "Co-editing"); it also carries the
// viewport and the tab; the live panel's follow-the-teacher (live/follow.js) sends the rest of the
// view state through the same queue (live/presencesend.js: one presence message at a time).
import { queuePresence } from "../live/presencesend.js";

export function installPresence({ cy, container, send, tab = "canvas" }) {
  const peers = new Map(); // peer -> {name, colour, cursor, selection, viewport, tab}
  const layer = document.createElement("div");
  layer.className = "presence-layer";
  layer.setAttribute("aria-hidden", "true");
  Object.assign(layer.style, { position: "absolute", inset: "0", pointerEvents: "none", overflow: "hidden", zIndex: "5" });
  container.append(layer);

  // Outgoing, at most every 100 ms (presencesend.js): the latest of each field wins.
  const queue = (fields) => queuePresence(fields, send);
  const round = (n) => Math.round(n * 10) / 10;
  cy.on("mousemove", (event) => queue({ cursor: { x: round(event.position.x), y: round(event.position.y) } }));
  container.addEventListener("mouseleave", () => queue({ cursor: null }));
  cy.on("select unselect", () => queue({ selection: cy.$(":selected").map((e) => e.id()).slice(0, 200) }));
  cy.on("viewport", () => {
    const pan = cy.pan();
    queue({ viewport: { x: round(pan.x), y: round(pan.y), zoom: Math.min(100, Math.max(0.001, cy.zoom())),
      w: Math.max(1, Math.round(cy.width())), h: Math.max(1, Math.round(cy.height())) } });
    draw();
  });
  cy.on("position render", () => draw());

  let drawing = false;
  function draw() {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      paint();
    });
  }
  function paint() {
    const zoom = cy.zoom();
    const pan = cy.pan();
    const parts = [];
    for (const [peer, p] of peers) {
      for (const id of p.selection ?? []) {
        const el = cy.getElementById(id);
        if (!el.nonempty()) continue;
        const box = el.renderedBoundingBox();
        const ring = document.createElement("div");
        ring.className = "presence-selection";
        ring.dataset.peer = peer;
        Object.assign(ring.style, { position: "absolute", left: `${box.x1 - 4}px`, top: `${box.y1 - 4}px`,
          width: `${box.w + 8}px`, height: `${box.h + 8}px`, border: `3px solid ${p.colour}`, borderRadius: "6px" });
        parts.push(ring);
      }
      if (p.cursor) {
        const cursor = document.createElement("div");
        cursor.className = "presence-cursor";
        cursor.dataset.peer = peer;
        Object.assign(cursor.style, { position: "absolute", left: `${p.cursor.x * zoom + pan.x}px`, top: `${p.cursor.y * zoom + pan.y}px` });
        cursor.innerHTML = `<svg width="18" height="22" viewBox="0 0 18 22"><path d="M1 1 L1 18 L6 13 L10 21 L13 19.5 L9 12 L16 12 Z" fill="${p.colour}" stroke="#fff" stroke-width="1.5"/></svg>`;
        const label = document.createElement("span");
        label.textContent = p.name;
        Object.assign(label.style, { position: "absolute", left: "16px", top: "16px", background: p.colour, color: "#fff",
          font: "600 14px system-ui, sans-serif", padding: "1px 6px", borderRadius: "4px", whiteSpace: "nowrap" });
        cursor.append(label);
        parts.push(cursor);
      }
    }
    layer.replaceChildren(...parts);
  }

  return {
    receive(msg) {
      if (msg.type === "presence") {
        peers.set(msg.peer, { ...(peers.get(msg.peer) ?? {}), ...msg });
        draw();
      } else if (msg.type === "presence.left") {
        peers.delete(msg.peer);
        draw();
      }
    },
    /** A fresh socket: tell the others where we are again (they forgot a closed socket). */
    resend() {
      queue({ selection: cy.$(":selected").map((e) => e.id()).slice(0, 200), tab });
    },
    peers: () => [...peers.values()].map(({ peer, name, colour, role, cursor, selection, viewport, tab: t }) =>
      ({ peer, name, colour, role, cursor: cursor ?? null, selection: selection ?? [], viewport: viewport ?? null, tab: t ?? null })),
  };
}
