// The caption: the current event's sentence, whole, with its time and protocol (the presenter
// view shows it under the canvas in large type; the design page above the event list). The
// current event is the one picked in the list, else the newest one the run reached.
//
// While a run plays, events come 20 batches a second: a caption that changed with each would be
// unreadable. `CaptionPacer` (pure, tested in caption.test.js) shows the newest at once when the
// caption has been still for `holdMs`, else when that time is up; a picked event, a step and a
// seek show at once.
import { h } from "./dom.js";
import { formatTime } from "./format.js";

export const HOLD_MS = 900;

export class CaptionPacer {
  constructor({ show, holdMs = HOLD_MS, timers = globalThis, now = () => performance.now() }) {
    this.show = show;
    this.holdMs = holdMs;
    this.timers = timers;
    this.now = now;
    this.shownAt = -Infinity;
    this.waiting = null;
    this.timer = null;
  }

  /** A new current event: now when `immediate` or when the caption has been still long enough. */
  offer(event, { immediate = false } = {}) {
    const now = this.now();
    if (immediate || now - this.shownAt >= this.holdMs) {
      this.#cancel();
      this.shownAt = now;
      this.show(event);
      return;
    }
    this.waiting = event;
    if (this.timer === null) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        const next = this.waiting;
        this.waiting = null;
        this.shownAt = this.now();
        this.show(next);
      }, this.holdMs - (now - this.shownAt));
    }
  }

  #cancel() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
  }
}

/** The caption element: `set(event, protocol)`, `set(null)` for none. A caption whose box has a
 * fixed height (the presenter's: two lines) shrinks its type for a long sentence, down to
 * MIN_FIT_PX, rather than cutting it. */
export const MIN_FIT_PX = 18;

export function createCaption({ emptyText = "Nothing has happened yet: press Play, or Next event to go one step." } = {}) {
  const time = h("span", { className: "live-caption-time" });
  const proto = h("span", { className: "live-caption-proto" });
  const text = h("span", { className: "live-caption-text" }, emptyText);
  const element = h("p", { className: "live-caption", "aria-live": "polite", "aria-atomic": "true", dataset: { empty: "true" } },
    time, proto, text);
  let current = null;
  const fit = () => {
    element.style.fontSize = "";
    if (!element.isConnected || element.clientHeight === 0) return;
    let size = Number.parseFloat(getComputedStyle(element).fontSize);
    while (element.scrollHeight > element.clientHeight + 1 && size > MIN_FIT_PX) {
      size -= 2;
      element.style.fontSize = `${size}px`;
    }
  };
  if (typeof ResizeObserver === "function") new ResizeObserver(() => fit()).observe(element);
  return {
    element,
    set(event, protocol = "") {
      current = event ?? null;
      element.dataset.empty = String(!event);
      element.dataset.protocol = protocol;
      time.textContent = event ? formatTime(event.t) : "";
      proto.textContent = event ? protocol : "";
      text.textContent = event ? event.text ?? event.kind ?? "" : emptyText;
      fit();
    },
    get current() {
      return current;
    },
  };
}
