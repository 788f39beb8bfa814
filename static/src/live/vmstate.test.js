// Run with `npm test` (node --test). VM states through a run and which controls each allows: the
// facts come from simcore/virt/panel.json (generated from the engine's tables), never a copy here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { tableSections } from "./tablemodel.js";
import { BUTTONS, LOOK, POWER, VmStates, buttonsFor, changesFor, refusal } from "./vmstate.js";

test("every engine state has a look, and every control a button", () => {
  assert.deepEqual(Object.keys(LOOK).sort(), [...POWER.states].sort());
  assert.deepEqual(BUTTONS.flatMap((b) => b.actions).sort(), [...POWER.controls].sort());
});

test("the buttons of a VM that is off: only Start, the others say the engine's sentence", () => {
  const buttons = buttonsFor("PoweredOff", "vm1");
  assert.deepEqual(buttons.filter((b) => b.enabled).map((b) => b.id), ["start"]);
  assert.equal(buttons.find((b) => b.id === "poweroff").why, "Machine 'vm1' is not currently running");
});

test("Pause becomes Resume while paused; Reset and ACPI are refused there in VirtualBox's words", () => {
  const running = Object.fromEntries(buttonsFor("Running", "web").map((b) => [b.id, b]));
  assert.deepEqual([running.pause.label, running.pause.action, running.pause.enabled], ["Pause", "pause", true]);
  assert.equal(running.start.why, "The machine 'web' is already locked by a session (or being locked or unlocked)");
  const paused = Object.fromEntries(buttonsFor("Paused", "web").map((b) => [b.id, b]));
  assert.deepEqual([paused.pause.label, paused.pause.action, paused.pause.enabled], ["Resume", "resume", true]);
  assert.equal(paused.reset.why, "Invalid machine state: Paused");
  assert.deepEqual(buttonsFor("Saving", "web").filter((b) => b.enabled).map((b) => b.id), ["crash"]);
  assert.equal(refusal("Saved", "start", "web"), null);
});

test("hardware: RAM while off only, the cable while running only, drives not while saved", () => {
  const off = changesFor("PoweredOff", "vm1");
  assert.equal(off.settings, null);
  assert.match(off.cable, /acts on a running VM; vm1 is PoweredOff/);
  const running = changesFor("Running", "vm1");
  assert.match(running.settings, /^The RAM, vCPUs and NICs of vm1 can only be changed while it is powered off/);
  assert.equal(running.cable, null);
  assert.match(changesFor("Saved", "vm1").storage, /cannot change while it is Saved/);
});

test("states: events after a table win, older ones do not; a seek replaces", () => {
  const s = new VmStates();
  s.fromTables({ vms: { vm1: { state: "PoweredOff" } } }, 0);
  assert.equal(s.fromEvents([{ kind: "vm.state", node: "vm1", to: "Starting", t: 10 }]), true);
  assert.equal(s.state("vm1"), "Starting");
  s.fromEvents([{ kind: "vm.state", node: "vm1", to: "PoweredOff", t: 5 }]);
  assert.equal(s.state("vm1"), "Starting");
  s.fromTables({ vms: { vm1: { state: "Running" } } }, 20);
  assert.equal(s.state("vm1"), "Running");
  s.fromTables({ vms: { vm1: { state: "PoweredOff" } } }, 3, { replace: true });
  assert.deepEqual(s.all(), { vm1: "PoweredOff" });
});

test("a host's VMs as a table, with its over-commit warnings", () => {
  const tables = {
    vms: { vm1: { state: "Running", guest: "up", software_virtualization: false, hardware: { ram_mb: 4096, vcpus: 2 } },
      vm2: { state: "PoweredOff", guest: null, software_virtualization: false, hardware: { ram_mb: 1024, vcpus: 1 } } },
    vm_hosts: { hv: { cpu_cores: 2, ram_mb: 4096, ram_given_mb: 5120, vcpus_given: 3, vms: ["vm1", "vm2"],
      warnings: ["The VMs on hv (vm1 and vm2) ask for 5120 MB of RAM but hv has 4096 MB: the host will swap, or refuse to start some of them."] } },
  };
  const [section] = tableSections(tables).filter((x) => x.tab === "vms");
  assert.equal(section.title, "VMs on hv: 5120 of 4096 MB RAM and 3 vCPUs on 2 cores given");
  assert.deepEqual(section.rows.map((r) => r.cells), [
    ["vm1", "Running", "4096", "2", "up", "hardware (VT-x)"],
    ["vm2", "PoweredOff", "1024", "1", "—", "hardware (VT-x)"]]);
  assert.match(section.warnings[0], /ask for 5120 MB of RAM but hv has 4096 MB/);
});

test("a snapshot tree as rows: Current state after the current snapshot's children", async () => {
  const { treeRows } = await import("./snappanel.js");
  const tree = [{ uuid: "a", name: "base", children: [{ uuid: "b", name: "left", children: [] }, { uuid: "c", name: "right", children: [] }] }];
  const rows = treeRows({ tree, current_state: { parent: "a", state: "Running" } });
  assert.deepEqual(rows.map((r) => [r.kind, r.depth, r.name ?? r.state]),
    [["snapshot", 0, "base"], ["snapshot", 1, "left"], ["snapshot", 1, "right"], ["current", 1, "Running"]]);
  assert.deepEqual(treeRows({ tree: [], current_state: { parent: null, state: "PoweredOff" } }).map((r) => r.kind), ["current"]);
});
