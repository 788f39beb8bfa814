// The packet animation's colours: one per protocol class, the same in both themes (they are drawn
// over the canvas, whose background follows the theme, so they are mid-tone and saturated).
// Pure data and functions: unit-tested with `node --test` (animcolors.test.js).

/** The classes the animation colours by, in legend order. */
export const ANIM_PROTOCOLS = ["ARP", "DHCP", "ICMP", "TCP", "UDP", "VXLAN", "Other"];

export const ANIM_COLOURS = Object.freeze({
  ARP: "#e8590c",
  DHCP: "#2f9e44",
  ICMP: "#1c7ed6",
  TCP: "#ae3ec9",
  UDP: "#0c8599",
  VXLAN: "#d6336c",
  Other: "#868e96",
});

/**
 * The protocol class of a frame from its Wireshark-like summary (the stream is slim: no decoded
 * layers). The innermost protocol that a student would name wins: a DHCP message is DHCP, not UDP;
 * a DNS query is UDP. A VXLAN datagram whose inner frame could not be decoded says "VXLAN VNI n";
 * one that could is recognised by the overlay from the `vxlan.encapsulated` event before it.
 */
export function protocolOfFrame(summary) {
  const text = String(summary ?? "");
  if (/^DHCP /.test(text)) return "DHCP";
  if (/^Who has |^\S+ is at /.test(text)) return "ARP";
  if (/^Echo \(ping\)|unreachable|Time-to-live|^ICMP|Redirect/i.test(text)) return "ICMP";
  if (/\[(SYN|ACK|FIN|RST|PSH|URG)/.test(text)) return "TCP";
  if (/^VXLAN/.test(text)) return "VXLAN";
  if (/^Standard query| Len=\d+$|\bUDP\b/.test(text)) return "UDP";
  return "Other";
}

/** The colour of a protocol class (Other for anything unknown). */
export function colourOf(protocol) {
  return ANIM_COLOURS[protocol] ?? ANIM_COLOURS.Other;
}
