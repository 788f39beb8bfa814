// MAC addresses for new and pasted NICs: deterministic (no Math.random: the same edits give the
// same document, and tests can name the expected address) and never equal to a MAC already in
// the document, counting the ones simcore derives for NICs that give none.
//
// deriveMac is simcore.design.derive_mac, byte for byte (sha256 of "netdesigner-mac\0<node>\0<nic>"),
// so the properties panel can show the address the simulator will use. VMs get VirtualBox's OUI
// 08:00:27 (VirtualBox manual §6.1), every other kind 02:… (IEEE 802: locally administered
// unicast, the U/L bit set and the I/G bit clear), so no address claims a vendor it is not.

import { list } from "./json.js";

export const VIRTUALBOX_OUI = "08:00:27";

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/**
 * SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as 32 bytes. Synchronous on purpose: the
 * browser's crypto.subtle is async only, and a paste must finish in one command.
 */
export function sha256(text) {
  const data = new TextEncoder().encode(text);
  const bitLength = data.length * 8;
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let t = 0; t < 16; t += 1) w[t] = view.getUint32(offset + t * 4);
    for (let t = 16; t < 64; t += 1) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let t = 0; t < 64; t += 1) {
      const t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      k = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((word, i) => outView.setUint32(i * 4, word));
  return out;
}

function macFrom(digest, kind) {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(":");
  return kind === "vm" ? `${VIRTUALBOX_OUI}:${hex(digest.slice(0, 3))}` : `02:${hex(digest.slice(0, 5))}`;
}

// deriveMac is pure, and usedMacs asks it for every NIC without a MAC on each new NIC: remembered,
// a 10,000-node design costs map lookups instead of 10,000 hashes per edit. Bounded: cleared when full.
const derived = new Map();
const DERIVED_MAX = 200000;

/** The MAC simcore derives for a NIC that gives none (simcore.design.derive_mac). */
export function deriveMac(nodeId, nicName, kind) {
  const key = `${kind === "vm" ? "v" : "o"}\0${nodeId}\0${nicName}`;
  let mac = derived.get(key);
  if (mac === undefined) {
    mac = macFrom(sha256(`netdesigner-mac\0${nodeId}\0${nicName}`), kind);
    if (derived.size >= DERIVED_MAX) derived.clear();
    derived.set(key, mac);
  }
  return mac;
}

/** The MAC a NIC will have: its own (lower-cased), or the derived one. */
export function effectiveMac(node, nic) {
  return typeof nic.mac === "string" ? nic.mac.toLowerCase() : deriveMac(node.id, nic.name, node.kind);
}

/** Every MAC in the document, lower-cased, derived ones included. */
export function usedMacs(doc) {
  const used = new Set();
  for (const node of list(doc, "nodes")) {
    for (const nic of list(node, "nics")) used.add(effectiveMac(node, nic));
  }
  return used;
}

/**
 * A MAC for NIC `nicName` of a new node `nodeId` of `kind`, not in `used` (a Set, updated).
 * First choice: the address simcore would derive anyway; on a collision, the next derivation
 * of the same seed with a counter, so the answer depends only on the arguments.
 */
export function freshMac(used, kind, nodeId, nicName) {
  let mac = deriveMac(nodeId, nicName, kind);
  for (let attempt = 1; used.has(mac); attempt += 1) {
    mac = macFrom(sha256(`netdesigner-fresh-mac\0${nodeId}\0${nicName}\0${attempt}`), kind);
  }
  used.add(mac);
  return mac;
}
