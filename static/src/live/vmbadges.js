// Each VM's power state on the canvas (docs/live.md "Virtual machines"): a badge under the VM's
// node and its label (symbol and words on the state's colour) and a halo of that colour behind the node. The
// badges are DOM elements laid over Cytoscape's container and moved when the view or a node moves;
// the halo is a style bypass of Cytoscape's `underlay` (it leaves the node's border, which shows
// the selection, alone, and it changes no data: the design is not touched). `scale` (the
// presenter view) makes the badges bigger for a projector.
import { LOOK } from "./vmstate.js";

const BADGE_PX = 12;
const HALO = ["underlay-color", "underlay-opacity", "underlay-padding", "underlay-shape"];

export function createVmBadges(cy, { scale = 1 } = {}) {
  const container = cy?.container();
  if (!container) return { set() {}, clear() {}, shown: () => ({}) };
  const layer = document.createElement("div");
  layer.className = "vm-badges";
  Object.assign(layer.style, { position: "absolute", inset: "0", pointerEvents: "none", zIndex: "12", overflow: "hidden" });
  container.append(layer);
  const font = Math.round(BADGE_PX * (1 + (scale - 1) * 0.6));
  const badges = new Map(); // id -> element
  let states = {};
  let frame = 0;

  const place = () => {
    frame = 0;
    for (const [id, el] of badges) {
      const node = cy.getElementById(id);
      if (node.empty() || !node.visible()) {
        el.hidden = true;
        continue;
      }
      // Under the node's own label: links reach a node from every side, but its label is below
      // it, and nothing else is drawn under the label.
      const box = node.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
      el.hidden = false;
      el.style.left = `${Math.round((box.x1 + box.x2) / 2)}px`;
      el.style.top = `${Math.round(box.y2 + 2)}px`;
    }
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(place);
  };
  cy.on("pan zoom resize position add remove", schedule);

  const halo = (node, state) => {
    if (!state) {
      node.removeStyle(HALO.join(" "));
      return;
    }
    node.style({ "underlay-color": LOOK[state]?.colour ?? "#4b5563", "underlay-opacity": 0.55,
      "underlay-padding": Math.round(7 * Math.max(1, scale * 0.75)), "underlay-shape": "round-rectangle" });
  };

  return {
    /** {vm id: state} of every VM: badges added, changed, or removed for VMs no longer listed. */
    set(next) {
      states = { ...next };
      for (const [id, el] of badges) {
        if (!(id in states)) {
          el.remove();
          badges.delete(id);
          const node = cy.getElementById(id);
          if (node.nonempty()) halo(node, null);
        }
      }
      for (const [id, state] of Object.entries(states)) {
        const look = LOOK[state] ?? { label: state, symbol: "?", colour: "#4b5563" };
        let el = badges.get(id);
        if (!el) {
          el = document.createElement("div");
          el.className = "vm-badge";
          el.dataset.node = id;
          Object.assign(el.style, { position: "absolute", transform: "translate(-50%, 0)", whiteSpace: "nowrap",
            font: `700 ${font}px/1.25 system-ui, sans-serif`, color: "#fff", borderRadius: "999px",
            padding: `${Math.round(font / 6)}px ${Math.round(font / 2)}px`, boxShadow: "0 0 0 2px #fff" });
          layer.append(el);
          badges.set(id, el);
        }
        if (el.dataset.state !== state) {
          el.dataset.state = state;
          el.style.background = look.colour;
          el.textContent = `${look.symbol} ${look.label}`;
          const node = cy.getElementById(id);
          el.title = `${node.nonempty() ? node.data("label") ?? id : id}: ${look.label}`;
          if (node.nonempty()) halo(node, state);
        }
      }
      schedule();
    },
    clear() {
      this.set({});
    },
    /** {vm id: the badge's words} as drawn (the test hook). */
    shown: () => Object.fromEntries([...badges].map(([id, el]) => [id, el.textContent])),
  };
}
