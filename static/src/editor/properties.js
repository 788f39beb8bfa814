// The properties panel: a form for the selected node or link. Each field is checked as you type
// (fieldcheck.js: the document the edit would make, against the schema); an invalid value shows
// its error beside the field and is not saved. A valid value is saved when the field changes
// (Enter or leaving it), as one `property.set` command, so one edit is one undo step.

import { kindOf, setProperty } from "../model/index.js";
import { fieldErrors, schema } from "./fieldcheck.js";
import { contradiction, platformChoice, platformTypes } from "./platforms.js";
import { imageChoices } from "./images.js";
import { formatValue, fieldsOf, kindSchema, newRoute, newService, panelEntries, parseValue, serviceKinds } from "./schemafields.js";

// A port-forward rule's columns, in VirtualBox's order (Name, Protocol, Host IP, Host Port,
// Guest IP, Guest Port); host_ip empty means any address of the host.
const FORWARD_FIELDS = Object.freeze([
  ["name", "Name", "text"],
  ["proto", "Protocol", "proto"],
  ["host_ip", "Host IP", "text", "any"],
  ["host_port", "Host port", "int"],
  ["guest_ip", "Guest IP", "text"],
  ["guest_port", "Guest port", "int"],
]);

// The address choice of a NIC: its `ip` is "dhcp", a static CIDR, or absent.
const ADDRESS_MODES = Object.freeze([["dhcp", "DHCP"], ["static", "Static"], ["none", "None"]]);

