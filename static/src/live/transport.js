// The transport bar: play, pause, next event (step), back one event, reset, stop, speed, the
// status, the simulated time and the timeline (drag to seek back or forward). Editors get working
// controls; viewers see them disabled with the reason. Commands go out through
// `command(type, fields)` (LiveSession.send).
//
// Two rows that never change size while the run moves: the buttons, the speed, the status word and
// the clock on the first (each of fixed width; the server's longer message goes to a line of its
// own below), the timeline alone on the second between its two ends. Dragging the timeline used to
// grow the clock with "(release to go there)": the first row wrapped, the slider jumped to another
// row under the pointer and the seek landed far from where it was aimed.
import { h, uid } from "./dom.js";
import { formatTime } from "./format.js";

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100];
export const VIEWER_REASON = "Running the simulation is for the design's owner and editors: you are watching.";
const ACTIVE = new Set(["playing", "paused", "capped", "starting"]);
const STATUS_TEXT = {
  none: "No run yet",
  starting: "Starting…",
  playing: "Playing",
  paused: "Paused",
  capped: "Capped",
  stopped: "Stopped",
  failed: "Failed",
  interrupted: "Interrupted",
};
export const NEXT_LABEL = "Next event →";
export const BACK_LABEL = "← Back one event";
const LOOK_TITLE = "Drag to look back on your own: the list and the caption go there, the run goes on for everyone";

/**
 * @param {object} options
 * @param {boolean} options.canEdit
 * @param {Function} options.command (type, fields) -> Promise
 * @param {Function} options.onError (message | null)
 * @param {Function} [options.backTarget] () -> the instant (ns) "back one event" goes to, or null
 */
