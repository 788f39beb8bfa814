// What a new node of a kind needs to be valid at once, beyond id, kind, placement and NICs.
// Most kinds need nothing; a few have required fields that refer to other objects (a NAT
// network's uplink is a NIC of its host; a distributed switch spans hosts), so the palette fills
// them from the design as it is: the user gets a working object to adjust, never an invalid one.

import { findNode, list, q } from "./json.js";

/** Why a node of `kind` cannot be added to `doc` now (a sentence), or null when it can. */
export function missingPrerequisite(doc, kind, hostId) {
  if (kind === "nat_network") {
    const host = hostId ? findNode(doc, hostId) : null;
    if (host && !firstNic(host)) return `a NAT network masquerades out of a NIC of its host: give ${q(host.id)} a NIC first`;
  }
  if (kind === "distributed_switch" && !spannableHosts(doc).length) {
    return "a distributed switch spans hosts joined by an underlay: add a host with a NIC first";
  }
  return null;
}

/** The fields a new `node` (already with id, kind, host, nics) gets so that it is valid. */
export function requiredDefaults(doc, node) {
  if (node.kind === "nat_network") {
    const host = findNode(doc, node.host);
    const nic = host ? firstNic(host) : null;
    if (!nic) throw new RangeError(missingPrerequisite(doc, "nat_network", node.host) ?? `unknown host ${q(node.host)}`);
    const n = freeNatSubnet(doc);
    return {
      gateway: `10.0.${n}.2/24`,
      uplink: nic,
      dhcp: { range_start: `10.0.${n}.15`, range_end: `10.0.${n}.50`, lease_s: 3600 },
    };
  }
  if (node.kind === "distributed_switch") {
    const hosts = spannableHosts(doc);
    if (!hosts.length) throw new RangeError(missingPrerequisite(doc, "distributed_switch"));
    return { vni: freeVni(doc), members: hosts.map((host) => ({ host: host.id, underlay: firstNic(host) })) };
  }
  return {};
}

/**
 * `doc` with the uplink NIC of NAT network `nat` given a static address when it has none: the
 * router masquerades to that address, so a NAT network dropped on a fresh host runs at once. The
 * address is the first free one of 203.0.113.0/24 (TEST-NET-3, as in examples/nat-dhcp.json); a
 * NIC that already has an address or "dhcp" is the user's choice and stays as it is.
 */
export function withUplinkAddress(doc, nat) {
  const host = findNode(doc, nat.host);
  const nic = host && list(host, "nics").find((n) => n.name === nat.uplink);
  if (!nic || nic.ip !== undefined) return doc;
  const used = new Set(list(doc, "nodes").flatMap((node) => list(node, "nics").map((n) => String(n.ip ?? "").split("/")[0])));
  let last = 2;
  while (used.has(`203.0.113.${last}`) && last < 254) last += 1;
  const nics = host.nics.map((n) => (n === nic ? { ...n, ip: `203.0.113.${last}/24` } : n));
  return { ...doc, nodes: list(doc, "nodes").map((node) => (node === host ? { ...host, nics } : node)) };
}

/**
 * `doc` after NIC `nicName` of VM `vmId` was put in VirtualBox's NAT or NAT Network mode: the NAT
 * engine sends the VM's traffic on from its host's address, so a host with no statically addressed
 * NIC gets one on its first NIC without an address (the first free address of 203.0.113.0/24,
 * TEST-NET-3, as a NAT network's uplink does). A host with an address, or with every NIC set
 * (an address or "dhcp", the user's choice), stays as it is.
 */
export function withNatHostAddress(doc, vmId, nicName) {
  const vm = findNode(doc, vmId);
  const mode = list(vm ?? {}, "nics").find((n) => n.name === nicName)?.mode;
  if (mode !== "nat" && mode !== "natnetwork") return doc;
  const host = findNode(doc, vm.host);
  if (!host || list(host, "nics").some((n) => /\/\d+$/.test(String(n.ip ?? "")))) return doc;
  const nic = list(host, "nics").find((n) => n.ip === undefined);
  if (!nic) return doc;
  const used = new Set(list(doc, "nodes").flatMap((node) => list(node, "nics").map((n) => String(n.ip ?? "").split("/")[0])));
  let last = 2;
  while (used.has(`203.0.113.${last}`) && last < 254) last += 1;
  const nics = host.nics.map((n) => (n === nic ? { ...n, ip: `203.0.113.${last}/24` } : n));
  return { ...doc, nodes: list(doc, "nodes").map((node) => (node === host ? { ...host, nics } : node)) };
}

/**
 * `doc` after link `link` was drawn: when one end is the Internet and the other a NIC with a static
 * address, the Internet's NIC (if it has no address) takes a free address of that subnet and the
 * other node (if it has no default route) routes by default through it. So "wire the host to the
 * Internet" is all a teacher does for a NAT network's VMs to ping out; what is already set stays.
 */
