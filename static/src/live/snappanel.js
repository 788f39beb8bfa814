// A VM's snapshots in the live panel (docs/live.md "Snapshots"), drawn as VirtualBox's Snapshots
// pane draws them: the tree of snapshots, the current one marked, and "Current state" as the last
// child of the current snapshot. Pick a snapshot (click it, or arrow keys in the tree) to restore,
// delete or clone from it. Take, Restore and Delete are enabled from the VM's row of the tables
// (`snapshots.ops`: the engine's sentence, or null), Clone from the generated power facts
// (vmstate.js: only a stopped VM clones); a refusal of one snapshot in particular (a snapshot with
// two children) comes back from the server in words. Each press is a `run.vm` message.
import { h, uid } from "./dom.js";
import { formatTime } from "./format.js";
import { LOOK, POWER } from "./vmstate.js";

const fill = (template, name) => (template == null ? null : template.replaceAll("{name}", name));

/** The rows of a snapshot tree, depth first, with "Current state" after the current snapshot's
 * children: [{kind: "snapshot"|"current", depth, uuid?, name?, snap?, state?}]. Pure. */
export function treeRows(snapshots) {
  const out = [];
  const current = snapshots?.current_state ?? null;
  const walk = (node, depth) => {
    out.push({ kind: "snapshot", depth, uuid: node.uuid, name: node.name, snap: node });
    for (const child of node.children ?? []) walk(child, depth + 1);
    if (current && current.parent === node.uuid) out.push({ kind: "current", depth: depth + 1, state: current.state });
  };
  for (const root of snapshots?.tree ?? []) walk(root, 0);
  if (current && !current.parent) out.push({ kind: "current", depth: 0, state: current.state });
  return out;
}

