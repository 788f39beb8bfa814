// The "Simulation" panel of the design page (docs/live.md): one LiveSession (the websocket), the
// transport bar, the event list, the packet inspector, the live tables, the consoles, the pcap
// links, and the packet animation on the canvas (overlay.js, createOverlay(cy)). main.js calls
// mountLive({cy, designId, canEdit, root, doc}) for everyone who can see the design; it returns a
// read-only `snapshot()` for the test hook.
import { kindsFromSchema } from "../model/index.js";
import { schema } from "../editor/fieldcheck.js";
import { createConsoles } from "./consoles.js";
import { h } from "./dom.js";
import { createEventList } from "./eventlist.js";
import { placesOf } from "./format.js";
import { createInspector } from "./inspector.js";
import { createOverlay } from "./overlay.js";
import { LiveSession } from "./session.js";
import { createTablesView } from "./tablesview.js";
import { createTransport } from "./transport.js";

export function mountLive({ cy, designId, canEdit, root, doc, getDoc = () => doc, WebSocket: Socket }) {
  const withShell = new Set(kindsFromSchema(schema).filter((k) => k.hasNics).map((k) => k.kind));
  const session = new LiveSession({ designId, ...(Socket ? { WebSocket: Socket } : {}) });
  const overlay = safeOverlay(cy);

  const banner = h("p", { className: "live-error", role: "alert", hidden: true });
  const say = (message) => {
    banner.hidden = !message;
    banner.textContent = message ?? "";
  };
  const command = (type, fields) => session.send(type, fields);
  // The role can change while the page is open (design.access): the controls follow it.
  let editable = canEdit;
  let transport, lastState = null;
  const inspector = createInspector({ load: (seq) => session.detail(seq) });
  const connection = h("span", { className: "live-connection", dataset: { connected: "false" } }, "Connecting…");

  // The parts that list the design's nodes are built from the document, and built again when a
  // new run starts on a document whose nodes changed since (the editor added or renamed some).
  let events, tables, consoles, nodes, nodesKey;
  const build = (current) => {
    nodes = (current?.nodes ?? []).map((n) => ({ id: n.id, name: n.name ?? n.id, kind: n.kind }));
    nodesKey = JSON.stringify(nodes);
    transport = createTransport({ canEdit: editable, command, onError: say });
    if (lastState) transport.update(lastState);
    events = createEventList({ devices: nodes, onPick: (event) => { highlight(cy, event); inspector.show(event); } });
    tables = createTablesView({ devices: nodes });
    consoles = createConsoles({ nodes: nodes.filter((n) => withShell.has(n.kind)), canEdit: editable, command });
    root.replaceChildren(...[
      h("div", { className: "live-head" }, transport.element, connection),
      transport.note, banner,
      h("div", { className: "live-grid" }, events.element, inspector.element),
      h("div", { className: "live-grid" }, tables.element, consoles.element),
      pcapLinks(designId, current)].filter(Boolean));
  };
  const rebuildIfChanged = () => {
    const current = getDoc();
    const next = JSON.stringify((current?.nodes ?? []).map((n) => ({ id: n.id, name: n.name ?? n.id, kind: n.kind })));
    if (next === nodesKey) return;
    build(current);
    requestAnimationFrame(() => consoles.select(nodes.find((n) => withShell.has(n.kind))?.id));
  };
  build(getDoc());
  root.dataset.ready = "true";

  session.addEventListener("hello", () => {
    connection.textContent = "Connected";
    connection.dataset.connected = "true";
  });
  session.addEventListener("connection", ({ detail }) => {
    if (detail.connected) return;
    connection.dataset.connected = "false";
    connection.textContent = detail.code === 4404 ? "Disconnected" : "Reconnecting…";
  });
  session.addEventListener("state", ({ detail }) => {
    lastState = { ...lastState, ...detail };
    transport.update(detail);
    overlay.setSpeed(detail.speed);
    if (detail.status === "none") {
      events.clear();
      tables.clear();
      consoles.clear();
    }
  });
  session.addEventListener("time", ({ detail }) => transport.update({ t: detail.t }));
  session.addEventListener("events", ({ detail }) => {
    events.add(detail.events);
    if (detail.live) overlay.play(detail.events);
  });
  session.addEventListener("console", ({ detail }) => consoles.line(detail));
  session.addEventListener("tables", ({ detail }) => tables.update(detail.tables, detail.t));
  session.addEventListener("seeked", ({ detail }) => {
    overlay.clear();
    transport.update({ t: detail.t, started: detail.started, reset: detail.reset });
    if (detail.started || detail.reset) {
      rebuildIfChanged();
      events.clear();
      consoles.clear();
    } else {
      events.cut(detail.t);
      consoles.cut(detail.t);
    }
    tables.update(detail.tables, detail.t, { replace: true });
  });
  session.addEventListener("error", ({ detail }) => say(detail.message));
  // A role given or taken away while the page is open: rebuild the panel for it, then ask for the
  // run's state again (the rebuilt list and tables start from the run's recent events).
  session.addEventListener("message", ({ detail }) => {
    if (detail.type !== "design.access") return;
    const now = ["owner", "editor"].includes(detail.design?.role);
    if (now === editable) return;
    editable = now;
    build(getDoc());
    session.resync().catch(() => {});
  });
  session.connect();
  // The first console's terminal can measure itself once the panel is in the page.
  requestAnimationFrame(() => consoles.select(nodes.find((n) => withShell.has(n.kind))?.id));

  return {
    session,
    snapshot: () => ({
      connected: session.connected,
      role: session.role,
      status: { ...session.status },
      lastSeq: session.tracker.lastSeq,
      events: events.events(),
      tables: tables.rows(),
      consoles: consoles.lines(),
    }),
  };
}

