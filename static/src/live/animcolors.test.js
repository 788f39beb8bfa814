import assert from "node:assert/strict";
import { test } from "node:test";
import { ANIM_COLOURS, ANIM_PROTOCOLS, colourOf, protocolOfFrame } from "./animcolors.js";

test("summaries of the engine's frames map to the seven classes", () => {
  const cases = {
    "DHCP Discover - Transaction ID 0x42485e3a": "DHCP",
    "DHCP ACK - Transaction ID 0x42485e3a": "DHCP",
    "Who has 10.0.2.15? Tell 10.0.2.2": "ARP",
    "10.0.2.2 is at 02:00:00:00:02:02": "ARP",
    "Echo (ping) request id=0xf8cb, seq=1/256, ttl=64": "ICMP",
    "Destination unreachable (Port unreachable)": "ICMP",
    "51000 → 8080 [SYN] Seq=0 Win=64240 Len=0 MSS=1460": "TCP",
    "8080 → 51000 [RST, ACK] Seq=1 Ack=1 Win=0 Len=0": "TCP",
    "VXLAN VNI 100": "VXLAN",
    "Standard query 0x1234 A example.com": "UDP",
    "40000 → 9 Len=12": "UDP",
    "Ethernet II, type 0x88cc": "Other",
  };
  for (const [summary, want] of Object.entries(cases)) assert.equal(protocolOfFrame(summary), want, summary);
  assert.equal(protocolOfFrame(undefined), "Other");
});

test("every class has a distinct colour and unknown classes fall back to Other", () => {
  assert.deepEqual(Object.keys(ANIM_COLOURS).sort(), [...ANIM_PROTOCOLS].sort());
  assert.equal(new Set(Object.values(ANIM_COLOURS)).size, ANIM_PROTOCOLS.length);
  assert.equal(colourOf("DHCP"), ANIM_COLOURS.DHCP);
  assert.equal(colourOf("Gopher"), ANIM_COLOURS.Other);
});
