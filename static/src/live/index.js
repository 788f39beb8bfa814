// The live run of a design in the page (docs/live.md): one LiveSession (the websocket), the
// transport bar, the caption (the current event's sentence), the event list, the packet
// inspector, the live tables, the consoles, the pcap links, and the packet animation on the canvas
// (overlay.js, createOverlay(cy)), each VM's power state on the canvas (vmbadges.js) and its
// controls (vmpanel.js). The design page (editor/main.js) and the presenter view
// (present.js) call mountLive; `arrange(parts)` puts the parts where the page wants them (by
// default the Simulation panel's own layout in `root`). It returns a read-only `snapshot()` for the
// test hook and the person's view state (viewstate.js), which others can follow (followbar.js, in
// the page's #follow-root); a viewer's timeline looks back privately (the run goes on).
import { kindsFromSchema } from "../model/index.js";
import { schema } from "../editor/fieldcheck.js";
import { CaptionPacer, createCaption } from "./caption.js";
import { createConsoles } from "./consoles.js";
import { h } from "./dom.js";
import { createEventList } from "./eventlist.js";
import { installFollow } from "./followbar.js";
import { placesOf } from "./format.js";
import { createInspector } from "./inspector.js";
import { createOverlay } from "./overlay.js";
import { createHostPower, hostBadges } from "./hostpower.js";
import { createKeepPanel, syncRunContainers } from "./runnodes.js";
import { LiveSession } from "./session.js";
import { createTablesView } from "./tablesview.js";
import { createTransport } from "./transport.js";
import { createViewState } from "./viewstate.js";
import { createVmBadges } from "./vmbadges.js";
import { createVmPanel } from "./vmpanel.js";
import { VmStates } from "./vmstate.js";

const KEEP_WHY = "this page has no editor to add the node to the design";
const nodeList = (doc) => (doc?.nodes ?? []).map((n) => ({ id: n.id, name: n.name ?? n.id, kind: n.kind }));

/** The design page's Simulation panel layout. */
export function panelLayout(root, parts) {
  root.replaceChildren(...[
    h("div", { className: "live-head" }, parts.transport.element, parts.connection),
    parts.transport.note, parts.banner, parts.caption.element,
    // The event list right under the caption, so at 1440x900 it is on screen beside the canvas;
    // the VM, host and keep sections follow it.
    h("div", { className: "live-grid" }, parts.events.element, parts.inspector.element),
    parts.vms.hasVms ? parts.vms.element : null,
    parts.hosts?.hasHosts ? parts.hosts.element : null,
    parts.keep?.element,
    h("div", { className: "live-grid" }, parts.tables.element, parts.consoles.element),
    parts.pcap].filter(Boolean));
}

