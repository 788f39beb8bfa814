// Shared by the model's tests: the real design schema and examples, a deep freeze (any mutation
// of an input then throws, ES modules being strict), the document invariants the model promises,
// and a tiny seeded PRNG (mulberry32) so random tests replay exactly.

import { readFileSync } from "node:fs";
import { kindsFromSchema, kindOf } from "../kinds.js";

const root = new URL("../../../../", import.meta.url);

export function readJson(relative) {
  return JSON.parse(readFileSync(new URL(relative, root), "utf8"));
}

export const schema = readJson("simcore/design/schema.json");
export const kinds = kindsFromSchema(schema);

/** A deep-frozen copy of examples/<name>.json. */
export function example(name) {
  return deepFreeze(readJson(`examples/${name}.json`));
}

export function deepFreeze(value) {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** mulberry32: a 32-bit seeded PRNG, returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MAC = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;

/** Every broken invariant of `doc`, as sentences (empty: the document is sound). */
export function problems(doc) {
  const out = [];
  const nodes = new Map();
  const macs = new Set();
  for (const node of doc.nodes) {
    if (!ID.test(node.id)) out.push(`bad node id ${node.id}`);
    if (nodes.has(node.id)) out.push(`duplicate node id ${node.id}`);
    nodes.set(node.id, node);
    const names = new Set();
    for (const nic of node.nics ?? []) {
      if (names.has(nic.name)) out.push(`duplicate NIC ${node.id}.${nic.name}`);
      names.add(nic.name);
      if (nic.mac !== undefined) {
        if (!MAC.test(nic.mac)) out.push(`bad MAC ${nic.mac}`);
        if (macs.has(nic.mac.toLowerCase())) out.push(`duplicate MAC ${nic.mac}`);
        macs.add(nic.mac.toLowerCase());
      }
    }
    for (const route of node.routes ?? []) {
      if (route.dev !== undefined && !names.has(route.dev)) out.push(`route of ${node.id} through missing ${route.dev}`);
    }
  }
  for (const node of doc.nodes) {
    const kind = kindOf(kinds, node.kind);
    if (node.host !== undefined) {
      const host = nodes.get(node.host);
      if (!host || !kind.placedOn.includes(host.kind)) out.push(`${node.id} placed on ${node.host}`);
    } else if (kind.placementRequired) out.push(`${node.id} has no host`);
  }
  const linkIds = new Set();
  const plugged = new Set();
  for (const link of doc.links ?? []) {
    if (linkIds.has(link.id)) out.push(`duplicate link id ${link.id}`);
    linkIds.add(link.id);
    for (const end of [link.a, link.b]) {
      const node = nodes.get(end.node);
      if (!node) {
        out.push(`link ${link.id} to missing node ${end.node}`);
        continue;
      }
      if (kindOf(kinds, node.kind).isSwitch) {
        if (end.nic !== undefined) out.push(`link ${link.id} names a NIC on switch ${end.node}`);
        continue;
      }
      if (!(node.nics ?? []).some((nic) => nic.name === end.nic)) out.push(`link ${link.id} to missing NIC ${end.node}.${end.nic}`);
      const key = `${end.node}\0${end.nic}`;
      if (plugged.has(key)) out.push(`NIC ${end.node}.${end.nic} on two links`);
      plugged.add(key);
    }
    if (link.a.node === link.b.node) out.push(`link ${link.id} loops on ${link.a.node}`);
  }
  for (const capture of doc.captures ?? []) {
    if (capture.link !== undefined) {
      if (!linkIds.has(capture.link)) out.push(`capture on missing link ${capture.link}`);
    } else if (!(nodes.get(capture.node)?.nics ?? []).some((nic) => nic.name === capture.nic)) {
      out.push(`capture on missing NIC ${capture.node}.${capture.nic}`);
    }
  }
  for (const step of doc.script ?? []) {
    if (!nodes.has(step.node)) out.push(`script step on missing node ${step.node}`);
  }
  return out;
}
