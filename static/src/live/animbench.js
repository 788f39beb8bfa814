// A bench and test page's script, never part of static/dist (esbuild.config.mjs does not list it):
// bench/animation.py and tests/browser/test_live_overlay.py bundle it on the fly. It draws the
// page's #design-document read-only on #bench-canvas with the editor's own `mount`, lays the packet
// overlay over it and exposes `window.animBench`: the overlay, and a feeder of synthetic frame
// events at a given rate. Nothing here can change a saved design (there is no server behind it).
import { mount } from "../editor/main.js";
import { createOverlay } from "./overlay.js";

const SUMMARIES = [
  "Who has 10.0.0.2? Tell 10.0.0.1",
  "10.0.0.2 is at 08:00:27:00:00:02",
  "DHCP Request - Transaction ID 0x1234",
  "Echo (ping) request id=0x0001, seq=1/256, ttl=64",
  "Echo (ping) reply id=0x0001, seq=1/256, ttl=64",
  "51000 → 80 [ACK] Seq=1 Ack=1 Win=64240 Len=0",
  "40000 → 53 Len=32",
  "VXLAN VNI 100",
];

/** A small deterministic PRNG (mulberry32), so every run feeds the same events. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic live batches: `rate` events per second in 20 batches a second (the server's tick),
 * frame.sent on random links in both directions, and every 20th event a broadcast flooded by a
 * switch out of all its other ports (one switch.flooded + one frame.sent per port).
 */
export function makeFeeder(doc, overlay, { seed = 7 } = {}) {
  const random = prng(seed);
  const links = (doc.links ?? []).filter((l) => l.a?.node && l.b?.node);
  const ports = new Map();
  for (const l of links) for (const end of [l.a, l.b]) if (!end.nic) ports.set(end.node, [...(ports.get(end.node) ?? []), l]);
  const switches = [...ports.keys()];
  let seq = 0;
  let t = 0;
  let timer = null;
  let fed = 0;
  const batch = (count) => {
    const events = [];
    while (events.length < count) {
      t += 50_000;
      const summary = SUMMARIES[Math.floor(random() * SUMMARIES.length)];
      if (switches.length && seq % 20 === 19) {
        const sw = switches[Math.floor(random() * switches.length)];
        const all = ports.get(sw);
        const inLink = all[Math.floor(random() * all.length)];
        const outs = all.filter((l) => l !== inLink);
        const b = "Who has 10.0.0.9? Tell 10.0.0.1";
        events.push({ seq: ++seq, t, kind: "switch.flooded", node: sw, port: 1, out_ports: outs.map((_, i) => i + 2), link: inLink.id, mac: "ff:ff:ff:ff:ff:ff", why: "broadcast", summary: b });
        for (const l of outs) {
          const other = l.a.node === sw ? l.b : l.a;
          events.push({ seq: ++seq, t, kind: "frame.sent", node: sw, port: 2, link: l.id, to_node: other.node, arrives: t + 50_000, summary: b });
        }
        continue;
      }
      const l = links[Math.floor(random() * links.length)];
      const [from, to] = random() < 0.5 ? [l.a, l.b] : [l.b, l.a];
      events.push({ seq: ++seq, t, kind: "frame.sent", node: from.node, ...(from.nic ? { nic: from.nic } : { port: 1 }), link: l.id, to_node: to.node, arrives: t + 50_000, summary });
    }
    fed += events.length;
    overlay.play(events);
  };
  return {
    start(rate) {
      this.stop();
      const perTick = Math.max(1, Math.round(rate / 20));
      timer = setInterval(() => batch(perTick), 50);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    batch,
    get fed() {
      return fed;
    },
  };
}

const container = document.getElementById("bench-canvas");
if (container) {
  const doc = JSON.parse(document.getElementById("design-document").textContent);
  const cy = mount(container);
  const overlay = createOverlay(cy);
  const feeder = makeFeeder(doc, overlay);
  window.animBench = Object.freeze({ cy, overlay, feeder });
}
