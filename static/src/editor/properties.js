// The properties panel: a form for the selected node or link. Each field is checked as you type
// (fieldcheck.js: the document the edit would make, against the schema); an invalid value shows
// its error beside the field and is not saved. A valid value is saved when the field changes
// (Enter or leaving it), as one `property.set` command, so one edit is one undo step.

import { setProperty } from "../model/index.js";
import { fieldErrors } from "./fieldcheck.js";

const PLATFORMS = ["", "virtualbox", "vmware", "xen", "hyperv", "kvm"];

// Fields per kind: [key, label, type]; "int" fields hold integers (empty removes the field).
const KIND_FIELDS = Object.freeze({
  host: [["platform", "Platform", "platform"], ["cpu_cores", "CPU cores", "int"], ["ram_mb", "RAM (MB)", "int"]],
  vm: [["guest_os", "Guest OS", "text"], ["vcpus", "vCPUs", "int"], ["ram_mb", "RAM (MB)", "int"]],
  container: [["image", "Image", "text"]],
  // Dotted keys reach into objects (dhcp.range_start); "uplink" is a select of the host's NICs.
  nat_network: [
    ["gateway", "Gateway (CIDR)", "text", "10.0.2.2/24"],
    ["gateway_mac", "Gateway MAC", "text", "derived when empty"],
    ["uplink", "Uplink", "uplink"],
    ["dhcp.range_start", "DHCP range start", "text", "10.0.2.15"],
    ["dhcp.range_end", "DHCP range end", "text", "10.0.2.50"],
    ["dhcp.lease_s", "Lease time (s)", "int", "3600"],
  ],
});

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

function dig(object, dotted) {
  return dotted.split(".").reduce((value, key) => (value && typeof value === "object" ? value[key] : undefined), object);
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

export class PropertiesPanel {
  constructor(root, editor, { kinds }) {
    this.root = root;
    this.editor = editor;
    this.kinds = kinds;
    this.selection = { nodes: [], links: [] };
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

  renderNode(node, index) {
    const kind = this.kinds.find((k) => k.kind === node.kind);
    this.root.append(el("p", { text: `${kind?.title ?? node.kind} ${node.id}${node.host ? ` on ${node.host}` : ""}` }));
    const base = `nodes[${node.id}]`;
    const pointer = `/nodes/${index}`;
    this.root.append(this.field("Name", `${base}.name`, `${pointer}/name`, node.name ?? "", "text"));
    for (const [key, label, type, placeholder] of KIND_FIELDS[node.kind] ?? []) {
      const options = type === "uplink" ? this.uplinkChoices(node) : undefined;
      this.root.append(this.field(label, `${base}.${key}`, `${pointer}/${key.replaceAll(".", "/")}`, dig(node, key) ?? "", type, placeholder, options));
    }
    if (node.kind === "nat_network") this.renderForwards(node, base, pointer);
    if (Array.isArray(node.nics)) {
      this.root.append(el("h3", { text: "Network interfaces" }));
      node.nics.forEach((nic, j) => {
        const set = el("fieldset", {}, el("legend", { text: nic.name }));
        const nicPath = `${base}.nics[${nic.name}]`;
        set.append(this.field("MAC address", `${nicPath}.mac`, `${pointer}/nics/${j}/mac`, nic.mac ?? "", "text", "derived from the id when empty"));
        set.append(this.addressChoice(nic, `${nicPath}.ip`));
        set.append(this.field("Address (dhcp or CIDR)", `${nicPath}.ip`, `${pointer}/nics/${j}/ip`, nic.ip ?? "", "text", "dhcp or 192.168.1.10/24"));
        const remove = el("button", { type: "button", text: `Remove ${nic.name}`, title: "Removes the NIC, its link and the routes through it" });
        remove.addEventListener("click", () => this.run("nic.remove", { node: node.id, nic: nic.name }));
        set.append(remove);
        this.root.append(set);
      });
      const add = el("button", { type: "button", text: "Add a NIC" });
      add.addEventListener("click", () => this.run("nic.add", { node: node.id }));
      this.root.append(add);
    }
    if (Array.isArray(node.services) && node.services.length) {
      this.root.append(el("h3", { text: "Services" }));
      node.services.forEach((service, j) => {
        this.root.append(this.field(`${service.kind} port`, `${base}.services[${j}].port`, `${pointer}/services/${j}/port`, service.port ?? "", "int"));
      });
    }
  }

  // The host's NIC names for a NAT network's uplink; the current value stays listed even when the
  // host lost that NIC, so the select never silently shows another one.
  uplinkChoices(node) {
    const host = this.editor.doc.nodes.find((n) => n.id === node.host);
    const names = (host?.nics ?? []).map((nic) => nic.name);
    if (node.uplink && !names.includes(node.uplink)) names.unshift(node.uplink);
    return names;
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
  renderForwards(node, base, pointer) {
    const rules = node.port_forwards ?? [];
    const listPath = `${base}.port_forwards`;
    this.root.append(el("h3", { text: "Port forwards" }));
    rules.forEach((rule, j) => {
      const set = el("fieldset", { class: "forward" }, el("legend", { text: `Rule ${rule.name || j + 1}` }));
      for (const [key, label, type, placeholder] of FORWARD_FIELDS) {
        set.append(this.field(label, `${listPath}[${j}].${key}`, `${pointer}/port_forwards/${j}/${key}`, rule[key] ?? "", type, placeholder));
      }
      const remove = el("button", { type: "button", text: `Remove rule ${rule.name || j + 1}` });
      remove.addEventListener("click", () => {
        const rest = rules.filter((_, k) => k !== j);
        this.run("property.set", { path: listPath, value: rest.length ? rest : null });
      });
      set.append(remove);
      this.root.append(set);
    });
    const add = el("button", { type: "button", text: "Add a port forward" });
    add.addEventListener("click", () => this.run("property.set", { path: listPath, value: [...rules, this.newForward(node, rules)] }));
    this.root.append(add);
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
    this.root.append(this.field("Delay (µs)", `links[${link.id}].delay_us`, `/links/${index}/delay_us`, link.delay_us ?? "", "int"));
  }

  field(label, path, pointer, value, type, placeholder, options) {
    const id = `prop-${++serial}`;
    const errorId = `${id}-error`;
    const wrap = el("div", { class: "field" });
    const choices = type === "platform" ? PLATFORMS : type === "proto" ? ["tcp", "udp"] : type === "uplink" ? options : null;
    const input = choices
      ? el("select", { id, "data-path": path, "aria-describedby": errorId }, ...choices.map((p) => el("option", { value: p, text: p || "(not set)", selected: p === value })))
      : el("input", { id, type: "text", value, placeholder, "data-path": path, "aria-describedby": errorId, inputmode: type === "int" ? "numeric" : null, autocomplete: "off", spellcheck: "false" });
    const error = el("div", { id: errorId, class: "field-error", "aria-live": "polite" });
    wrap.append(el("label", { for: id, text: label }), input, error);
    const parse = () => {
      const raw = input.value.trim();
      if (raw === "") return null;
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
      if (check()) this.run("property.set", { path, value: parse() });
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