export function createSnapshotPanel({ canEdit, reason, send, say }) {
  let vm = null;
  let name = "";
  let row = null;
  let picked = null; // uuid of the snapshot picked
  const list = h("ul", { className: "live-snaps", role: "tree", "aria-label": "Snapshots" });
  const empty = h("p", { className: "live-muted" });
  const nameId = uid("live-snap-name");
  const takeName = h("input", { id: nameId, type: "text", maxlength: 64, size: 12, placeholder: "Snapshot 1" });
  const cloneId = uid("live-clone-name");
  const cloneName = h("input", { id: cloneId, type: "text", maxlength: 64, size: 10, placeholder: "vm1-clone" });
  const keepMacs = h("input", { type: "checkbox" });
  const why = h("p", { className: "live-vm-why" });
  const controls = {};
  const control = (id, label, onPress) => {
    const el = h("button", { type: "button", dataset: { control: id } }, label);
    const entry = { element: el, why: null };
    el.addEventListener("click", () => (entry.why ? say(`Not possible now: ${entry.why}`) : onPress()));
    const explain = () => {
      why.textContent = entry.why ? `${label}: ${entry.why}` : "";
    };
    el.addEventListener("mouseenter", explain);
    el.addEventListener("focus", explain);
    controls[id] = entry;
    return el;
  };
  const pickedSnap = () => treeRows(row?.snapshots).find((r) => r.kind === "snapshot" && r.uuid === picked)?.snap ?? null;
  const element = h("details", { className: "live-vm-snapshots", open: true },
    h("summary", {}, "Snapshots"),
    list, empty,
    h("div", { className: "live-vm-hwrow" },
      h("label", { for: nameId }, "Name "), takeName,
      control("take", "Take snapshot", () => {
        const taken = takeName.value.trim() || `Snapshot ${(treeRows(row?.snapshots).filter((r) => r.kind === "snapshot").length) + 1}`;
        send("Take snapshot", "snapshot", { op: "take", name: taken });
        takeName.value = "";
      }),
      control("restore", "Restore snapshot", () => send(`Restore ${pickedSnap()?.name}`, "snapshot", { op: "restore", name: picked })),
      control("delete", "Delete snapshot", () => send(`Delete ${pickedSnap()?.name}`, "snapshot", { op: "delete", name: picked }))),
    h("div", { className: "live-vm-hwrow" },
      h("label", { for: cloneId }, "Clone as "), cloneName,
      h("label", {}, keepMacs, " keep MAC addresses"),
      control("clone", "Clone", () => {
        const params = { name: cloneName.value.trim() || `${name}-clone` };
        if (picked) params.snapshot = picked;
        if (keepMacs.checked) params.keep_macs = true;
        send(`Clone ${name}`, "clonevm", params);
      })),
    why);

  const set = (id, reasonNow) => {
    const blocked = !canEdit ? `${reason}.` : reasonNow;
    const entry = controls[id];
    entry.why = blocked ?? null;
    entry.element.setAttribute("aria-disabled", String(Boolean(blocked)));
    entry.element.title = blocked ? `Not now: ${blocked}` : "";
  };

  function draw() {
    const snaps = row?.snapshots;
    const rows = treeRows(snaps);
    if (picked && !rows.some((r) => r.uuid === picked)) picked = null;
    list.replaceChildren(...(rows.length ? rows.map((r) => {
      if (r.kind === "current") {
        const look = LOOK[r.state];
        return h("li", { role: "treeitem", className: "live-snap-current", style: { marginLeft: `${r.depth * 1.1}rem` },
          "aria-level": r.depth + 1 }, `▸ Current state (${look?.label ?? r.state})`);
      }
      const s = r.snap;
      const item = h("li", { role: "treeitem", tabindex: r.uuid === picked ? "0" : "-1", "aria-level": r.depth + 1,
        "aria-selected": String(r.uuid === picked), dataset: { uuid: r.uuid }, style: { marginLeft: `${r.depth * 1.1}rem` },
        className: `live-snap${s.current ? " live-snap-is-current" : ""}`,
        onclick: () => { picked = r.uuid; draw(); } },
      h("span", { "aria-hidden": "true" }, "◉ "), h("strong", {}, s.name),
      ` · ${formatTime(s.taken_ns)} · ${s.online ? `${s.state}, with its RAM` : s.state}${s.current ? " · current" : ""}`);
      return item;
    }) : []));
    // A tree holds tree items only: "none yet" is said beside it, and an empty tree is hidden.
    list.hidden = !rows.length;
    empty.hidden = Boolean(rows.length);
    empty.textContent = row ? "No snapshot yet." : "No run yet.";
    const ops = snaps?.ops ?? {};
    const none = row ? null : "No run yet: press Play.";
    set("take", none ?? ops.take ?? null);
    set("restore", none ?? ops.restore ?? (picked ? null : "pick a snapshot in the tree first"));
    set("delete", none ?? ops.delete ?? (picked ? null : "pick a snapshot in the tree first"));
    set("clone", none ?? fill(POWER.clone[row.state], name));
  }
  list.addEventListener("keydown", (event) => {
    const items = [...list.querySelectorAll("li[data-uuid]")];
    const at = items.findIndex((li) => li.dataset.uuid === picked);
    const next = { ArrowDown: at + 1, ArrowUp: at - 1 }[event.key];
    if (next === undefined || !items.length) return;
    picked = items[Math.max(0, Math.min(items.length - 1, next))].dataset.uuid;
    draw();
    list.querySelector(`li[data-uuid='${picked}']`)?.focus();
    event.preventDefault();
  });

  return {
    element,
    /** The VM in view (`id`, its `vmName`) and its row of the tables (null before a run). */
    update(id, vmName, vmRow) {
      if (id !== vm) picked = null;
      vm = id;
      name = vmName;
      row = vmRow;
      if (cloneName.placeholder !== `${vmName}-clone`) cloneName.placeholder = `${vmName}-clone`;
      draw();
    },
    snapshot: () => ({ rows: treeRows(row?.snapshots).map((r) => (r.kind === "current" ? `Current state (${r.state})` : r.name)),
      picked, controls: Object.fromEntries(Object.entries(controls).map(([k, e]) => [k, e.why])) }),
  };
}