export function addressInternetLink(doc, link) {
  const [inet, other] = [link.a, link.b].map((end) => ({ end, node: findNode(doc, end.node) }))
    .sort((x, y) => Number(y.node?.kind === "internet") - Number(x.node?.kind === "internet"));
  if (inet.node?.kind !== "internet" || other.node?.kind === "internet" || !other.end.nic) return doc;
  const inetNic = list(inet.node, "nics").find((n) => n.name === inet.end.nic);
  const otherNic = list(other.node, "nics").find((n) => n.name === other.end.nic);
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/24$/.exec(String(otherNic?.ip ?? ""));
  if (!inetNic || inetNic.ip !== undefined || !m) return doc;
  const used = new Set(list(doc, "nodes").flatMap((node) => list(node, "nics").map((n) => String(n.ip ?? "").split("/")[0])));
  const prefix = `${m[1]}.${m[2]}.${m[3]}`;
  let last = 1;
  while (used.has(`${prefix}.${last}`) && last < 254) last += 1;
  const gateway = `${prefix}.${last}`;
  const nodes = list(doc, "nodes").map((node) => {
    if (node === inet.node) {
      return { ...node, nics: node.nics.map((n) => (n === inetNic ? { ...n, ip: `${gateway}/24` } : n)) };
    }
    if (node === other.node && !list(node, "routes").some((r) => r.to === "default")) {
      return { ...node, routes: [...list(node, "routes"), { to: "default", via: gateway }] };
    }
    return node;
  });
  return { ...doc, nodes };
}

function firstNic(node) {
  const nics = Array.isArray(node.nics) ? node.nics : [];
  return nics.length && typeof nics[0].name === "string" ? nics[0].name : null;
}

function spannableHosts(doc) {
  return list(doc, "nodes").filter((node) => node.kind === "host" && firstNic(node));
}

// 10.0.2.0/24 is VirtualBox's NAT subnet; further NAT networks take 10.0.3.0/24, 10.0.4.0/24...
function freeNatSubnet(doc) {
  const used = new Set();
  for (const node of list(doc, "nodes")) {
    const m = node.kind === "nat_network" && /^10\.0\.(\d+)\./.exec(String(node.gateway ?? ""));
    if (m) used.add(Number(m[1]));
  }
  let n = 2;
  while (used.has(n) && n < 255) n += 1;
  return n;
}

function freeVni(doc) {
  const used = new Set(list(doc, "nodes").filter((node) => node.kind === "distributed_switch").map((node) => node.vni));
  let vni = 100;
  while (used.has(vni)) vni += 1;
  return vni;
}

// ---- Keeping references to hosts and their NICs true ------------------------------------------
// A NAT network's `uplink`, a virtual switch's `bridged_to` and a distributed switch's
// `members[].underlay` name NICs of hosts. When such a NIC is renamed they follow it; when it (or
// its host) goes away: `bridged_to` is dropped (the switch becomes internal), a member leaves the
// distributed switch, and a NAT network moves to another NIC of its host. An object left with
// nothing to stand on (a distributed switch with no member, a NAT network whose host has no NIC
// left) is returned in `orphans` for the caller to delete, with its links, as one edit.

/** `doc` with references to NIC `from` of `hostId` renamed to `to` (null: the NIC is gone). */
export function followHostNic(doc, hostId, from, to) {
  const orphans = [];
  let changed = false;
  const host = findNode(doc, hostId);
  const nodes = list(doc, "nodes").map((node) => {
    if (node.kind === "nat_network" && node.host === hostId && node.uplink === from) {
      const other = to ?? (host ? list(host, "nics").map((n) => n.name).find((name) => name !== from) : undefined);
      changed = true;
      if (other === undefined) {
        orphans.push(node.id);
        return node;
      }
      return { ...node, uplink: other };
    }
    if (node.kind === "vswitch" && node.host === hostId && node.bridged_to === from) {
      changed = true;
      if (to === null) {
        const { bridged_to: _gone, ...rest } = node;
        return rest;
      }
      return { ...node, bridged_to: to };
    }
    if (node.kind === "distributed_switch" && list(node, "members").some((m) => m.host === hostId && m.underlay === from)) {
      changed = true;
      const members = to === null
        ? node.members.filter((m) => !(m.host === hostId && m.underlay === from))
        : node.members.map((m) => (m.host === hostId && m.underlay === from ? { ...m, underlay: to } : m));
      if (!members.length) orphans.push(node.id);
      return { ...node, members };
    }
    return node;
  });
  return { doc: changed ? { ...doc, nodes } : doc, orphans };
}

/** `doc` with hosts `gone` left by every distributed switch; switches left with none are orphans. */
export function leaveHosts(doc, gone) {
  const orphans = [];
  let changed = false;
  const nodes = list(doc, "nodes").map((node) => {
    if (node.kind !== "distributed_switch" || !list(node, "members").some((m) => gone.has(m.host))) return node;
    changed = true;
    const members = node.members.filter((m) => !gone.has(m.host));
    if (!members.length) orphans.push(node.id);
    return { ...node, members };
  });
  return { doc: changed ? { ...doc, nodes } : doc, orphans };
}
