// Trace events -> what the packet animation draws (pure: no DOM, no Cytoscape; animpath.test.js).
//
// Every hop of a frame is one `frame.sent` event (docs/trace-events.md): `node` sent it out of
// `nic` or switch `port` onto `link`, towards `to_node`, arriving at `arrives`. So one dot per
// `frame.sent`, moving from `node` to `to_node` along the drawn edge of `link`, shows the
// direction; a switch flooding a broadcast emits one `frame.sent` per port it floods to, so the
// fan-out is those dots, flagged `fanout` when a `switch.flooded` of the same frame came just
// before (and the switch itself pulses). A frame on a link the canvas does not draw (the bridge
// between a NAT network's switch and its host's stack) travels between the two drawn ends when
// they are apart, and pulses the inner node when one holds the other. A frame tunnelled by a
// distributed switch is coloured VXLAN: the `vxlan.encapsulated` event names the host and the
// inner frame's summary, which the underlay `frame.sent` from that host repeats. Every dot carries
// its `label` (animcolors.js packetLabel: "DHCP OFFER", "ARP request", "VXLAN: ICMP echo reply").
//
// The drawing is read through a small `graph` interface, so this runs on plain objects in tests:
//   hasEdge(id), edgeEnds(id) -> {source, target} | null, hasNode(id), parentOf(id) -> id | null,
//   edgeAt(node, nic) -> edge id | null (the edge whose end at `node` is labelled `nic`).
import { packetLabel, protocolOfFrame } from "./animcolors.js";

const VXLAN_MEMORY = 512;

export class EventPlanner {
  constructor(graph) {
    this.graph = graph;
    this.floods = new Map(); // switch id -> {t, summary, left}
    this.tunnelled = new Map(); // `${host}|${summary}` -> frames waiting to leave the host
  }

  reset() {
    this.floods.clear();
    this.tunnelled.clear();
  }

  /** What to draw for one event: a list of {kind: "dot" | "pulse", ...} (often empty). */
  plan(event) {
    if (!event || typeof event !== "object") return [];
    switch (event.kind) {
      case "frame.sent":
        return this.#sent(event);
      case "switch.flooded":
        return this.#flooded(event);
      case "vxlan.encapsulated":
        this.#remember(event);
        return [];
      case "packet.dropped":
        // A frame sent out of a NIC with no cable is lost right there.
        return event.reason === "nic.no_link" ? this.#pulse(event.node, protocolOfFrame(event.summary), event.t, "lost") : [];
      default:
        return [];
    }
  }

  #flooded(event) {
    const outs = Array.isArray(event.out_ports) ? event.out_ports.length : 0;
    if (typeof event.node === "string") this.floods.set(event.node, { t: event.t, summary: event.summary, left: outs });
    return this.#pulse(event.node, protocolOfFrame(event.summary), event.t, "flood");
  }

  #remember(event) {
    if (typeof event.host !== "string") return;
    const key = `${event.host}|${event.summary}`;
    this.tunnelled.set(key, (this.tunnelled.get(key) ?? 0) + 1);
    if (this.tunnelled.size > VXLAN_MEMORY) this.tunnelled.delete(this.tunnelled.keys().next().value);
  }

  #protocol(event) {
    const key = `${event.node}|${event.summary}`;
    const waiting = this.tunnelled.get(key);
    if (waiting) {
      if (waiting > 1) this.tunnelled.set(key, waiting - 1);
      else this.tunnelled.delete(key);
      return "VXLAN";
    }
    return protocolOfFrame(event.summary);
  }

  #fanout(event) {
    const flood = this.floods.get(event.node);
    if (!flood || flood.left <= 0 || flood.t !== event.t || flood.summary !== event.summary) return false;
    flood.left -= 1;
    return true;
  }

  #sent(event) {
    const g = this.graph;
    const protocol = this.#protocol(event);
    const label = packetLabel(event.summary, protocol);
    const fanout = this.#fanout(event);
    const simNs = Number.isFinite(event.arrives) && Number.isFinite(event.t) ? Math.max(0, event.arrives - event.t) : 0;
    const edge = this.#edgeOf(event);
    const from = g.hasNode(event.node) ? event.node : null;
    if (edge) {
      const ends = g.edgeEnds(edge);
      const to = g.hasNode(event.to_node) ? event.to_node : null;
      // Towards to_node; else away from node; else as drawn.
      let forward = true;
      if (to === ends.source || (to !== ends.target && from === ends.target)) forward = false;
      return [{ kind: "dot", edge, from: forward ? ends.source : ends.target, to: forward ? ends.target : ends.source, protocol, label, fanout, t: event.t, simNs }];
    }
    const to = g.hasNode(event.to_node) ? event.to_node : null;
    if (from && to && from !== to && !this.#within(from, to) && !this.#within(to, from)) {
      return [{ kind: "dot", edge: null, from, to, protocol, label, fanout, t: event.t, simNs }];
    }
    // Nested ends (a NAT network inside its host) or one end not drawn: pulse the inner one.
    const inner = from && to && this.#within(to, from) ? to : (from ?? to);
    return this.#pulse(inner, protocol, event.t, "inside");
  }

  #edgeOf(event) {
    const g = this.graph;
    if (typeof event.link === "string" && g.hasEdge(event.link)) return event.link;
    if (typeof event.node === "string" && typeof event.nic === "string") return g.edgeAt(event.node, event.nic);
    return null;
  }

  /** Whether `inner` is drawn inside `outer` (at any depth). */
  #within(inner, outer) {
    let at = this.graph.parentOf(inner);
    for (let depth = 0; at && depth < 16; depth += 1) {
      if (at === outer) return true;
      at = this.graph.parentOf(at);
    }
    return false;
  }

  #pulse(node, protocol, t, why) {
    if (typeof node !== "string" || !this.graph.hasNode(node)) return [];
    return [{ kind: "pulse", node, protocol, t, why }];
  }
}
