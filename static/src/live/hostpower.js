// A physical host's power in the live panel (docs/live.md "Host power"): Shut down, Reboot and
// Boot for the host selected on the canvas, each a `run.host` message (an action of the run's
// log). The buttons are enabled from the run's tables: `tables.hosts` lists each host that is not
// running, with its power state and, per action, null when legal now or the engine's sentence it
// is refused with (simcore/virt/hostpower.py). A host missing from it is running: it shuts down and
// reboots, and only a host that is off boots. A host that is not running gets a badge on its node
// (the VM badges' look: Powered off, Stopping…, Starting…).
import { h } from "./dom.js";
import { formatTime } from "./format.js";

export const HOST_REASON = "powering a host is for the design's owner and editors";
export const HOST_BUTTONS = [
  { action: "shutdown", label: "Shut down" },
  { action: "reboot", label: "Reboot" },
  { action: "boot", label: "Boot" },
];
// A host's power state as a VM badge state (vmstate.js LOOK): the same colours and symbols.
const AS_VM = { off: "PoweredOff", "shutting down": "Stopping", booting: "Starting" };
const WORDS = { running: "Running", off: "Off", "shutting down": "Shutting down…", booting: "Booting…" };

/** The power state of host `id` in the tables: "running" unless `tables.hosts` lists it. */
export function hostState(tables, id) {
  return tables?.hosts?.[id]?.power ?? "running";
}

/** Why each action is refused now (null: legal), for host `id` named `name`. */
export function hostRefusals(tables, id, name = id) {
  const row = tables?.hosts?.[id];
  if (row?.actions) return Object.fromEntries(HOST_BUTTONS.map((b) => [b.action, row.actions[b.action] ?? null]));
  const state = row?.power ?? "running";
  // The engine's own sentences (HostPower.refusal) for a row that does not carry them.
  return {
    shutdown: state === "running" ? null : `${name} is ${state} already`,
    reboot: state === "running" ? null : `${name} is ${state} already`,
    boot: state === "off" ? null : `${name} is ${state}: only a host that is off boots`,
  };
}

/** {host id: VM badge state} for every host that is not running (vmbadges.js draws them). */
export function hostBadges(tables) {
  return Object.fromEntries(Object.entries(tables?.hosts ?? {}).map(([id, row]) => [id, AS_VM[row?.power] ?? "PoweredOff"]));
}

export function createHostPower({ hosts, canEdit, command }) {
  let current = hosts[0]?.id ?? null;
  let tables = null;
  const nameOf = (id) => hosts.find((x) => x.id === id)?.name ?? id;
  const title = h("span", { className: "live-host-name" });
  const state = h("span", { className: "live-host-state" });
  const message = h("p", { className: "live-host-message", role: "status", "aria-live": "polite" });
  const why = h("p", { className: "live-host-why" });
  const buttons = HOST_BUTTONS.map((b) => {
    const el = h("button", { type: "button", dataset: { action: b.action } }, b.label);
    const entry = { ...b, element: el, why: null };
    el.addEventListener("click", () => {
      if (entry.why) {
        message.textContent = `Not possible now: ${entry.why}`;
        return;
      }
      const host = current;
      command("run.host", { node: host, action: b.action }).then(
        (data) => { message.textContent = `${b.label} ${nameOf(host)}: sent, it acts at ${formatTime(data?.t ?? 0)} (simulated time).`; },
        (error) => { message.textContent = error.code === "run.none" ? "No simulation is running: press Play first." : `Refused: ${error.message}`; });
    });
    const explain = () => { why.textContent = entry.why ? `${b.label}: ${entry.why}` : ""; };
    el.addEventListener("mouseenter", explain);
    el.addEventListener("focus", explain);
    return entry;
  });
  const refresh = () => {
    title.textContent = current ? nameOf(current) : "";
    const now = hostState(tables, current);
    state.textContent = tables ? WORDS[now] ?? now : "no run yet";
    state.dataset.state = now;
    const refusals = hostRefusals(tables, current, nameOf(current));
    for (const b of buttons) {
      b.why = !canEdit ? `${HOST_REASON}.` : !tables ? "no run yet: press Play (or Next event) first" : refusals[b.action];
      // aria-disabled, not disabled: the button stays focusable and pointable, so it can say why.
      b.element.setAttribute("aria-disabled", String(Boolean(b.why)));
      b.element.title = b.why ? `Not now: ${b.why}` : "";
    }
  };
  refresh();
  return {
    hasHosts: hosts.length > 0,
    element: h("section", { className: "live-host-power", "aria-label": "Host power" },
      h("h3", {}, "Host power: ", title, " ", state),
      h("div", { role: "group", "aria-label": "Host power controls" }, buttons.map((b) => b.element)), why, message),
    /** A node picked on the canvas: a host becomes the one controlled (true), else nothing (false). */
    select(id) {
      if (!hosts.some((x) => x.id === id)) return false;
      current = id;
      refresh();
      return true;
    },
    /** The run's tables (null: no run). */
    update(next) {
      tables = next ?? null;
      refresh();
    },
    snapshot: () => ({ host: current, state: hostState(tables, current),
      buttons: Object.fromEntries(buttons.map((b) => [b.action, b.why])) }),
  };
}