/** Selects where an event happened on the canvas: its node(s) and link, and brings them in view. */
function highlight(cy, event) {
  if (!cy) return;
  const { nodes, links } = placesOf(event);
  const found = cy.collection();
  for (const id of [...nodes, ...links]) found.merge(cy.getElementById(id));
  if (found.empty()) return;
  cy.batch(() => {
    cy.elements(":selected").unselect();
    found.select();
  });
  const box = cy.extent();
  const bb = found.boundingBox();
  if (bb.x1 < box.x1 || bb.x2 > box.x2 || bb.y1 < box.y1 || bb.y2 > box.y2) cy.animate({ center: { eles: found } }, { duration: 200 });
}

/** The overlay must never take the panel down: a failing one is replaced by a no-op. */
function safeOverlay(cy) {
  let overlay = null;
  try {
    overlay = cy ? createOverlay(cy) : null;
  } catch (error) {
    console.error("packet animation unavailable:", error);
  }
  const call = (name, ...args) => {
    try {
      overlay?.[name]?.(...args);
    } catch (error) {
      console.error(`packet animation ${name} failed:`, error);
    }
  };
  return { play: (events) => call("play", events), clear: () => call("clear"), setSpeed: (s) => call("setSpeed", s) };
}

/** Downloads of the run's captures: all in one pcapng, or one capture point as a pcap. */
function pcapLinks(designId, doc) {
  const base = `/api/designs/${designId}/run/pcap`;
  // A live run captures every drawn NIC, and links between two switches (simcore capture_all).
  const points = [
    ...(doc?.nodes ?? []).flatMap((n) => (n.nics ?? []).map((nic) => ({ name: `${n.id}_${nic.name}`, label: `${n.name ?? n.id} ${nic.name}` }))),
    ...(doc?.links ?? []).filter((l) => !l.a?.nic && !l.b?.nic).map((l) => ({ name: l.id, label: `link ${l.id}` }))];
  return h("section", { className: "live-pcap", "aria-label": "Packet captures" },
    h("h3", {}, "Captures of the current run"),
    h("ul", {},
      h("li", {}, h("a", { href: base, download: true }, "All capture points (pcapng)")),
      points.map((p) => h("li", {}, h("a", { href: `${base}?capture=${encodeURIComponent(p.name)}`, download: true }, `${p.label} (pcap)`)))),
    h("p", { className: "live-muted" }, points.length ? "Open them in Wireshark. A download is the run as it is now (after a seek back, as it was then)."
      : "This design has no NIC to capture yet."));
}
