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

/**
 * What a moving packet is called on the canvas: "DHCP OFFER", "ARP request", "ICMP echo reply",
 * "TCP SYN,ACK", "DNS query", "UDP port 9"… from its summary and protocol class. A tunnelled frame
 * (class VXLAN, the inner frame's summary) is "VXLAN: " and what it carries.
 */
export function packetLabel(summary, protocol = protocolOfFrame(summary)) {
  const text = String(summary ?? "");
  if (protocol === "VXLAN") {
    if (/^VXLAN/.test(text) || !text) return "VXLAN";
    return `VXLAN: ${packetLabel(text)}`;
  }
  let m = /^DHCP (\S+)/.exec(text);
  if (m) return `DHCP ${m[1].toUpperCase()}`;
  if (/^Who has /.test(text)) return "ARP request";
  if (/^\S+ is at /.test(text)) return "ARP reply";
  m = /^Echo \(ping\) (request|reply)/.exec(text);
  if (m) return `ICMP echo ${m[1]}`;
  m = /^(?:Destination unreachable|Time-to-live exceeded) \(([^)]+)\)/.exec(text);
  if (m) return `ICMP ${m[1].replace(/ in transit$/, "").toLowerCase()}`;
  if (/^Redirect/.test(text)) return "ICMP redirect";
  if (/^ICMP/.test(text)) return "ICMP";
  m = /\[([A-Z, ]+)\]/.exec(text);
  if (m && protocol === "TCP") return `TCP ${m[1].replace(/ /g, "")}`;
  if (/^Standard query response/.test(text)) return "DNS response";
  if (/^Standard query/.test(text)) return "DNS query";
  m = /^\d+ → (\d+) Len=/.exec(text);
  if (m) return `UDP port ${m[1]}`;
  if (/^Fragmented IP/.test(text)) return "IP fragment";
  m = /^\S+ → \S+ (\S+)$/.exec(text);
  if (m) return m[1];
  if (/^Ethernet/.test(text)) return "Ethernet";
  return protocol === "Other" ? "" : protocol;
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a, b) {
  const lum = (hex) => {
    const [r, g, b2] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour of a packet's name tag on its protocol's colour: white or black,
 * whichever contrasts more (each is ≥ 4.5:1, animcolors.test.js). */
export function tagTextColour(background) {
  return contrast(background, "#ffffff") >= contrast(background, "#000000") ? "#ffffff" : "#000000";
}
