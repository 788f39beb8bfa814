// A host's platform and hypervisor type, and a NIC's VirtualBox mode, in words: read from the
// design schema's `x-choices` (simcore/design/schema.json, the one place these facts live; the
// Python twin is simcore/design/platforms.py). Pure: no DOM, tested with `node --test`.

import schema from "../../../simcore/design/schema.json" with { type: "json" };

const HOST = schema.$defs.kind_host.properties;

/** The `x-choices` entries of a property schema: [{value, title, description, ...facts}] (or []). */
export function choicesOf(prop) {
  return Array.isArray(prop?.["x-choices"]) ? prop["x-choices"] : [];
}

function choice(prop, value) {
  return choicesOf(prop).find((c) => c.value === value) ?? null;
}

export const platformChoice = (value) => choice(HOST.platform, value);
export const typeChoice = (value) => choice(HOST.hypervisor_type, value);
export const modeChoice = (value) => choice(schema.$defs.nic.properties.mode, value);

/** RAM (MB) the host OS of a type 2 host keeps for itself (0 for type 1 or no type). */
export function hostOsReserve(host) {
  return typeChoice(host?.hypervisor_type)?.host_os_mb ?? 0;
}

/** The sentence when `platform` is not a `type` hypervisor (VirtualBox as type 1), else null. */
export function contradiction(platform, type) {
  const p = platformChoice(platform);
  if (!p || !typeChoice(type) || p.types.includes(type)) return null;
  return `${p.title} is not a type ${type} hypervisor: it is type ${p.types.join(" or ")}.`;
}

/** A platform's hypervisor type(s) in words: "2", "1 or 2", KVM's "debated (1 or 2)". */
export function platformTypes(platform) {
  const p = platformChoice(platform);
  if (!p) return "";
  const types = p.types.join(" or ");
  return p.debated ? `debated (${types})` : types;
}

/** The sentences the panel shows for a host: its platform, its type, a contradiction. */
export function explainHost(host) {
  const out = [];
  const p = platformChoice(host?.platform);
  if (p) out.push(p.description);
  const t = typeChoice(host?.hypervisor_type);
  if (t) out.push(t.description);
  const note = contradiction(host?.platform, host?.hypervisor_type);
  if (note) out.push(note);
  return out;
}

/**
 * The host's line on the drawing: friendly platform, type, CPU and RAM, e.g.
 * "Oracle VirtualBox · type 2 · 4 CPU · 8192 MB RAM"; "" when none of them is set.
 */
export function hostSummary(host) {
  const parts = [];
  const p = platformChoice(host?.platform);
  if (p) parts.push(p.title);
  if (typeChoice(host?.hypervisor_type)) parts.push(`type ${host.hypervisor_type}`);
  if (Number.isInteger(host?.cpu_cores)) parts.push(`${host.cpu_cores} CPU`);
  if (Number.isInteger(host?.ram_mb)) parts.push(`${host.ram_mb} MB RAM`);
  return parts.join(" · ");
}

const OS_WORDS = { linux: "Linux", windows: "Windows", macos: "macOS", bsd: "BSD" };

/**
 * A type 2 host's OS under its hypervisor, as drawn inside the host: "Host OS (Linux): 2048 MB of
 * 8192 MB RAM", or null for a host that is not type 2.
 */
export function hostOsLine(host) {
  const reserve = hostOsReserve(host);
  if (!reserve) return null;
  const os = OS_WORDS[host.os] ? ` (${OS_WORDS[host.os]})` : "";
  const of = Number.isInteger(host.ram_mb) ? ` of ${host.ram_mb} MB` : "";
  return `Host OS${os} keeps ${reserve} MB${of} RAM`;
}

/** A NIC's mode as VirtualBox names it ("NAT", "Bridged Adapter"), or "" when it has none. */
export function modeTitle(mode) {
  return modeChoice(mode)?.title ?? "";
}
