// VMs during a live run (docs/live.md "Virtual machines"): each VM's power state as the run's events
// and tables say, which controls and hardware changes that state allows, and how a state looks.
// Pure: vmstate.test.js drives it without a DOM.
//
// What is legal where comes from ONE place, the engine's tables (simcore/virt/power.py TRANSITIONS
// and hardware.py STATE_RULES), through simcore/virt/panel.json, generated from them and tested to
// be up to date (`python -m simcore.virt.panel`). `{name}` in a sentence is the VM's name.
import facts from "../../../simcore/virt/panel.json" with { type: "json" };

export const POWER = facts;

// How each state looks on the canvas and in the panel: words, a symbol (never colour alone) and a
// colour readable as white text on a projector (contrast >= 4.5:1 against #fff).
export const LOOK = {
  PoweredOff: { label: "Powered off", symbol: "■", colour: "#4b5563" },
  Starting: { label: "Starting…", symbol: "↻", colour: "#0e7490" },
  Running: { label: "Running", symbol: "▶", colour: "#15803d" },
  Paused: { label: "Paused", symbol: "❚❚", colour: "#a16207" },
  Saving: { label: "Saving…", symbol: "↓", colour: "#1d4ed8" },
  Saved: { label: "Saved", symbol: "⤓", colour: "#1e40af" },
  Restoring: { label: "Restoring…", symbol: "↑", colour: "#0e7490" },
  Stopping: { label: "Stopping…", symbol: "↻", colour: "#9a3412" },
  Aborted: { label: "Aborted", symbol: "✖", colour: "#b91c1c" },
};

// The panel's power buttons, in VBoxManage's order; Pause and Resume share one button.
export const BUTTONS = [
  { id: "start", label: "Start", actions: ["start"] },
  { id: "pause", label: "Pause", actions: ["pause", "resume"] },
  { id: "savestate", label: "Save state", actions: ["savestate"] },
  { id: "acpipowerbutton", label: "ACPI shutdown", actions: ["acpipowerbutton"] },
  { id: "poweroff", label: "Power off", actions: ["poweroff"] },
  { id: "reset", label: "Reset", actions: ["reset"] },
  { id: "crash", label: "Crash", actions: ["crash"] },
];
const VERB = { resume: "Resume", pause: "Pause" };

const fill = (template, name) => (template == null ? null : template.replaceAll("{name}", name));

/** Why `action` is refused in `state` (the engine's sentence), or null when it is legal. */
export function refusal(state, action, name) {
  const row = POWER.refusals[state];
  if (!row || !(action in row)) return `unknown state ${state} or control ${action}`;
  return fill(row[action], name);
}

/** The buttons for a VM in `state`: [{id, action, label, enabled, why}]. Pause/Resume is the
 * legal one of the two (Resume while paused, else Pause, with Pause's refusal). */
export function buttonsFor(state, name) {
  return BUTTONS.map((b) => {
    const legal = b.actions.find((a) => refusal(state, a, name) === null);
    const action = legal ?? b.actions[0];
    return { id: b.id, action, label: VERB[action] ?? b.label, enabled: Boolean(legal), why: legal ? null : refusal(state, action, name) };
  });
}

/** Hardware changes in `state`: {settings, cable, attachment, storage} -> why not, or null. */
export function changesFor(state, name) {
  const row = POWER.changes[state] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, fill(v, name)]));
}

/** Where a legal control leads from `state`: {via, to} (via: a transitional state, or null). */
export const leadsTo = (state, action) => POWER.leads_to[state]?.[action] ?? null;

export const isTransitional = (state) => POWER.transitional.includes(state);

/**
 * Each VM's state through a run: the tables' rows (authoritative at their instant) and the
 * `vm.state` events after them (they come first: a batch of events, then its tables).
 * `rows` keeps the newest table row of each VM (hardware, host, snapshots).
 */
export class VmStates {
  constructor() {
    this.states = new Map(); // id -> {state, t}
    this.rows = new Map(); // id -> the newest tables row
    this.hosts = {}; // host id -> tables.vm_hosts row
  }

  /** A `tables` snapshot at simulated time `t` (ns); `replace` after a seek or a reset. */
  fromTables(tables, t, { replace = false } = {}) {
    if (!tables?.vms) return false;
    if (replace) this.states.clear();
    let changed = false;
    for (const [id, row] of Object.entries(tables.vms)) {
      this.rows.set(id, row);
      const known = this.states.get(id);
      if (!known || replace || known.t <= t) {
        if (known?.state !== row.state) changed = true;
        this.states.set(id, { state: row.state, t });
      }
    }
    this.hosts = tables.vm_hosts ?? {};
    return changed || replace;
  }

  /** Trace events in seq order; returns whether a state changed. */
  fromEvents(events) {
    let changed = false;
    for (const e of events) {
      if (e.kind !== "vm.state" || !e.node || !e.to) continue;
      const known = this.states.get(e.node);
      if (known && known.t > e.t) continue;
      if (known?.state !== e.to) changed = true;
      this.states.set(e.node, { state: e.to, t: e.t });
    }
    return changed;
  }

  clear() {
    this.states.clear();
    this.rows.clear();
    this.hosts = {};
  }

  state(id) {
    return this.states.get(id)?.state ?? null;
  }

  row(id) {
    return this.rows.get(id) ?? null;
  }

  /** {id: state} of every VM known. */
  all() {
    return Object.fromEntries([...this.states].map(([id, s]) => [id, s.state]));
  }
}
