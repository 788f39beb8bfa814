// The live panel's virtual machines (docs/live.md "Virtual machines"): pick a VM (or click it on the
// canvas), see its power state, press its power controls, change its hardware. Every control is
// enabled from the engine's own table (vmstate.js reads simcore/virt/panel.json, generated from
// it); a control that is not legal now stays visible but says why not, in the engine's words, as a
// tooltip and in the line under the buttons when pointed at, focused or pressed. Each press is a
// `run.vm` message (an action of the run's log, seen by every viewer); a refusal comes back in
// words. Viewers see the states and the reasons, with every control disabled.
import { h, uid } from "./dom.js";
import { formatTime } from "./format.js";
import { createSnapshotPanel } from "./snappanel.js";
import { LOOK, POWER, buttonsFor, changesFor } from "./vmstate.js";

export const VM_REASON = "controlling a VM is for the design's owner and editors";
// The design's nics[].mode -> VirtualBox's word for it in controlvm nicN (the select's options).
const MODE_WORD = { internal: "intnet" };
const NO_RUN = "No run yet: press Play (or Next event); the VM's state shows once the run starts.";

export function createVmPanel({ vms, canEdit, command, onPick = () => {} }) {
  let current = vms[0]?.id ?? null;
  let states = null; // the VmStates of the run (index.js), null before one
  const message = h("p", { className: "live-vm-message", role: "status", "aria-live": "polite" });
  const say = (text) => {
    message.textContent = text ?? "";
  };
  const pickerId = uid("live-vm");
  const picker = h("select", { id: pickerId, onchange: () => select(picker.value, { fromPicker: true }) },
    vms.map((vm) => h("option", { value: vm.id }, vm.name)));
  const badge = h("span", { className: "live-vm-state", dataset: { state: "" } });
  const where = h("span", { className: "live-muted" });
  const buttons = new Map(); // id -> {element, action, why}
  const powerRow = h("div", { className: "live-vm-buttons", role: "group", "aria-label": "Power" });
  const whyId = uid("live-vm-why");
  const why = h("p", { className: "live-vm-why", id: whyId });

  const refused = (text) => say(`Not possible now: ${text}`);
  const send = (label, action, params) => {
    if (!canEdit) return refused(`${VM_REASON}.`);
    const vm = current;
    command("run.vm", { node: vm, action, ...(params ? { params } : {}) }).then(
      (data) => say(`${label} of ${nameOf(vm)}: sent, it acts at ${formatTime(data?.t ?? 0)} (simulated time).`),
      (error) => say(error.code === "run.none" ? "No simulation is running: press Play first." : `Refused: ${error.message}`));
    return undefined;
  };

  const control = (label, onPress, { className } = {}) => {
    const el = h("button", { type: "button", className, "aria-describedby": whyId });
    el.textContent = label;
    const entry = { element: el, why: null };
    el.addEventListener("click", () => (entry.why ? refused(entry.why) : onPress()));
    const explain = () => {
      why.textContent = entry.why ? `${el.textContent}: ${entry.why}` : "";
    };
    el.addEventListener("mouseenter", explain);
    el.addEventListener("focus", explain);
    return entry;
  };
  const setEnabled = (entry, reason) => {
    const blocked = !canEdit ? `${VM_REASON}.` : reason;
    entry.why = blocked ?? null;
    // aria-disabled, not disabled: the button stays focusable and pointable, so it can say why.
    entry.element.setAttribute("aria-disabled", String(Boolean(blocked)));
    entry.element.title = blocked ? `Not now: ${blocked}` : "";
  };

  for (const b of buttonsFor("PoweredOff", "")) {
    const entry = control(b.label, () => send(entry.element.textContent, entry.action), { className: `live-vm-${b.id}` });
    entry.action = b.action;
    entry.element.dataset.control = b.id;
    buttons.set(b.id, entry);
    powerRow.append(entry.element);
  }

  // Hardware: NIC cables and attachments, the DVD drive (running or off), RAM and vCPUs (off).
  const nicsBox = h("div", { className: "live-vm-nics" });
  const dvdSelect = h("select", { "aria-label": "Disc for the DVD drive" },
    h("option", { value: "" }, "Empty (eject)"), POWER.isos.map((iso) => h("option", { value: iso }, iso.split("/").at(-1))));
  const dvdApply = control("Insert / eject", () => {
    const iso = dvdSelect.value;
    send(iso ? "Insert disc" : "Eject disc", "storageattach", { medium: iso || "emptydrive", type: "dvddrive",
      controller: "IDE", port: 1, device: 0 });
  });
  const dvdNote = h("span", { className: "live-muted" });
  const ramId = uid("live-vm-ram");
  const cpuId = uid("live-vm-cpus");
  const ram = h("input", { id: ramId, type: "number", min: POWER.ram_mb[0], max: POWER.ram_mb[1], step: 256, inputmode: "numeric" });
  const cpus = h("input", { id: cpuId, type: "number", min: POWER.vcpus[0], max: POWER.vcpus[1], step: 1, inputmode: "numeric" });
  const settingsApply = control("Apply RAM and vCPUs", () => {
    const params = { memory: Number.parseInt(ram.value, 10), cpus: Number.parseInt(cpus.value, 10) };
    if (!Number.isInteger(params.memory) || !Number.isInteger(params.cpus)) {
      say("RAM and vCPUs must be whole numbers.");
      return;
    }
    send("RAM and vCPUs", "modifyvm", params);
  });
  const settingsNote = h("span", { className: "live-muted" });
  const hardware = h("details", { className: "live-vm-hardware" }, // closed until wanted: it is tall
    h("summary", {}, "Hardware"),
    h("div", { className: "live-vm-hwrow" }, h("strong", {}, "NICs "), nicsBox),
    h("div", { className: "live-vm-hwrow" }, h("strong", {}, "DVD "), dvdSelect, dvdApply.element, dvdNote),
    h("div", { className: "live-vm-hwrow" }, h("label", { for: ramId }, "RAM (MB) "), ram, h("label", { for: cpuId }, " vCPUs "), cpus,
      settingsApply.element, settingsNote));
  const nicControls = new Map(); // nic name -> {cable, mode, apply}

  const snaps = createSnapshotPanel({ canEdit, reason: VM_REASON, say, send: (label, action, params) => send(label, action, params) });
  const body = h("div", { className: "live-vm-body" },
    h("div", { className: "live-vm-head" }, h("label", { for: pickerId }, "VM "), picker, badge, where),
    powerRow, why, message, hardware, snaps.element);
  const element = h("section", { className: "live-vms", "aria-label": "Virtual machines" },
    h("h3", {}, "Virtual machines"),
    canEdit ? null : h("p", { className: "live-note" }, `Read-only here: ${VM_REASON}.`),
    vms.length ? body : h("p", { className: "live-muted" }, "This design has no VM."));

  function nameOf(id) {
    return vms.find((v) => v.id === id)?.name ?? id;
  }

  function drawNics(row, changes) {
    const hw = row?.hardware ?? {};
    const names = hw.nics ?? [];
    const key = names.join(",");
    if (nicsBox.dataset.key !== key) {
      nicsBox.dataset.key = key;
      nicControls.clear();
      nicsBox.replaceChildren(...names.map((nic, i) => {
        const slot = i + 1;
        const cable = control("Disconnect cable", () => {
          const on = cable.element.dataset.on !== "true";
          send(on ? `Connect ${nic}'s cable` : `Disconnect ${nic}'s cable`, "setlinkstate", { nic: slot, on });
        });
        // The select shows the NIC's attachment now until the user picks another (data-picked).
        const mode = h("select", { "aria-label": `Attachment of ${nic}`, onchange: () => { mode.dataset.picked = "1"; } },
          POWER.modes.map((m) => h("option", { value: m }, m)));
        const net = h("input", { type: "text", size: 8, placeholder: "network", "aria-label": `Network name for ${nic}` });
        const apply = control("Attach", () => {
          delete mode.dataset.picked;
          send(`${nic} attached as ${mode.value}`, "nic",
            { nic: slot, mode: mode.value, ...(net.value.trim() ? { network: net.value.trim() } : {}) });
        });
        nicControls.set(nic, { cable, mode, net, apply });
        return h("span", { className: "live-vm-nic", dataset: { nic } }, h("span", {}, `${nic} `), cable.element, " ", mode, net, apply.element);
      }));
    }
    for (const nic of names) {
      const c = nicControls.get(nic);
      const on = hw.cables?.[nic] !== false;
      c.cable.element.dataset.on = String(on);
      c.cable.element.textContent = on ? `Disconnect cable` : `Connect cable`;
      setEnabled(c.cable, changes.cable);
      const att = hw.attachments?.[nic];
      if (att?.mode && !c.mode.dataset.picked) c.mode.value = MODE_WORD[att.mode] ?? att.mode;
      c.net.placeholder = att?.network ?? "network";
      const drawn = att?.drawn ? `${nic} is cabled by a link of the design: change it in the editor` : null;
      setEnabled(c.apply, changes.attachment ?? drawn);
      c.mode.disabled = c.net.disabled = Boolean(changes.attachment ?? drawn) || !canEdit;
    }
  }

  function draw() {
    if (!current) return;
    const state = states?.state(current) ?? null;
    const row = states?.row(current) ?? null;
    const name = nameOf(current);
    const look = LOOK[state];
    badge.dataset.state = state ?? "";
    badge.textContent = look ? `${look.symbol} ${look.label}` : "No run yet";
    badge.style.background = look?.colour ?? "";
    where.textContent = row ? `on ${row.host}${row.software_virtualization ? " · software virtualization (no VT-x)" : ""}`
      + `${row.guest ? ` · guest ${row.guest}` : ""}` : "";
    const list = state ? buttonsFor(state, name) : buttonsFor("PoweredOff", name).map((b) => ({ ...b, why: NO_RUN }));
    for (const b of list) {
      const entry = buttons.get(b.id);
      entry.action = b.action;
      entry.element.textContent = b.label;
      // "Pause vm1", not "Pause": the transport bar has its own Pause and Reset.
      entry.element.setAttribute("aria-label", `${b.label} ${name}`);
      setEnabled(entry, state ? b.why : NO_RUN);
    }
    const changes = state ? changesFor(state, name) : { settings: NO_RUN, cable: NO_RUN, attachment: NO_RUN, storage: NO_RUN };
    drawNics(row, changes);
    setEnabled(dvdApply, changes.storage);
    dvdSelect.disabled = Boolean(changes.storage) || !canEdit;
    dvdNote.textContent = row?.hardware ? ` now: ${row.hardware.dvd ? row.hardware.dvd.split("/").at(-1) : "empty"}` : "";
    setEnabled(settingsApply, changes.settings);
    ram.disabled = cpus.disabled = Boolean(changes.settings) || !canEdit;
    settingsNote.textContent = changes.settings ? ` ${changes.settings}` : "";
    if (row?.hardware && document.activeElement !== ram && document.activeElement !== cpus) {
      if (ram.dataset.vm !== current || ram.dataset.seen !== String(row.hardware.ram_mb)) ram.value = row.hardware.ram_mb;
      if (cpus.dataset.vm !== current || cpus.dataset.seen !== String(row.hardware.vcpus)) cpus.value = row.hardware.vcpus;
      ram.dataset.seen = String(row.hardware.ram_mb);
      cpus.dataset.seen = String(row.hardware.vcpus);
      ram.dataset.vm = cpus.dataset.vm = current;
    }
    if (why.textContent && !why.textContent.includes(":")) why.textContent = "";
    snaps.update(current, name, state ? row : null);
  }

  function select(id, { fromPicker = false } = {}) {
    if (!vms.some((v) => v.id === id)) return false;
    if (id !== current) {
      current = id;
      why.textContent = "";
      say("");
    }
    picker.value = id;
    draw();
    if (fromPicker) onPick(id);
    return true;
  }
  if (current) picker.value = current;
  draw();

  return {
    element,
    /** The run's VmStates changed (events or tables): redraw the VM in view. */
    update(vmStates) {
      states = vmStates;
      // A VM cloned during the run (created_in_run) can be picked too.
      for (const [id, vmRow] of vmStates?.rows ?? []) {
        if (vmRow.created_in_run && !vms.some((v) => v.id === id)) {
          vms.push({ id, name: id, kind: "vm" });
          picker.append(h("option", { value: id }, `${id} (clone)`));
        }
      }
      draw();
    },
    clear() {
      states = null;
      say("");
      draw();
    },
    select,
    current: () => current,
    /** The test hook: the VM in view, its state, each control's words and why it is disabled. */
    snapshot: () => ({
      vm: current,
      state: badge.dataset.state || null,
      controls: Object.fromEntries([...buttons].map(([id, e]) => [id, { label: e.element.textContent, why: e.why }])),
      message: message.textContent,
      snapshots: snaps.snapshot(),
    }),
  };
}