export function createTransport({ canEdit, command, onError, backTarget = () => null, lookBack = null }) {
  const reason = canEdit ? null : VIEWER_REASON;
  // A viewer's timeline looks back privately (`lookBack(seconds | null)`): the run goes on.
  const looks = !canEdit && typeof lookBack === "function";
  let privately = null; // the instant (s) of this person's look back, null: the run as it is
  const button = (label, title, onclick, key) => h("button", { type: "button", title: reason ?? title, disabled: true,
    dataset: { live: key }, onclick }, label);
  let state = { status: "none", t: 0, speed: 1, run: null, msg: null };
  let maxT = 0;
  let dragging = false;
  let speed = 1;

  const run = (type, fields) => command(type, fields).catch((e) => onError(e.message));
  // The worker process takes a moment to build the network: say so as soon as the start is acked
  // (unless the run's first state already came).
  const started = (data) => {
    if (data?.run && state.run !== data.run) update({ run: data.run, status: "starting", msg: null });
  };
  const start = (fields) => command("run.start", fields).then(started);
  const play = button("Play", "Start the run, or resume it (Space in the presenter view)", () => {
    onError(null);
    if (ACTIVE.has(state.status)) run("run.resume");
    else start({ speed }).catch((e) => onError(e.message));
  }, "play");
  const pause = button("Pause", "Pause the run", () => run("run.pause"), "pause");
  // The server shows exactly one traced event per step: a simulator event that logs several lines
  // at one instant (a switch flooding a frame: the flood and one line per port) takes several.
  const step = button(NEXT_LABEL, "Show the next event of the trace, then pause (one line per press)", async () => {
    if (!ACTIVE.has(state.status)) {
      try {
        await start({ speed, paused: true });
      } catch (e) {
        onError(e.message);
        return;
      }
    }
    run("run.step");
  }, "step");
  step.setAttribute("aria-keyshortcuts", "ArrowRight");
  // A seek is by instant: going back undoes every event of the newest instant at once.
  const back = button(BACK_LABEL, "Go back to the instant of the event before the newest one (the run pauses there if it was paused)", () => {
    const target = backTarget();
    if (target === null || target === undefined) return;
    run("run.seek", { t: target / 1e9 });
  }, "back");
  back.setAttribute("aria-keyshortcuts", "ArrowLeft");
  const reset = button("Reset", "Back to t = 0, paused; the typed commands are forgotten", () => run("run.reset"), "reset");
  const stop = button("Stop", "End the run", () => run("run.stop"), "stop");

  const speedId = uid("live-speed");
  const speedSelect = h("select", { id: speedId, disabled: !canEdit, title: reason ?? "Simulated seconds per wall second",
    onchange: () => {
      speed = Number(speedSelect.value);
      if (ACTIVE.has(state.status)) run("run.speed", { speed });
    } }, SPEEDS.map((s) => h("option", { value: s, selected: s === 1 }, `${s}×`)));

  const status = h("span", { className: "live-status", role: "status", "aria-live": "polite", dataset: { status: "none" } }, STATUS_TEXT.none);
  const clock = h("output", { className: "live-clock", "aria-label": "Simulated time" }, formatTime(0));
  const message = h("p", { className: "live-message", hidden: true });
  const timelineId = uid("live-timeline");
  const timeline = h("input", { type: "range", id: timelineId, min: 0, max: 10, step: 0.001, value: 0, disabled: true,
    title: looks ? LOOK_TITLE : reason ?? "Drag to move the run to another instant (back or forward); it goes there when you let go" });
  const backToRun = h("button", { type: "button", className: "live-look-back", hidden: true,
    title: "Leave your look back: the list and the caption follow the run again", onclick: () => lookBack(null) }, "Back to the run");
  const timelineEnd = h("span", { className: "live-timeline-end", "aria-hidden": "true" }, "10 s");
  timeline.addEventListener("pointerdown", () => { dragging = true; });
  // While dragging the clock previews the instant (same width: nothing moves); letting go seeks.
  timeline.addEventListener("input", () => {
    dragging = true;
    clock.textContent = formatTime(Number(timeline.value) * 1e9);
    clock.dataset.preview = "true";
  });
  timeline.addEventListener("change", () => {
    dragging = false;
    delete clock.dataset.preview;
    if (looks) lookBack(Number(timeline.value));
    else run("run.seek", { t: Number(timeline.value) });
  });
  timeline.addEventListener("blur", () => {
    dragging = false;
    delete clock.dataset.preview;
  });

  const note = reason ? h("p", { className: "live-note", id: uid("live-reason") }, reason) : null;
  const element = h("div", { className: "live-transport", role: "toolbar", "aria-label": "Simulation controls" },
    // Groups that wrap as wholes in a narrow panel (a button never alone on a line by accident).
    h("div", { className: "live-transport-row" },
      h("span", { className: "live-group" }, play, pause),
      h("span", { className: "live-group" }, back, step),
      h("span", { className: "live-group" }, reset, stop),
      h("span", { className: "live-group live-speed" }, h("label", { for: speedId }, "Speed "), speedSelect),
      h("span", { className: "live-group" }, status, clock)),
    h("div", { className: "live-transport-row live-timeline-row" },
      h("label", { for: timelineId, className: "live-timeline-label" }, "Timeline"),
      h("span", { className: "live-timeline-end", "aria-hidden": "true" }, "0 s"), timeline, timelineEnd, backToRun),
    message);
  if (note) for (const control of [play, pause, back, step, reset, stop, speedSelect, ...(looks ? [] : [timeline])]) control.setAttribute("aria-describedby", note.id);

  const update = (next) => {
    state = { ...state, ...next };
    const t = Number(state.t || 0);
    if (state.status === "none" || next.started || next.reset) maxT = 0;
    maxT = Math.max(maxT, t);
    const label = STATUS_TEXT[state.status] ?? state.status;
    status.textContent = label;
    status.title = state.msg ? `${label}: ${state.msg}` : label;
    status.dataset.status = state.status;
    message.hidden = !state.msg;
    message.textContent = state.msg ? `${label}: ${state.msg}` : "";
    const shown = privately === null ? t : privately * 1e9;
    if (!dragging) {
      clock.textContent = formatTime(shown);
      const end = Math.max(10, Math.ceil(maxT / 1e9));
      timeline.max = String(end);
      timelineEnd.textContent = `${end} s`;
      timeline.value = String(shown / 1e9);
    }
    timeline.setAttribute("aria-valuetext", formatTime(shown));
    if (looks) timeline.disabled = !state.run || state.status === "none";
    if (state.speed && SPEEDS.includes(Number(state.speed))) {
      speed = Number(state.speed);
      speedSelect.value = String(speed);
    }
    if (!canEdit) return;
    const active = ACTIVE.has(state.status);
    play.disabled = state.status === "playing" || state.status === "capped" || state.status === "starting";
    pause.disabled = state.status !== "playing";
    step.disabled = state.status === "capped" || state.status === "starting";
    back.disabled = !active || state.status === "starting" || t <= 0;
    reset.disabled = !active;
    stop.disabled = !active;
    timeline.disabled = !active;
  };
  update({});

  // The keyboard's verbs (the presenter view binds Space, → and ←): each does what its button
  // does, and nothing when its button is disabled.
  const press = (control) => {
    if (control.disabled) return false;
    control.click();
    return true;
  };
  const keys = {
    playPause: () => (state.status === "playing" ? press(pause) : press(play)),
    step: () => press(step),
    back: () => press(back),
  };
  /** This person's look back is at `seconds` (null: none): the clock and the timeline show it. */
  const setPrivate = (seconds) => {
    privately = seconds ?? null;
    clock.dataset.private = String(privately !== null);
    clock.title = privately === null ? "" : "Your own look back: the run goes on for everyone else";
    backToRun.hidden = privately === null;
    update({});
  };
  return { element, note, update, keys, setPrivate, get state() { return state; }, get dragging() { return dragging; } };
}