export function mountLive({ cy, designId, canEdit, root, doc, getDoc = () => doc, WebSocket: Socket, arrange = panelLayout,
  overlayScale = 1, consoleFontSize, followSlot = globalThis.document?.getElementById("follow-root"), viewRoot = root }) {
  const withShell = new Set(kindsFromSchema(schema).filter((k) => k.hasNics).map((k) => k.kind));
  const session = new LiveSession({ designId, ...(Socket ? { WebSocket: Socket } : {}) });
  const overlay = safeOverlay(cy, overlayScale);
  // Each VM's power state (vmstate.js), drawn as a badge on its node and in the VMs panel.
  const vmStates = new VmStates();
  const badges = safeBadges(cy, overlayScale);
  // Hosts that are not running get the same kind of badge (hostpower.js), on their own layer.
  const hostMarks = safeBadges(cy, overlayScale);
  // "Keep in design" (runnodes.js): the editor gives the function that adds a kept node
  // (setKeeper); without one (a viewer, the presenter view) the button says why not.
  let keeper = null;
  let runTables = null; // the run's tables as last drawn (null: no run)

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
  const connectionText = h("span", {}, "Connecting…");
  const retry = h("button", { type: "button", hidden: true, onclick: () => session.retry() }, "Try again");
  const connection = h("span", { className: "live-connection", dataset: { connected: "false" } }, connectionText, retry);
  const caption = createCaption();

  // The caption (and the ring on the canvas) show the current event: the one just picked, else
  // the newest the run reached, paced while it plays (caption.js).
  let events, tables, consoles, nodes, nodesKey, pcap, vms, hosts, keep;
  // A private look back (s; null: the run as it is): the event list, the caption, the clock, the
  // consoles and the tables (as this page drew them then) go to that instant; the run goes on. A
  // viewer's own, or the one of the person they follow.
  let privateAt = null;
  let follow = null;
  const lookBack = (seconds) => {
    privateAt = seconds ?? null;
    events.lookBack(privateAt === null ? null : privateAt * 1e9);
    tables.lookBack(privateAt === null ? null : privateAt * 1e9);
    consoles.lookBack(privateAt === null ? null : privateAt * 1e9);
    transport.setPrivate(privateAt);
    overlay.clear();
    pacer.offer(privateAt === null ? events.newest() : events.newest(privateAt * 1e9), { immediate: true });
  };
  const showCurrent = (event) => {
    caption.set(event, event ? events.protocolOf(event) : "");
    const { nodes: places } = event ? placesOf(event) : { nodes: [] };
    overlay.focus(places.slice(0, 1));
  };
  const pacer = new CaptionPacer({ show: showCurrent });

  // The parts that list the design's nodes are built from the document, and built again when a
  // new run starts on a document whose nodes changed since (the editor added or renamed some), or
  // at once while there is no run yet (so an empty design being drawn does not keep saying it has
  // no console and no NIC).
  const build = (current) => {
    nodes = nodeList(current);
    nodesKey = JSON.stringify(nodes);
    privateAt = null; // a new list: no look back
    transport = createTransport({ canEdit: editable, command, onError: say, backTarget: () => events.previousInstant(),
      lookBack: (seconds) => (follow ? follow.ownLookBack(seconds) : lookBack(seconds)) });
    if (lastState) transport.update(lastState);
    events = createEventList({ devices: nodes, onPick: (event) => {
      highlight(cy, event);
      inspector.show(event);
      pacer.offer(event, { immediate: true });
    } });
    tables = createTablesView({ devices: nodes, tablesAt: (ns) => session.tablesAt(ns) });
    consoles = createConsoles({ nodes: nodes.filter((n) => withShell.has(n.kind)), canEdit: editable, command, fontSize: consoleFontSize });
    pcap = pcapLinks(designId, current);
    const vmNodes = nodes.filter((n) => n.kind === "vm");
    vms = createVmPanel({ vms: vmNodes, canEdit: editable, command, onPick: (id) => showVm(id) });
    vms.hasVms = vmNodes.length > 0;
    vms.update(vmStates);
    hosts = createHostPower({ hosts: nodes.filter((n) => n.kind === "host"), canEdit: editable, command });
    hosts.update(runTables);
    keep = createKeepPanel({ canEdit: editable && Boolean(keeper), keep: keepNode });
    caption.set(null);
    arrange(root, { transport, connection, banner, caption, events, inspector, tables, consoles, pcap, vms, hosts, keep });
  };
  const rebuildIfChanged = () => {
    const current = getDoc();
    if (JSON.stringify(nodeList(current)) === nodesKey) return false;
    build(current);
    requestAnimationFrame(() => consoles.select(nodes.find((n) => withShell.has(n.kind))?.id));
    return true;
  };
  // A VM picked in the panel: its console comes to the front (its boot log shows as it starts)
  // and its node is selected on the canvas; a VM clicked on the canvas is picked in the panel.
  const showVm = (id) => {
    consoles.select(id);
    const node = cy?.getElementById(id);
    if (node?.nonempty() && !node.selected()) {
      cy.batch(() => {
        cy.elements(":selected").unselect();
        node.select();
      });
    }
  };
  cy?.on("select", "node", (event) => {
    if (vms?.select(event.target.id())) consoles.select(event.target.id());
    hosts?.select(event.target.id());
    keep?.select(event.target);
  });
  cy?.on("unselect", "node", () => keep?.select(null));
  // run.keep hands the node back as the design has it ({node, links}); the run-made drawing goes
  // and the editor adds the node as one undoable edit (design.keep), saved like any edit.
  const keepNode = async (id) => {
    const data = await command("run.keep", { node: id });
    if (!keeper) throw new Error(`${KEEP_WHY}`);
    const drawn = cy?.getElementById(id);
    if (drawn?.nonempty() && drawn.data("runMade")) drawn.remove();
    keeper(data);
    return data;
  };
  const vmsChanged = () => {
    badges.set(vmStates.all());
    vms.update(vmStates);
    hostMarks.set(hostBadges(runTables));
    hosts?.update(runTables);
  };
  build(getDoc());
  root.dataset.ready = "true";
  // The person's clicks and keys on the panels are watched in `viewRoot` (the presenter view places
  // the panels outside `root`).
  const view = createViewState({ cy, root: viewRoot, panels: () => ({ events, tables, consoles }) });
  try {
    follow = followSlot ? installFollow({ cy, view, session, slot: followSlot, panels: viewRoot, canPresent: () => editable,
      lookBack, privateAt: () => privateAt }) : null;
  } catch (error) {
    console.error("following is unavailable:", error); // the run must show even so
  }

  // Before the first run, follow the drawing as it is edited (coalesced: one check a frame).
  let docCheck = false;
  cy?.on("add remove data", () => {
    if (docCheck || session.status.status !== "none") return;
    docCheck = true;
    requestAnimationFrame(() => {
      docCheck = false;
      if (session.status.status === "none") rebuildIfChanged();
    });
  });

  let connectionSaid = null; // the banner's sentence about the connection, taken back once connected
  session.addEventListener("hello", () => {
    connectionText.textContent = "Connected";
    connection.dataset.connected = "true";
    connection.title = "";
    retry.hidden = true;
    if (connectionSaid && banner.textContent === connectionSaid) say(null);
    connectionSaid = null;
  });
  session.addEventListener("connection", ({ detail }) => {
    if (detail.connected) return;
    connection.dataset.connected = "false";
    connectionText.textContent = !detail.retrying ? "Disconnected" : detail.why ? "Not connected" : "Reconnecting…";
    connection.title = detail.why ?? "";
    retry.hidden = detail.retrying || detail.code === 4404;
    if (detail.why) say((connectionSaid = detail.why));
  });
  session.addEventListener("state", ({ detail }) => {
    lastState = { ...lastState, ...detail };
    transport.update(detail);
    overlay.setSpeed(detail.speed);
    if (detail.status === "none") {
      events.clear();
      tables.clear();
      consoles.clear();
      vmStates.clear();
      runTables = null;
      vmsChanged();
      showCurrent(null);
    }
  });
  session.addEventListener("time", ({ detail }) => transport.update({ t: detail.t }));
  session.addEventListener("events", ({ detail }) => {
    events.add(detail.events);
    if (vmStates.fromEvents(detail.events)) vmsChanged();
    if (privateAt !== null) return; // looking back: the list keeps them for later, nothing moves
    if (detail.live) overlay.play(detail.events);
    const newest = detail.events.at(-1);
    if (newest) pacer.offer(newest, { immediate: !detail.live || session.status.status !== "playing" });
  });
  session.addEventListener("console", ({ detail }) => consoles.line(detail));
  session.addEventListener("tables", ({ detail }) => {
    tables.update(detail.tables, detail.t, { replace: Boolean(detail.replace) });
    if (detail.tables) syncRunContainers(cy, detail.tables); // containers and clones made during the run (runnodes.js)
    if (detail.tables) runTables = detail.tables;
    vmStates.fromTables(detail.tables, detail.t ?? detail.tables?.t ?? 0, { replace: Boolean(detail.replace) });
    vmsChanged();
  });
  session.addEventListener("seeked", ({ detail }) => {
    overlay.clear();
    transport.update({ t: detail.t, started: detail.started, reset: detail.reset });
    if (detail.started || detail.reset) {
      rebuildIfChanged();
      events.clear();
      consoles.clear();
      if (privateAt !== null) lookBack(null); // a new run: nothing to look back on
    } else {
      events.cut(detail.t);
      consoles.cut(detail.t);
    }
    tables.update(detail.tables, detail.t, { replace: true });
    if (detail.tables) syncRunContainers(cy, detail.tables);
    if (detail.tables) runTables = detail.tables;
    if (detail.tables) vmStates.fromTables(detail.tables, detail.t ?? 0, { replace: true });
    vmsChanged();
    const upto = privateAt === null ? detail.t : Math.min(detail.t, privateAt * 1e9);
    pacer.offer(detail.started || detail.reset ? null : events.newest(upto), { immediate: true });
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
    view,
    follow,
    /** The editor's way to add a kept node ({node, links}) as one undoable edit. */
    setKeeper(fn) {
      keeper = fn;
      build(getDoc());
    },
    /** The transport's keyboard verbs as built now (playPause, step, back). */
    keys: () => transport.keys,
    snapshot: () => ({
      connected: session.connected,
      role: session.role,
      status: { ...session.status },
      lastSeq: session.tracker.lastSeq,
      events: events.events(),
      tables: tables.rows(),
      tablesSaid: tables.said(),
      consoles: consoles.lines(),
      caption: caption.current ? { seq: caption.current.seq, text: caption.current.text ?? "" } : null,
      focused: overlay.focused(),
      vms: { states: vmStates.all(), badges: badges.shown(), panel: vms.snapshot() },
      hosts: { badges: hostMarks.shown(), panel: hosts.snapshot() },
      keep: keep.snapshot(),
      view: view.get(),
      privateAt,
      follow: follow?.snapshot() ?? null,
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
function safeOverlay(cy, scale) {
  let overlay = null;
  try {
    overlay = cy ? createOverlay(cy, { scale }) : null;
  } catch (error) {
    console.error("packet animation unavailable:", error);
  }
  const call = (name, ...args) => {
    try {
      return overlay?.[name]?.(...args);
    } catch (error) {
      console.error(`packet animation ${name} failed:`, error);
      return undefined;
    }
  };
  return { play: (events) => call("play", events), clear: () => call("clear"), setSpeed: (s) => call("setSpeed", s),
    focus: (ids) => call("focus", ids), focused: () => call("focused") ?? [] };
}

/** The VM badges must never take the panel down either. */
function safeBadges(cy, scale) {
  let badges = null;
  try {
    badges = cy ? createVmBadges(cy, { scale }) : null;
  } catch (error) {
    console.error("VM badges unavailable:", error);
  }
  return { set: (states) => { try { badges?.set(states); } catch (error) { console.error("VM badges failed:", error); } },
    shown: () => badges?.shown() ?? {} };
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
      : "This design has no NIC to capture yet: every NIC drawn gets a capture here."));
}
