// The event list: each event's sentence, time and protocol (`data-kind`; the whole sentence and
// the kind in the row's tooltip); filters by protocol and device; click a row to pick it
// (highlight on the canvas, open in the inspector).
//
// Virtualised: up to MAX_KEPT events are kept and scrollable, but only the rows in view (plus a
// few either side) exist in the DOM, each ROW_PX high (two lines of sentence: it wraps once, and
// what is longer still shows whole in the tooltip, the inspector and the caption), absolutely
// placed over a spacer as tall as the whole list; new events are taken in once per animation frame. A capped list of 2,000 real
// rows was tried first: at 1,000 events/s its appends and removals cost the page 10-30 % of its
// frames (bench/live_panel.py), while hiding the list gave them all back.
// Keyboard: arrows move the current row, Home/End jump to the first/last, Enter picks.
import { h, uid } from "./dom.js";
import { PROTOCOLS, ProtocolClassifier, devicesOf, formatTime, isFrameEvent } from "./format.js";

export const MAX_KEPT = 10_000;
export const ROW_PX = 40;
const OVERSCAN = 8;

export function createEventList({ devices, onPick, frame = requestAnimationFrame }) {
  const kept = []; // every event kept, in seq order
  let shown = []; // the kept events that pass the filters
  let queue = [];
  let scheduled = false;
  let picked = null; // seq of the picked event
  let current = -1; // index in `shown` of the keyboard's current row
  let stick = true; // keep the newest row in view
  let viewport = 22 * 16; // the list's height in px (a ResizeObserver keeps it)
  let drawnFrom = -1; // index of the first row drawn
  const filter = { protocol: "", device: "", until: Infinity }; // until: a private look back (ns)
  // Each event's protocol, decided once on arrival (a tunnelled frame is VXLAN by what came before).
  const classifier = new ProtocolClassifier();
  const protocols = new WeakMap();
  const protocolOf = (event) => protocols.get(event) ?? "Other";

  const protocolId = uid("live-proto");
  const deviceId = uid("live-device");
  const protocolSelect = h("select", { id: protocolId, onchange: () => { filter.protocol = protocolSelect.value; rebuild(); } },
    h("option", { value: "" }, "All protocols"), PROTOCOLS.map((p) => h("option", { value: p }, p)));
  const deviceSelect = h("select", { id: deviceId, onchange: () => { filter.device = deviceSelect.value; rebuild(); } },
    h("option", { value: "" }, "All devices"), devices.map(({ id, name }) => h("option", { value: id }, name)));
  const count = h("span", { className: "live-count" }, "0 events");
  const rows = h("ol", { className: "live-events-rows", "aria-label": "Simulation events, oldest first" });
  const list = h("div", { className: "live-events", tabindex: "0", role: "group",
    "aria-label": "Event list: arrow keys move, Home and End jump, Enter inspects" }, rows);
  const element = h("section", { className: "live-eventlist", "aria-label": "Event list" },
    h("div", { className: "live-filters" },
      h("label", { for: protocolId }, "Protocol "), protocolSelect,
      h("label", { for: deviceId }, "Device "), deviceSelect, count),
    list);

  const passes = (event) => (!filter.protocol || protocolOf(event) === filter.protocol)
    && (!filter.device || devicesOf(event).includes(filter.device)) && event.t <= filter.until;

  const rowFor = (event, index) => {
    const protocol = protocolOf(event);
    const button = h("button", { type: "button", className: "live-event", tabindex: "-1",
      dataset: { seq: event.seq, kind: event.kind, protocol },
      title: `${event.text ?? ""}\n(${event.kind}${isFrameEvent(event) ? ": click to inspect the packet" : ""})`,
      "aria-current": event.seq === picked ? "true" : null,
      onclick: () => pick(index) },
    h("span", { className: "live-event-time" }, formatTime(event.t)),
    h("span", { className: "live-event-proto" }, protocol),
    h("span", { className: "live-event-text" }, event.text ?? ""));
    return h("li", { style: { top: `${index * ROW_PX}px` }, "aria-setsize": shown.length, "aria-posinset": index + 1,
      className: index === current ? "live-current" : null }, button);
  };

  // Draws the rows in view; reads the scroll position (no layout is dirty here: called on scroll
  // or once per frame after the spacer changed).
  const render = () => {
    rows.style.height = `${shown.length * ROW_PX}px`;
    if (stick) list.scrollTop = shown.length * ROW_PX;
    const top = list.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
    const last = Math.min(shown.length, Math.ceil((top + viewport) / ROW_PX) + OVERSCAN);
    drawnFrom = first;
    const hadFocus = list.contains(document.activeElement);
    rows.replaceChildren(...shown.slice(first, last).map((event, i) => rowFor(event, first + i)));
    // Roving focus: the keyboard's current row keeps the focus across redraws.
    if (hadFocus) (rows.querySelector(".live-current button") ?? list).focus({ preventScroll: true });
  };

  const pick = (index) => {
    const event = shown[index];
    if (!event) return;
    picked = event.seq;
    current = index;
    render();
    onPick(event);
  };

  const updateCount = () => {
    count.textContent = `${kept.length.toLocaleString("en")} event${kept.length === 1 ? "" : "s"}`
      + (shown.length !== kept.length ? `, ${shown.length.toLocaleString("en")} shown` : "")
      + (kept.length >= MAX_KEPT ? " (the oldest dropped)" : "");
  };

  const flush = () => {
    scheduled = false;
    if (!queue.length) return;
    for (const event of queue) if (passes(event)) shown.push(event);
    queue = [];
    if (kept.length > MAX_KEPT) {
      const oldest = kept.splice(0, kept.length - MAX_KEPT).at(-1).seq;
      const drop = shown.findIndex((e) => e.seq > oldest);
      const gone = drop < 0 ? shown.length : drop;
      shown.splice(0, gone);
      current = Math.max(-1, current - gone);
    }
    updateCount();
    render();
  };

  function rebuild() {
    queue = [];
    shown = kept.filter(passes);
    current = picked === null ? -1 : shown.findIndex((e) => e.seq === picked);
    stick = current < 0;
    updateCount();
    if (!stick) list.scrollTop = Math.max(0, current * ROW_PX - viewport / 2);
    render();
  }

  const moveTo = (index) => {
    if (!shown.length) return;
    current = Math.max(0, Math.min(shown.length - 1, index));
    const top = current * ROW_PX;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_PX > list.scrollTop + viewport) list.scrollTop = top + ROW_PX - viewport;
    stick = current === shown.length - 1;
    render();
  };

  list.addEventListener("scroll", () => {
    stick = list.scrollHeight - list.scrollTop - list.clientHeight < ROW_PX;
    // Our own scrolling to the newest row already drew that window.
    if (Math.max(0, Math.floor(list.scrollTop / ROW_PX) - OVERSCAN) !== drawnFrom) render();
  }, { passive: true });
  list.addEventListener("keydown", (event) => {
    const page = Math.max(1, Math.floor(viewport / ROW_PX) - 1);
    const base = current < 0 ? shown.length - 1 : current;
    const to = { ArrowDown: base + 1, ArrowUp: base - 1, PageDown: base + page, PageUp: base - page, Home: 0,
      End: shown.length - 1 }[event.key];
    if (to !== undefined) {
      moveTo(to);
      event.preventDefault();
    } else if (event.key === "Enter" && current >= 0) {
      pick(current);
      event.preventDefault();
    }
  });
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => { viewport = list.clientHeight || viewport; }).observe(list);
  }

  return {
    element,
    /** New events, in seq order: kept, and drawn at the next animation frame. */
    add(events) {
      for (const event of events) {
        protocols.set(event, classifier.classify(event));
        kept.push(event);
      }
      queue.push(...events);
      // A background tab gets no animation frames: stay bounded anyway.
      if (kept.length > 2 * MAX_KEPT) flush();
      if (!scheduled) {
        scheduled = true;
        frame(flush);
      }
    },
    /** After a seek: nothing after `t` happened any more. */
    cut(t) {
      flush();
      let keep = kept.length;
      while (keep > 0 && kept[keep - 1].t > t) keep -= 1;
      kept.length = keep;
      if (picked !== null && !kept.some((e) => e.seq === picked)) picked = null;
      rebuild();
    },
    /** A private look back (follow.js): only the events up to `t` (ns) are listed, none dropped;
     * null lists them all again. */
    lookBack(t) {
      flush();
      filter.until = t === null || t === undefined ? Infinity : t;
      rebuild();
    },
    /** A reset or a new run: nothing at all. */
    clear() {
      kept.length = 0;
      picked = null;
      classifier.reset();
      rebuild();
    },
    /** The protocol the list gave an event (its filter's class). */
    protocolOf,
    /** The newest event kept at or before `t` (ns; all of them with no `t`), or null. */
    newest(t = Infinity) {
      for (let i = kept.length - 1; i >= 0; i -= 1) if (kept[i].t <= t) return kept[i];
      return null;
    },
    /** The instant of the newest event before the newest one's instant (the "back one event"
     * target), 0 when there is none, null when the list is empty. */
    previousInstant() {
      const last = kept.at(-1);
      if (!last) return null;
      for (let i = kept.length - 2; i >= 0; i -= 1) if (kept[i].t < last.t) return kept[i].t;
      return 0;
    },
    /** The picked event's seq (null when none), and picking one by seq (a follower's view). */
    picked: () => picked,
    pickSeq(seq) {
      if (seq === null || seq === undefined) {
        picked = null;
        render();
        return false;
      }
      flush();
      let index = shown.findIndex((e) => e.seq === seq);
      if (index < 0 && kept.some((e) => e.seq === seq)) {
        filter.protocol = protocolSelect.value = "";
        filter.device = deviceSelect.value = "";
        rebuild();
        index = shown.findIndex((e) => e.seq === seq);
      }
      if (index < 0) return false;
      stick = false;
      list.scrollTop = Math.max(0, index * ROW_PX - viewport / 2);
      pick(index);
      return true;
    },
    /** Read-only view for the test hook. */
    events: () => kept.map(({ seq, t, kind, text }) => ({ seq, t, kind, text })),
    flush,
  };
}
