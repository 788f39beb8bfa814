import assert from "node:assert/strict";
import { test } from "node:test";
import { ANIM_COLOURS, ANIM_PROTOCOLS, colourOf, contrast, packetLabel, protocolOfFrame, tagTextColour } from "./animcolors.js";

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

test("a packet's label on the canvas says what it is", () => {
  const cases = [
    ["DHCP Discover - Transaction ID 0x42485e3a", undefined, "DHCP DISCOVER"],
    ["DHCP Offer - Transaction ID 0x42485e3a", undefined, "DHCP OFFER"],
    ["DHCP ACK - Transaction ID 0x42485e3a", undefined, "DHCP ACK"],
    ["Who has 10.0.2.15? Tell 10.0.2.2", undefined, "ARP request"],
    ["10.0.2.2 is at 02:00:00:00:02:02", undefined, "ARP reply"],
    ["Echo (ping) request id=0xf8cb, seq=1/256, ttl=64", undefined, "ICMP echo request"],
    ["Echo (ping) reply id=0xf8cb, seq=1/256, ttl=64", undefined, "ICMP echo reply"],
    ["Destination unreachable (Port unreachable)", undefined, "ICMP port unreachable"],
    ["Time-to-live exceeded (Time to live exceeded in transit)", undefined, "ICMP time to live exceeded"],
    ["51000 → 8080 [SYN] Seq=0 Win=64240 Len=0 MSS=1460", undefined, "TCP SYN"],
    ["8080 → 51000 [SYN, ACK] Seq=0 Ack=1 Win=64240 Len=0", undefined, "TCP SYN,ACK"],
    ["Standard query 0x1234 A example.com", undefined, "DNS query"],
    ["Standard query response 0x1234 A example.com A 93.184.216.34", undefined, "DNS response"],
    ["40000 → 9 Len=12", undefined, "UDP port 9"],
    ["VXLAN VNI 100", undefined, "VXLAN"],
    // A tunnelled frame: the overlay knows it is VXLAN; its summary is the inner frame's.
    ["DHCP Discover - Transaction ID 0x67a9c378", "VXLAN", "VXLAN: DHCP DISCOVER"],
    ["Ethernet II, type 0x88cc", undefined, "Ethernet"],
  ];
  for (const [summary, protocol, want] of cases) assert.equal(packetLabel(summary, protocol), want, summary);
});

test("a packet's name tag is readable on every protocol colour (contrast at least 4.5:1)", () => {
  for (const [protocol, colour] of Object.entries(ANIM_COLOURS)) {
    const ratio = contrast(colour, tagTextColour(colour));
    assert.ok(ratio >= 4.5, `${protocol} ${colour}: ${ratio.toFixed(2)}`);
  }
  assert.equal(tagTextColour("#000000"), "#ffffff");
});