function addressMode(ip) {
  if (ip === "dhcp") return "dhcp";
  return ip ? "static" : "none";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

let serial = 0;

// A host's tunnel endpoint for a distributed switch: its first statically addressed NIC, else its first.
function underlayOf(host) {
  const nics = host?.nics ?? [];
  return (nics.find((n) => typeof n.ip === "string" && n.ip.includes("/")) ?? nics[0])?.name;
}

export class PropertiesPanel {
  constructor(root, editor, { kinds, nat }) {
    this.nat = nat;
    this.root = root;
    this.editor = editor;
    this.kinds = kinds;
    this.selection = { nodes: [], links: [] };
    this.problems = [];
    this.problemsBox = null;
  }

  // The problems (ProblemsPanel's, with their targets) about the selected object, listed under
  // its title in the same words as the Problems panel. Refilled in place: a field being typed in
  // is never re-rendered by a check coming back.
  setProblems(problems) {
    this.problems = problems;
    this.fillProblems();
  }

  fillProblems() {
    const box = this.problemsBox;
    if (!box || !box.isConnected) return;
    const id = box.dataset.id;
    const mine = this.problems.filter((p) => (p.targets ?? []).includes(id));
    box.hidden = mine.length === 0;
    box.replaceChildren(...mine.map((p) => el("li", { "data-severity": p.severity ?? "error", "data-code": p.code, text: `${p.severity ?? "error"}: ${p.msg}` })));
  }

  problemList(id) {
    this.problemsBox = el("ul", { class: "node-problems", "data-id": id, "aria-label": "Problems of this object" });
    this.fillProblems();
    return this.problemsBox;
  }

  show(selection) {
    this.selection = selection;
    this.render();
  }

  render() {
    const focused = document.activeElement?.dataset?.path;
    const doc = this.editor.doc;
    this.root.replaceChildren();
    const { nodes, links } = this.selection;
    if (nodes.length === 1 && links.length === 0) {
      const index = doc.nodes.findIndex((n) => n.id === nodes[0]);
      if (index >= 0) this.renderNode(doc.nodes[index], index);
    } else if (links.length === 1 && nodes.length === 0) {
      const index = doc.links.findIndex((l) => l.id === links[0]);
      if (index >= 0) this.renderLink(doc.links[index], index);
    } else {
      this.root.append(el("p", { text: nodes.length + links.length ? `${nodes.length + links.length} objects selected.` : "Select a node or a link to edit it." }));
    }
    if (focused) this.root.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
  }

  // The kind's fields in the order its schema's `x-panel` gives (schemafields.panelEntries):
  // plain fields, an object's fields as a group, and the list sections (NICs, routes...).
  renderNode(node, index) {
    const kind = kindOf(this.kinds, node.kind);
    this.root.append(el("p", { text: `${kind.title} ${node.id}${node.host ? ` on ${node.host}` : ""}` }));
    this.root.append(this.problemList(node.id));
    const base = `nodes[${node.id}]`;
    const pointer = `/nodes/${index}`;
    this.root.append(this.field("Name", `${base}.name`, `${pointer}/name`, node.name ?? "", "text"));
    if (node.kind === "nat_network" && this.nat) {
      // View only (no command): the canvas shows the NAT network's switch, DHCP server and router.
      const open = this.nat.isExpanded(node.id);
      const toggle = el("button", { type: "button", "aria-pressed": String(open), "data-role": "nat-expand", text: "Show its parts (switch, DHCP server, router)" });
      toggle.addEventListener("click", () => this.nat.toggle(node.id));
      this.root.append(toggle);
    }
    for (const entry of panelEntries(schema, kind)) {
      if (entry.as === "field") this.root.append(this.specField(entry.spec, base, pointer, node, node));
      else if (entry.as === "group") {
        const set = el("fieldset", { class: "group", "data-key": entry.key }, el("legend", { text: entry.title }));
        for (const spec of entry.fields) set.append(this.specField(spec, `${base}.${entry.key}`, `${pointer}/${entry.key}`, node[entry.key] ?? {}, node));
        this.root.append(set);
      } else this.lists[entry.key].call(this, node, base, pointer);
    }
  }

  // One renderer per list section the schema's `x-panel` may name (schemafields.LIST_SECTIONS).
  get lists() {
    return {
      nics: this.renderNics,
      routes: this.renderRoutes,
      services: this.renderServices,
      members: this.renderMembers,
      port_forwards: this.renderForwards,
      disks: this.renderDisks,
    };
  }

  renderNics(node, base, pointer) {
    this.root.append(el("h3", { text: "Network interfaces" }));
    (node.nics ?? []).forEach((nic, j) => {
      const set = el("fieldset", {}, el("legend", { text: nic.name }));
      const nicPath = `${base}.nics[${nic.name}]`;
      set.append(this.field("MAC address", `${nicPath}.mac`, `${pointer}/nics/${j}/mac`, nic.mac ?? "", "text", "derived from the id when empty"));
      set.append(this.addressChoice(nic, `${nicPath}.ip`));
      set.append(this.field("Address (dhcp or CIDR)", `${nicPath}.ip`, `${pointer}/nics/${j}/ip`, nic.ip ?? "", "text", "dhcp or 192.168.1.10/24"));
      // The NIC's other fields (attachment mode, network name...) straight from the schema.
      for (const spec of fieldsOf(schema, schema.$defs.nic, ["name", "mac", "ip"])) {
        set.append(this.specField({ ...spec, label: `${spec.label} (${nic.name})` }, nicPath, `${pointer}/nics/${j}`, nic, node));
      }
      // VirtualBox's port forwarding is on the NIC in nat and natnetwork modes.
      if (nic.mode === "nat" || nic.mode === "natnetwork" || nic.port_forwards) {
        this.renderForwards(node, nicPath, `${pointer}/nics/${j}`, { into: set, nic });
      }
      const remove = el("button", { type: "button", text: `Remove ${nic.name}`, title: "Removes the NIC, its link and the routes through it" });
      remove.addEventListener("click", () => this.run("nic.remove", { node: node.id, nic: nic.name }));
      set.append(remove);
      this.root.append(set);
    });
    const add = el("button", { type: "button", text: "Add a NIC" });
    add.addEventListener("click", () => this.run("nic.add", { node: node.id }));
    this.root.append(add);
  }

  // Services: one fieldset per service with its kind's fields from the schema (an HTTP server's
  // port and page, a DHCP server's NIC, range, router, DNS...); "Add a service" appends a valid
  // one of the chosen kind and "Remove" drops it, each one property.set of the list (one undo step).
  renderServices(node, base, pointer) {
    const services = node.services ?? [];
    const listPath = `${base}.services`;
    const kinds = serviceKinds(schema);
    this.root.append(el("h3", { text: "Services" }));
    services.forEach((service, j) => {
      const title = kinds.find((k) => k.kind === service.kind)?.title ?? service.kind;
      const set = el("fieldset", { class: "service", "data-kind": service.kind }, el("legend", { text: `${title} ${j + 1}` }));
      const spec = kinds.find((k) => k.kind === service.kind)?.schema ?? {};
      for (const f of fieldsOf(schema, spec, ["kind"])) {
        set.append(this.specField({ ...f, label: `${f.label} (service ${j + 1})` }, `${listPath}[${j}]`, `${pointer}/services/${j}`, service, node));
      }
      const remove = el("button", { type: "button", text: `Remove service ${j + 1}` });
      remove.addEventListener("click", () => {
        const rest = services.filter((_, k) => k !== j);
        this.run("property.set", { path: listPath, value: rest.length ? rest : null });
      });
      set.append(remove);
      this.root.append(set);
    });
    const id = `prop-${++serial}`;
    const choice = el("select", { id }, ...kinds.map((k) => el("option", { value: k.kind, text: k.title })));
    const add = el("button", { type: "button", text: "Add a service" });
    add.addEventListener("click", () => this.run("property.set", { path: listPath, value: [...services, newService(schema, node, choice.value)] }));
    this.root.append(el("div", { class: "field add-row" }, el("label", { for: id, text: "New service kind" }), choice, add));
  }

  // A distributed switch's members: a host (a select of the design's hosts) and its underlay NIC
  // (a select of that host's NICs). The schema wants at least one member: the last has no Remove.
  renderMembers(node, base, pointer) {
    const members = Array.isArray(node.members) ? node.members : [];
    const listPath = `${base}.members`;
    const hosts = this.editor.doc.nodes.filter((n) => n.kind === "host");
    this.root.append(el("h3", { text: "Hosts it spans" }));
    members.forEach((member, j) => {
      const set = el("fieldset", { class: "member" }, el("legend", { text: `Member ${j + 1}` }));
      const hostIds = hosts.map((h) => h.id);
      if (member.host && !hostIds.includes(member.host)) hostIds.push(member.host);
      // A new host comes with its own underlay NIC (its first statically addressed one), in one step.
      const commit = (host) => {
        const nic = underlayOf(hosts.find((h) => h.id === host));
        this.run("property.set", { path: `${listPath}[${j}]`, value: { host, underlay: nic ?? member.underlay } });
      };
      set.append(this.field(`Host (member ${j + 1})`, `${listPath}[${j}].host`, `${pointer}/members/${j}/host`, member.host ?? "", "choice", undefined, hostIds, { commit }));
      const nics = (hosts.find((h) => h.id === member.host)?.nics ?? []).map((n) => n.name);
      if (member.underlay && !nics.includes(member.underlay)) nics.push(member.underlay);
      set.append(this.field(`Underlay NIC (member ${j + 1})`, `${listPath}[${j}].underlay`, `${pointer}/members/${j}/underlay`, member.underlay ?? "", "choice", undefined, nics));
      if (members.length > 1) {
        const remove = el("button", { type: "button", text: `Remove member ${j + 1}` });
        remove.addEventListener("click", () => this.run("property.set", { path: listPath, value: members.filter((_, k) => k !== j) }));
        set.append(remove);
      }
      this.root.append(set);
    });
    const spare = hosts.find((h) => !members.some((m) => m.host === h.id));
    const add = el("button", { type: "button", text: "Add a host to span", disabled: !spare, title: spare ? null : "Every host of the design is a member already" });
    add.addEventListener("click", () => {
      this.run("property.set", { path: listPath, value: [...members, { host: spare.id, underlay: underlayOf(spare) ?? "eth0" }] });
    });
    this.root.append(add);
  }

  // Static routes: to / via / device rows, added and removed like services.
  renderRoutes(node, base, pointer) {
    const routes = node.routes ?? [];
    const listPath = `${base}.routes`;
    this.root.append(el("h3", { text: "Static routes" }));
    routes.forEach((route, j) => {
      const set = el("fieldset", { class: "route" }, el("legend", { text: `Route ${j + 1}` }));
      for (const f of fieldsOf(schema, schema.$defs.route)) {
        set.append(this.specField({ ...f, label: `${f.label} (route ${j + 1})` }, `${listPath}[${j}]`, `${pointer}/routes/${j}`, route, node));
      }
      const remove = el("button", { type: "button", text: `Remove route ${j + 1}` });
      remove.addEventListener("click", () => {
        const rest = routes.filter((_, k) => k !== j);
        this.run("property.set", { path: listPath, value: rest.length ? rest : null });
      });
      set.append(remove);
      this.root.append(set);
    });
    const add = el("button", { type: "button", text: "Add a route" });
    add.addEventListener("click", () => this.run("property.set", { path: listPath, value: [...routes, newRoute(node)] }));
    this.root.append(add);
  }

  // A VM's disk images (VirtualBox's SATA ports in order): rows from the schema's disk item, added
  // and removed like routes. No disks listed means the default one disk, so removing the last is allowed.
  renderDisks(node, base, pointer) {
    const disks = node.disks ?? [];
    const listPath = `${base}.disks`;
    const item = schema.$defs.kind_vm.properties.disks.items;
    this.root.append(el("h3", { text: "Disks" }));
    disks.forEach((disk, j) => {
      const set = el("fieldset", { class: "route" }, el("legend", { text: `Disk ${j + 1}` }));
      for (const f of fieldsOf(schema, item)) {
        set.append(this.specField({ ...f, label: `${f.label} (disk ${j + 1})` }, `${listPath}[${j}]`, `${pointer}/disks/${j}`, disk, node));
      }
      const remove = el("button", { type: "button", text: `Remove disk ${j + 1}` });
      remove.addEventListener("click", () => {
        const rest = disks.filter((_, k) => k !== j);
        this.run("property.set", { path: listPath, value: rest.length ? rest : null });
      });
      set.append(remove);
      this.root.append(set);
    });
    const add = el("button", { type: "button", text: "Add a disk" });
    const taken = new Set(disks.map((d) => d.name));
    let n = disks.length + 1;
    while (taken.has(`disk${n}`)) n += 1;
    add.addEventListener("click", () => this.run("property.set", { path: listPath, value: [...disks, { name: `disk${n}` }] }));
    this.root.append(add);
  }

  // A field generated from a schema field spec (schemafields.js) for key `spec.key` of `obj`.
  specField(spec, basePath, basePointer, obj, node) {
    const value = formatValue(spec, obj?.[spec.key]);
    // A required field that has a value offers no "(not set)": choosing it could never be saved.
    const blank = spec.required && value !== "" ? [] : [""];
    let options;
    if (spec.type === "enum") options = [...blank, ...spec.options.map(String)];
    else if (spec.type === "bool") options = [...blank, "true", "false"];
    else if (spec.type === "nic") {
      // A kind without NICs of its own (a virtual switch's "bridged to", a NAT network's uplink)
      // names a NIC of its host; the current value stays listed even when the host lost that NIC,
      // so the select never silently shows another one.
      const owner = kindSchema(schema, node.kind).properties?.nics ? node : this.editor.doc.nodes.find((n) => n.id === node.host);
      options = [...blank, ...(owner?.nics ?? []).map((n) => n.name)];
      if (value && !options.includes(value)) options.push(value);
    }
    if (node.kind === "host" && spec.key === "platform" && obj === node) spec = { ...spec, commit: (v) => this.setPlatform(node, v) };
    const wrap = this.field(spec.label, `${basePath}.${spec.key}`, `${basePointer}/${spec.key}`, value, options ? "choice" : spec.type, spec.placeholder, options, spec);
    if (spec.choices) wrap.append(...this.choiceHelp(spec, obj?.[spec.key], node, obj));
    if (node.kind === "container" && spec.key === "image") this.imagePicker(wrap, node);
    return wrap;
  }

  // The sentence or two on the chosen value (a platform, a hypervisor type, a NIC mode) from the
  // schema's x-choices, and for a host the contradiction when its platform is not that type.
  choiceHelp(spec, value, node, obj) {
    const out = [];
    const chosen = spec.choices.find((c) => c.value === value);
    if (chosen) {
      let text = chosen.description;
      if (spec.key === "platform") text += ` Hypervisor type: ${platformTypes(value)}.`;
      out.push(el("p", { class: "field-help", "data-help": spec.key, text }));
    }
    if (node.kind === "host" && obj === node && spec.key === "hypervisor_type") {
      const note = contradiction(node.platform, node.hypervisor_type);
      if (note) out.push(el("p", { class: "field-help field-warning", role: "status", "data-help": "contradiction", text: `${note} The design check warns about it too.` }));
    }
    return out;
  }

  // Choosing a platform that is only ever one type (VirtualBox: 2; Xen, Hyper-V: 1) sets the type
  // too, in the same undo step; VMware and KVM keep what the host has.
  setPlatform(node, value) {
    const types = platformChoice(value)?.types ?? [];
    this.editor.begin("Platform");
    try {
      this.run("property.set", { path: `nodes[${node.id}].platform`, value });
      if (types.length === 1 && node.hypervisor_type !== types[0]) this.run("property.set", { path: `nodes[${node.id}].hypervisor_type`, value: types[0] });
    } finally {
      this.editor.end();
    }
  }

  // A container's image: free text with the registries' images as suggestions (images.js), those
  // that run on its host's kernel first.
  imagePicker(wrap, node) {
    const input = wrap.querySelector("input");
    if (!input) return;
    const host = this.editor.doc.nodes.find((n) => n.id === node.host);
    const list = el("datalist", { id: `${input.id}-images` }, ...imageChoices(host?.os ?? "linux").map((c) => el("option", { value: c.ref, label: c.label })));
    input.setAttribute("list", list.id);
    wrap.append(list);
  }

  // DHCP / Static / None as radio buttons: DHCP and None are one click (one property.set);
  // Static keeps the current static address, or focuses the address field to type one (nothing
  // is saved until it is a valid CIDR).
  addressChoice(nic, path) {
    const group = el("fieldset", { class: "address-mode" }, el("legend", { text: `${nic.name} address` }));
    const name = `addr-${++serial}`;
    const now = addressMode(nic.ip);
    for (const [mode, label] of ADDRESS_MODES) {
      const id = `${name}-${mode}`;
      const radio = el("input", { type: "radio", id, name, value: mode, checked: mode === now });
      radio.addEventListener("change", () => {
        if (mode === "dhcp") this.run("property.set", { path, value: "dhcp" });
        else if (mode === "none") this.run("property.set", { path, value: null });
        else {
          // Only reached from DHCP or None (a static NIC has Static checked already).
          const input = this.root.querySelector(`input[type=text][data-path="${CSS.escape(path)}"]`);
          if (input) {
            input.value = "";
            input.focus();
          }
        }
      });
      group.append(el("label", { for: id }, radio, document.createTextNode(` ${label}`)));
    }
    return group;
  }

  // Port forwards as rows of six fields; add and remove each rewrite the list in one
  // property.set, so each is one undo step.
  // `into`: where the rows go (the panel, or a NIC's fieldset); `nic`: a NIC's rules (nat or
  // natnetwork mode), whose guest IP may stay empty (the NIC's own address, VirtualBox's 10.0.2.15).
  renderForwards(node, base, pointer, { into = this.root, nic = null } = {}) {
    const owner = nic ?? node;
    const rules = owner.port_forwards ?? [];
    const listPath = `${base}.port_forwards`;
    const suffix = nic ? ` (${nic.name})` : "";
    into.append(el(nic ? "h4" : "h3", { text: `Port forwards${suffix}` }));
    rules.forEach((rule, j) => {
      const set = el("fieldset", { class: "forward" }, el("legend", { text: `Rule ${rule.name || j + 1}${suffix}` }));
      for (const [key, label, type, placeholder] of FORWARD_FIELDS) {
        const fieldLabel = nic ? `${label} (${nic.name} rule ${j + 1})` : label;
        const hint = nic && key === "guest_ip" ? "the NIC's address" : placeholder;
        set.append(this.field(fieldLabel, `${listPath}[${j}].${key}`, `${pointer}/port_forwards/${j}/${key}`, rule[key] ?? "", type, hint));
      }
      const remove = el("button", { type: "button", text: `Remove rule ${rule.name || j + 1}${suffix}` });
      remove.addEventListener("click", () => {
        const rest = rules.filter((_, k) => k !== j);
        this.run("property.set", { path: listPath, value: rest.length ? rest : null });
      });
      set.append(remove);
      into.append(set);
    });
    const add = el("button", { type: "button", text: `Add a port forward${suffix}` });
    add.addEventListener("click", () => {
      const rule = this.newForward(node, rules);
      if (nic) delete rule.guest_ip;
      this.run("property.set", { path: listPath, value: [...rules, rule] });
    });
    into.append(add);
  }

  // A valid starting rule (ssh to the first leased address), so the list is never saved invalid.
  newForward(node, rules) {
    const taken = new Set(rules.map((r) => r.name));
    let n = rules.length + 1;
    while (taken.has(`rule${n}`)) n += 1;
    const ports = new Set(rules.map((r) => r.host_port));
    let port = 2222;
    while (ports.has(port)) port += 1;
    const guest = node.dhcp?.range_start ?? String(node.gateway ?? "10.0.2.2/24").split("/")[0].replace(/\.\d+$/, ".15");
    return { name: `rule${n}`, proto: "tcp", host_port: port, guest_ip: guest, guest_port: 22 };
  }

  renderLink(link, index) {
    const end = (e) => (e.nic ? `${e.node}:${e.nic}` : e.node);
    this.root.append(el("p", { text: `Link ${link.id}: ${end(link.a)} – ${end(link.b)}` }));
    this.root.append(this.problemList(link.id));
    this.root.append(this.field("Delay (µs)", `links[${link.id}].delay_us`, `/links/${index}/delay_us`, link.delay_us ?? "", "int"));
  }

  field(label, path, pointer, value, type, placeholder, options, spec) {
    const id = `prop-${++serial}`;
    const errorId = `${id}-error`;
    const wrap = el("div", { class: "field" });
    const choices = type === "proto" ? ["tcp", "udp"] : type === "choice" ? options : null;
    const title = (p) => spec?.choices?.find((c) => String(c.value) === p)?.title ?? p;
    const placeholderText = (p) => (p ? title(p) : spec?.placeholder !== undefined ? `(default: ${spec.placeholder})` : "(not set)");
    const input = choices
      ? el("select", { id, "data-path": path, "aria-describedby": errorId }, ...choices.map((p) => el("option", { value: p, text: placeholderText(p), selected: p === value })))
      : el("input", { id, type: "text", value, placeholder, "data-path": path, "aria-describedby": errorId, inputmode: type === "int" ? "numeric" : null, autocomplete: "off", spellcheck: "false" });
    const error = el("div", { id: errorId, class: "field-error", "aria-live": "polite" });
    wrap.append(el("label", { for: id, text: label }), input, error);
    const parse = () => {
      const raw = input.value.trim();
      if (raw === "") return null;
      if (spec) return parseValue(spec, raw);
      if (type === "int") return /^-?\d+$/.test(raw) ? Number(raw) : raw;
      return raw;
    };
    const check = () => {
      let messages;
      try {
        const next = setProperty(this.kinds, this.editor.doc, path, parse());
        messages = fieldErrors(next, pointer);
      } catch (e) {
        messages = [e.message];
      }
      error.textContent = messages.join(" ");
      input.setAttribute("aria-invalid", messages.length ? "true" : "false");
      return messages.length === 0;
    };
    input.addEventListener("input", check);
    input.addEventListener("change", () => {
      if (!check()) return;
      if (spec?.commit) spec.commit(parse());
      else this.run("property.set", { path, value: parse() });
    });
    return wrap;
  }

  run(name, args) {
    try {
      this.editor.run(name, args);
    } catch (e) {
      this.root.querySelector(".field-error")?.replaceChildren(e.message);
    }
  }
}
