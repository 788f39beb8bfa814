// What the editor says right after a wire is drawn, when it is probably not what was meant: a VM
// (or container) wired to something outside its host. A real VM has no cable of its own: its NIC
// reaches the world through its host (a NAT network, a virtual switch, a bridged or NAT mode), so
// a link from a VM straight to the Internet or another machine usually means the wire was meant
// to start at the host's own box (its handle). Pure: tested with `node --test`.

function byId(doc) {
  return new Map((doc.nodes ?? []).map((n) => [n.id, n]));
}

const nameOf = (node) => (typeof node?.name === "string" && node.name.trim() ? node.name : node?.id);

// Whether `other` is inside (or is, or spans) the host `hostId` of a guest.
function onHost(other, hostId) {
  if (!other) return false;
  if (other.id === hostId || other.host === hostId) return true;
  return other.kind === "distributed_switch" && (other.members ?? []).some((m) => m?.host === hostId);
}

/**
 * The warning for link `link` just added to `doc` (`before`: the document before it), or null:
 * "vm1 is wired to internet1, outside its host host1 ...", saying also when the wire gave the VM a
 * new NIC.
 */
export function outsideHostWarning(before, doc, link) {
  const nodes = byId(doc);
  for (const [mine, theirs] of [[link.a, link.b], [link.b, link.a]]) {
    const guest = nodes.get(mine.node);
    if (!guest?.host) continue;
    const other = nodes.get(theirs.node);
    if (onHost(other, guest.host)) continue;
    const host = nodes.get(guest.host);
    const had = (byId(before).get(guest.id)?.nics ?? []).some((n) => n.name === mine.nic);
    const added = mine.nic && !had ? ` (the wire gave ${nameOf(guest)} a new NIC, ${mine.nic})` : "";
    return `${nameOf(guest)} is wired to ${nameOf(other)}, outside its host ${nameOf(host)}${added}. ` +
      `A VM's traffic goes out through its host: a NAT network, a virtual switch or a NIC mode ` +
      `(NAT, bridged) on ${nameOf(host)}. To wire the host itself, drag from the handle at its box's corner.`;
  }
  return null;
}
