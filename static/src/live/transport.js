// The transport bar: play, pause, step, reset, stop, speed, the status, the simulated time and
// the timeline (drag to seek back or forward). Editors get working controls; viewers see them
// disabled with the reason. Commands go out through `command(type, fields)` (LiveSession.send).
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

export function createTransport({ canEdit, command, onError }) {
  const reason = canEdit ? null : VIEWER_REASON;
  const button = (label, title, onclick) => h("button", { type: "button", title: reason ?? title, disabled: true,
    dataset: { live: label.toLowerCase() }, onclick }, label);
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
  const play = button("Play", "Start the run, or resume it", () => {
    onError(null);
    if (ACTIVE.has(state.status)) run("run.resume");
    else start({ speed }).catch((e) => onError(e.message));
  });
  const pause = button("Pause", "Pause the run", () => run("run.pause"));
  const step = button("Step", "Run to the next event, then pause", async () => {
    if (!ACTIVE.has(state.status)) {
      try {
        await start({ speed, paused: true });
      } catch (e) {
        onError(e.message);
        return;
      }
    }
    run("run.step");
  });
  const reset = button("Reset", "Back to t = 0, paused; the typed commands are forgotten", () => run("run.reset"));
  const stop = button("Stop", "End the run", () => run("run.stop"));

  const speedId = uid("live-speed");
  const speedSelect = h("select", { id: speedId, disabled: !canEdit, title: reason ?? "Simulated seconds per wall second",
    onchange: () => {
      speed = Number(speedSelect.value);
      if (ACTIVE.has(state.status)) run("run.speed", { speed });
    } }, SPEEDS.map((s) => h("option", { value: s, selected: s === 1 }, `${s}×`)));

  const status = h("span", { className: "live-status", role: "status", "aria-live": "polite", dataset: { status: "none" } }, STATUS_TEXT.none);
  const clock = h("output", { className: "live-clock", "aria-label": "Simulated time" }, formatTime(0));
  const timelineId = uid("live-timeline");
  const timeline = h("input", { type: "range", id: timelineId, min: 0, max: 10, step: 0.001, value: 0, disabled: true,
    title: reason ?? "Drag to move the run to another instant (back or forward)" });
  timeline.addEventListener("pointerdown", () => { dragging = true; });
  timeline.addEventListener("input", () => {
    dragging = true;
    clock.textContent = `${formatTime(Number(timeline.value) * 1e9)} (release to go there)`;
  });
  timeline.addEventListener("change", () => {
    dragging = false;
    run("run.seek", { t: Number(timeline.value) });
  });
  timeline.addEventListener("blur", () => { dragging = false; });

  const note = reason ? h("p", { className: "live-note", id: uid("live-reason") }, reason) : null;
  const element = h("div", { className: "live-transport", role: "toolbar", "aria-label": "Simulation controls" },
    play, pause, step, reset, stop,
    h("label", { for: speedId }, "Speed "), speedSelect,
    status, clock,
    h("label", { for: timelineId, className: "live-timeline-label" }, "Timeline"), timeline);
  if (note) for (const control of [play, pause, step, reset, stop, speedSelect, timeline]) control.setAttribute("aria-describedby", note.id);

  const update = (next) => {
    state = { ...state, ...next };
    const t = Number(state.t || 0);
    if (state.status === "none" || next.started || next.reset) maxT = 0;
    maxT = Math.max(maxT, t);
    const label = STATUS_TEXT[state.status] ?? state.status;
    status.textContent = state.msg ? `${label}: ${state.msg}` : label;
    status.dataset.status = state.status;
    if (!dragging) {
      clock.textContent = formatTime(t);
      timeline.max = String(Math.max(10, Math.ceil(maxT / 1e9)));
      timeline.value = String(t / 1e9);
    }
    timeline.setAttribute("aria-valuetext", formatTime(t));
    if (state.speed && SPEEDS.includes(Number(state.speed))) {
      speed = Number(state.speed);
      speedSelect.value = String(speed);
    }
    if (!canEdit) return;
    const active = ACTIVE.has(state.status);
    play.disabled = state.status === "playing" || state.status === "capped" || state.status === "starting";
    pause.disabled = state.status !== "playing";
    step.disabled = state.status === "capped" || state.status === "starting";
    reset.disabled = !active;
    stop.disabled = !active;
    timeline.disabled = !active;
  };
  update({});
  return { element, note, update, get state() { return state; } };
}
