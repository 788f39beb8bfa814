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
});

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
    for (const [key, label, type] of KIND_FIELDS[node.kind] ?? []) {
      this.root.append(this.field(label, `${base}.${key}`, `${pointer}/${key}`, node[key] ?? "", type));
    }
    if (Array.isArray(node.nics)) {
      this.root.append(el("h3", { text: "Network interfaces" }));
      node.nics.forEach((nic, j) => {
        const set = el("fieldset", {}, el("legend", { text: nic.name }));
        const nicPath = `${base}.nics[${nic.name}]`;
        set.append(this.field("MAC address", `${nicPath}.mac`, `${pointer}/nics/${j}/mac`, nic.mac ?? "", "text", "derived from the id when empty"));
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

  renderLink(link, index) {
    const end = (e) => (e.nic ? `${e.node}:${e.nic}` : e.node);
    this.root.append(el("p", { text: `Link ${link.id}: ${end(link.a)} – ${end(link.b)}` }));
    this.root.append(this.field("Delay (µs)", `links[${link.id}].delay_us`, `/links/${index}/delay_us`, link.delay_us ?? "", "int"));
  }

  field(label, path, pointer, value, type, placeholder) {
    const id = `prop-${++serial}`;
    const errorId = `${id}-error`;
    const wrap = el("div", { class: "field" });
    const input = type === "platform"
      ? el("select", { id, "data-path": path, "aria-describedby": errorId }, ...PLATFORMS.map((p) => el("option", { value: p, text: p || "(not set)", selected: p === value })))
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
