// The packet inspector: a frame event's layers (Ethernet, ARP, IPv4, ICMP, UDP, TCP, DHCP with its
// options, DNS, VXLAN and the inner frame) as an expandable tree of <details>, and its bytes as a
// hex dump (offset, hex, ASCII). The stream is slim: `load(seq)` fetches the full event
// (`event.detail`) when the one picked has no layers.
import { h } from "./dom.js";
import { formatTime, hexDump, isFrameEvent, layerTitle } from "./format.js";

export function createInspector({ load }) {
  const body = h("div", { className: "live-inspector-body" }, h("p", {}, "Pick a packet in the event list to see its layers and bytes."));
  const element = h("section", { className: "live-inspector", "aria-label": "Packet inspector" }, body);
  let current = 0;

  const show = async (event) => {
    const mine = ++current;
    if (!isFrameEvent(event)) {
      body.replaceChildren(h("p", {}, `${formatTime(event.t)} · ${event.kind}: ${event.text ?? ""}`),
        h("p", { className: "live-muted" }, "This event carries no packet."));
      return;
    }
    let full = event;
    if (!event.layers) {
      body.replaceChildren(h("p", { "aria-busy": "true" }, `Loading packet #${event.seq}…`));
      try {
        full = await load(event.seq);
      } catch (error) {
        if (mine === current) body.replaceChildren(h("p", { role: "alert" }, `Packet #${event.seq} cannot be shown: ${error.message}`));
        return;
      }
    }
    if (mine !== current) return; // the user picked another one meanwhile
    render(full);
  };

  const render = (event) => {
    const layers = event.layers ?? [];
    const heading = h("h3", {}, `Packet #${event.seq} at ${formatTime(event.t)}: ${event.summary ?? ""}`);
    // Past a VXLAN header come the tunnelled frame's own layers: say they are the inner ones.
    const tunnel = layers.findIndex((layer) => layer.proto === "vxlan");
    const title = (layer, i) => (tunnel >= 0 && i > tunnel ? `Inner: ${layerTitle(layer)}` : layerTitle(layer));
    const tree = h("div", { className: "live-layers", role: "group", "aria-label": "Layers, outermost first" },
      layers.map((layer, i) => h("details", { open: true, className: "live-layer", dataset: { proto: layer.proto ?? "", index: i } },
        h("summary", {}, title(layer, i)), fields(layer))));
    const rows = hexDump(event.frame);
    const dump = h("pre", { className: "live-hexdump", "aria-label": `Frame bytes (${(event.frame ?? "").length / 2} bytes) as hex and ASCII`, tabindex: "0" },
      rows.map((r) => h("span", { className: "live-hexrow" }, h("span", { className: "live-hexoff" }, r.offset), "  ",
        r.hex.padEnd(48, " "), "  ", h("span", { className: "live-hexascii" }, r.ascii), "\n")));
    body.replaceChildren(heading, h("p", {}, event.text ?? ""), tree, h("h4", {}, "Bytes"), dump);
  };

  return { element, show };
}

/** A layer's (or a nested object's) fields as a list; objects and arrays nest as <details>. */
function fields(value) {
  const entries = Array.isArray(value) ? value.map((v, i) => [optionLabel(v, i), v]) : Object.entries(value).filter(([k]) => k !== "proto");
  return h("ul", { className: "live-fields" }, entries.map(([key, v]) => {
    if (v && typeof v === "object") {
      if (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object")) {
        return h("li", {}, h("span", { className: "live-field" }, `${key}: `), v.join(", ") || "(none)");
      }
      return h("li", {}, h("details", { open: key === "options" }, h("summary", {}, summaryOf(key, v)), fields(v)));
    }
    return h("li", {}, h("span", { className: "live-field" }, `${key}: `), v === null ? "—" : String(v));
  }));
}

// A DHCP option is {code, name, value}: shown as "Option (53) message_type: Discover".
function optionLabel(v, i) {
  if (v && typeof v === "object" && "code" in v && "name" in v) return `Option (${v.code}) ${v.name}`;
  return String(i);
}

function summaryOf(key, v) {
  if (v && typeof v === "object" && "code" in v && "name" in v) {
    const shown = Array.isArray(v.value) ? v.value.join(", ") : v.value;
    return `${key}: ${shown}`;
  }
  if (Array.isArray(v)) return `${key} (${v.length})`;
  return key;
}
