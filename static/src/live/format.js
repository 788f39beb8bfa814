// Pure helpers of the live panels: simulated time as text, the protocol of an event (the event
// list's filter), the places an event touches on the canvas, and the hex dump of a frame.

/** Nanoseconds as seconds with millisecond precision: 1500000000 -> "1.500 s". */
export function formatTime(ns) {
  return `${(Number(ns || 0) / 1e9).toFixed(3)} s`;
}

export const PROTOCOLS = ["ARP", "DHCP", "ICMP", "TCP", "UDP", "DNS", "NAT", "VXLAN", "Switch", "IP", "Console", "Other"];

const FRAME_KINDS = new Set(["frame.sent", "frame.received", "switch.flooded", "switch.forwarded", "switch.filtered"]);

/** Whether the event carries a frame (the packet inspector can show it). */
export function isFrameEvent(event) {
  return FRAME_KINDS.has(event.kind) || "summary" in event || "frame" in event;
}

/** The protocol an event is about, one of PROTOCOLS. Frame events are classified by their
 * Wireshark-like summary (the stream is slim: no layers), the others by their kind. */
export function protocolOf(event) {
  const kind = event.kind ?? "";
  // A VXLAN event names the tunnelled frame's summary: it is about VXLAN, not the inner protocol.
  if (kind.startsWith("vxlan.")) return "VXLAN";
  if (event.summary !== undefined) return protocolOfSummary(event.summary);
  if (kind.startsWith("dhcp.")) return "DHCP";
  if (kind.startsWith("nat.")) return "NAT";
  if (kind.startsWith("tcp.")) return "TCP";
  if (kind === "arp.entry") return "ARP";
  if (kind.startsWith("switch.")) return "Switch";
  if (kind === "internet.answered") return "ICMP";
  if (kind === "ip.forwarded") return "IP";
  if (kind.startsWith("command.") || kind === "console.output") return "Console";
  if (kind === "packet.dropped") {
    const reason = event.reason ?? "";
    const head = reason.split(".")[0];
    return { arp: "ARP", icmp: "ICMP", udp: "UDP", nat: "NAT", vxlan: "VXLAN", ip: "IP", eth: "Switch", nic: "Other" }[head] ?? "Other";
  }
  return "Other";
}

const TUNNEL_MEMORY = 512;

/**
 * The protocol of each event of a stream, in seq order: protocolOf, plus the frames a distributed
 * switch tunnels. Their summary is the inner frame's (the underlay datagram to UDP 4789 says
 * "DHCP Discover …"), so alone they read as DHCP or ARP and the VXLAN filter showed none of them.
 * Order tells them apart: `vxlan.encapsulated` on host H with summary S comes just before the
 * `frame.sent` of S out of H; that frame's `frame.received` at the far end (same link and summary)
 * follows. Both are counted as VXLAN, as the packet animation colours them (animpath.js).
 */
export class ProtocolClassifier {
  constructor() {
    this.reset();
  }

  reset() {
    this.wrapped = new Map(); // `${host}|${summary}` -> frames waiting to leave the host
    this.inFlight = new Map(); // `${link}|${summary}` -> tunnelled frames on the underlay link
  }

  classify(event) {
    const kind = event?.kind ?? "";
    if (kind === "vxlan.encapsulated" && typeof event.host === "string") {
      take(this.wrapped, `${event.host}|${event.summary}`, +1);
    } else if (kind === "frame.sent" && take(this.wrapped, `${event.node}|${event.summary}`, -1)) {
      take(this.inFlight, `${event.link}|${event.summary}`, +1);
      return "VXLAN";
    } else if (kind === "frame.received" && take(this.inFlight, `${event.link}|${event.summary}`, -1)) {
      return "VXLAN";
    }
    return protocolOf(event ?? {});
  }
}

/** Adds `delta` to a count in `map`; a -1 on a missing key answers false (nothing to take). */
function take(map, key, delta) {
  const have = map.get(key) ?? 0;
  if (delta < 0 && have <= 0) return false;
  if (have + delta <= 0) map.delete(key);
  else map.set(key, have + delta);
  if (map.size > TUNNEL_MEMORY) map.delete(map.keys().next().value);
  return true;
}

export function protocolOfSummary(summary) {
  if (/^DHCP /.test(summary)) return "DHCP";
  if (/^Who has |^\S+ is at /.test(summary)) return "ARP";
  if (/^Echo \(ping\)|unreachable|Time-to-live|^ICMP|Redirect/i.test(summary)) return "ICMP";
  if (/\[(SYN|ACK|FIN|RST|PSH)/.test(summary)) return "TCP";
  if (/^Standard query/.test(summary)) return "DNS";
  if (/^VXLAN/.test(summary)) return "VXLAN";
  if (/ Len=\d+$|UDP/.test(summary)) return "UDP";
  return "Other";
}

/** The canvas elements an event happened at: nodes (its node, the other end, a VXLAN host) and
 * the link. Ids only; the caller keeps those that exist in the drawing. */
export function placesOf(event) {
  const nodes = [event.node, event.to_node, event.host].filter((x) => typeof x === "string");
  const links = [event.link].filter((x) => typeof x === "string");
  return { nodes: [...new Set(nodes)], links };
}

/** The devices an event names (for the device filter): its node and the other end. */
export function devicesOf(event) {
  return placesOf(event).nodes;
}

/** A hex dump like `xxd` / Wireshark's bytes pane: [{offset, hex, ascii}], 16 bytes a row. */
export function hexDump(hex) {
  const clean = String(hex ?? "").replace(/[^0-9a-f]/gi, "");
  const rows = [];
  for (let at = 0; at < clean.length; at += 32) {
    const chunk = clean.slice(at, at + 32);
    const bytes = chunk.match(/../g) ?? [];
    const pairs = bytes.map((b, i) => (i === 8 ? ` ${b}` : b)).join(" ");
    const ascii = bytes.map((b) => {
      const code = parseInt(b, 16);
      return code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : ".";
    }).join("");
    rows.push({ offset: (at / 2).toString(16).padStart(4, "0"), hex: pairs, ascii });
  }
  return rows;
}

/** A layer's human name in the inspector. */
export function layerTitle(layer) {
  const names = { ethernet: "Ethernet II", ipv4: "Internet Protocol Version 4", arp: "Address Resolution Protocol",
    icmp: "Internet Control Message Protocol", udp: "User Datagram Protocol", tcp: "Transmission Control Protocol",
    dhcp: "Dynamic Host Configuration Protocol", dns: "Domain Name System", vxlan: "Virtual eXtensible LAN" };
  const base = names[layer.proto] ?? String(layer.proto ?? "layer").toUpperCase();
  const bits = [];
  if (layer.src !== undefined && layer.dst !== undefined) bits.push(`Src: ${layer.src}, Dst: ${layer.dst}`);
  if (layer.sport !== undefined) bits.push(`Src Port: ${layer.sport}, Dst Port: ${layer.dport}`);
  if (layer.message_type) bits.push(`(${layer.message_type})`);
  if (layer.vni !== undefined) bits.push(`VNI ${layer.vni}`);
  return bits.length ? `${base}, ${bits.join(" ")}` : base;
}
