// `net.tables()` (simcore/network.py) as sections of rows for the live tables panel, and which
// rows changed between two snapshots. Pure: tablemodel.test.js drives it without a DOM.
//
// A section: {id, tab, node, title, columns: [label], rows: [{key, cells: [text], sig}], warnings?: [text]}.
// `key` identifies a row across snapshots (a MAC, an address, a connection id); `sig` is the row
// without the values that change with time alone (ages, expiry counters), so a row counts as
// changed only when something else in it changed.

export const TABS = [
  { id: "mac", label: "MAC tables" },
  { id: "arp", label: "ARP caches" },
  { id: "ip", label: "Addresses & routes" },
  { id: "dhcp", label: "DHCP leases" },
  { id: "nat", label: "NAT" },
  { id: "services", label: "Services" },
  { id: "vms", label: "VMs" },
];

const VOLATILE = new Set(["t", "age_s", "expires_s", "remaining_s", "idle_s", "expires_in"]);

function stable(value) {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !VOLATILE.has(k)).map(([k, v]) => [k, stable(v)]));
  }
  return value;
}

/** The tables after one `tables` message (docs/websocket-protocol.md): a snapshot's first part
 * replaces what was held, its other parts and every delta merge in by node id, and `removed`
 * drops entries. Each message is at most 256 KiB: a design of 10,000 nodes sends its tables in
 * pages, then only the nodes whose tables changed. Returns a new object (sections copied when
 * touched), never mutates `held`. */
export function mergeTables(held, msg) {
  if (!msg?.tables) return held ?? null;
  const base = msg.snapshot && (msg.part ?? 1) === 1 ? {} : { ...(held ?? {}) };
  for (const [section, entries] of Object.entries(msg.tables)) {
    if (section === "t" || !entries || typeof entries !== "object") base[section] = entries;
    else base[section] = { ...(base[section] ?? {}), ...entries };
  }
  for (const [section, ids] of Object.entries(msg.removed ?? {})) {
    if (!base[section]) continue;
    base[section] = { ...base[section] };
    for (const id of ids) delete base[section][id];
  }
  return base;
}

// A table longer than the server sends (1,000 rows) says how long it was.
const cut = (entry, key) => (entry?.truncated?.[key] ? ` (first ${entry[key].length} of ${entry.truncated[key]})` : "");

const text = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));
const row = (key, raw, cells) => ({ key: String(key), cells: cells.map(text), sig: JSON.stringify(stable(raw)) });
const seconds = (s) => (typeof s === "number" ? s.toFixed(1) : s);

/** Every section of a tables snapshot, in a stable order. `names` maps node id -> display name. */
export function tableSections(tables, names = {}) {
  if (!tables) return [];
  const name = (id) => names[id] ?? tables.nodes?.[id]?.name ?? tables.switches?.[id]?.name ?? id;
  const out = [];
  for (const [id, sw] of Object.entries(tables.switches ?? {})) {
    out.push({
      id: `mac:${id}`, tab: "mac", node: id, title: `MAC table of ${name(id)}${cut(sw, "fdb")}`,
      columns: ["MAC address", "Port", "Link", "Age (s)"],
      rows: (sw.fdb ?? []).map((r) => row(r.mac, r, [r.mac, r.port, r.link, seconds(r.age_s)])),
    });
  }
  for (const [id, node] of Object.entries(tables.nodes ?? {})) {
    out.push({
      id: `arp:${id}`, tab: "arp", node: id, title: `ARP cache of ${name(id)}${cut(node, "arp")}`,
      columns: ["Address", "Device", "MAC address", "State"],
      rows: (node.arp ?? []).map((r) => row(`${r.dev} ${r.ip}`, r, [r.ip, r.dev, r.mac ?? "(incomplete)", r.state])),
    });
    out.push({
      id: `addr:${id}`, tab: "ip", node: id, title: `Addresses of ${name(id)}`,
      columns: ["Device", "MAC address", "Address"],
      rows: (node.addresses ?? []).map((r) => row(`${r.dev} ${r.ip}`, r, [r.dev, r.mac, r.ip])),
    });
    out.push({
      id: `route:${id}`, tab: "ip", node: id, title: `Routes of ${name(id)}`,
      columns: ["Destination", "Via", "Device", "Proto", "Source", "Metric"],
      rows: (node.routes ?? []).map((r) => row(`${r.to} ${r.dev} ${r.via}`, r, [r.to, r.via, r.dev, r.proto, r.src, r.metric])),
    });
  }
  for (const [id, byNic] of Object.entries(tables.dhcp_leases ?? {})) {
    for (const [nic, leases] of Object.entries(byNic)) {
      out.push({
        id: `dhcp:${id}:${nic}`, tab: "dhcp", node: id, title: `DHCP leases of ${name(id)} on ${name(nic)}`,
        columns: ["MAC address", "Address", "Host name", "State", "Expires at (s)"],
        rows: leases.map((r) => row(r.mac, r, [r.mac, r.ip, r.hostname, r.state, seconds(r.expires_at_ns / 1e9)])),
      });
    }
  }
  for (const [id, nat] of Object.entries(tables.nat ?? {})) {
    out.push({
      id: `conntrack:${id}`, tab: "nat", node: id, title: `Connections of ${name(id)} (conntrack on ${name(nat.host)})`,
      columns: ["Id", "Protocol", "State", "NAT", "Inside", "Public", "Remote", "Packets out/in", "Expires in (s)"],
      rows: (nat.conntrack ?? []).map((r) => row(r.id, r, [r.id, r.protocol, r.state, r.rule ? `${r.nat} (${r.rule})` : r.nat,
        r.inside, r.public, r.remote, `${r.packets?.original ?? 0}/${r.packets?.reply ?? 0}`, r.expires_in])),
    });
    out.push({
      id: `forward:${id}`, tab: "nat", node: id, title: `Port forwards of ${name(id)}`,
      columns: ["Rule", "Protocol", "Host address", "Host port", "Guest address", "Guest port", "Hits"],
      rows: (nat.port_forwards ?? []).map((r) => row(r.name, r, [r.name, r.protocol, r.host_ip || "any", r.host_port,
        r.guest_ip, r.guest_port, r.hits])),
    });
  }
  for (const [id, services] of Object.entries(tables.services ?? {})) {
    out.push({
      id: `services:${id}`, tab: "services", node: id, title: `Services of ${name(id)}`,
      columns: ["Service", "Port", "Requests served"],
      rows: services.map((r) => row(`${r.kind} ${r.port}`, r, [r.kind, r.port, (r.served ?? []).length])),
    });
  }
  // A host's VMs: each VM's state, RAM and vCPUs now, and the host's over-commit warnings (the
  // design checks' own sentences, computed by the engine on the VMs' current settings).
  for (const [id, host] of Object.entries(tables.vm_hosts ?? {})) {
    const vms = (host.vms ?? []).filter((vm) => tables.vms?.[vm]);
    out.push({
      id: `vms:${id}`, tab: "vms", node: id,
      title: `VMs on ${name(id)}: ${host.ram_given_mb} of ${host.ram_mb} MB RAM and ${host.vcpus_given} vCPUs on ${host.cpu_cores} cores given`,
      columns: ["VM", "State", "RAM (MB)", "vCPUs", "Guest", "Virtualization"],
      warnings: host.warnings ?? [],
      rows: vms.map((vm) => {
        const r = tables.vms[vm];
        const hw = r.hardware ?? {};
        return row(vm, { state: r.state, guest: r.guest, hw: [hw.ram_mb, hw.vcpus] },
          [name(vm), r.state, hw.ram_mb, hw.vcpus, r.guest, r.software_virtualization ? "software (no VT-x)" : "hardware (VT-x)"]);
      }),
    });
  }
  return out;
}

/** At most `max` of `sections` to draw, and a sentence for the rest (a design of 10,000 nodes has
 * 20,000 address and route tables: drawing them all at every update froze the page). */
export const MAX_DRAWN_SECTIONS = 200;
export function drawable(sections, max = MAX_DRAWN_SECTIONS) {
  if (sections.length <= max) return { sections, more: null };
  return { sections: sections.slice(0, max),
    more: `Showing ${max} of ${sections.length} tables: pick a node to see its own.` };
}

/** Keys (`section id` + "\n" + `row key`) of the rows of `next` that are new or changed since
 * `prev`. With no `prev` (the first snapshot, or one after a seek) nothing counts as changed. */
export function changedRows(prev, next) {
  const changed = new Set();
  if (!prev) return changed;
  const before = new Map();
  for (const section of prev) for (const r of section.rows) before.set(`${section.id}\n${r.key}`, r.sig);
  for (const section of next) {
    for (const r of section.rows) {
      const key = `${section.id}\n${r.key}`;
      if (before.get(key) !== r.sig) changed.add(key);
    }
  }
  return changed;
}

/** The tables as this page drew them, by run instant, for a private look back (a viewer's timeline
 * dragged back while the run goes on): `at(t)` is the newest drawn at or before t. Only what came
 * since the page joined the run is here; at most `limit` entries, the oldest dropped. A seek back
 * (an entry earlier than the last) drops what came after it. */
export class TableHistory {
  constructor(limit = 1200) {
    this.limit = limit;
    this.items = []; // [{t, sections}] in run order
  }
  push(t, sections) {
    const items = this.items;
    while (items.length && items.at(-1).t >= t) items.pop(); // the same instant again, or a seek back
    items.push({ t, sections });
    if (items.length > this.limit) items.splice(0, items.length - this.limit);
  }
  at(t) {
    const items = this.items;
    let lo = 0;
    let hi = items.length; // the first entry after t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo ? items[lo - 1] : null;
  }
  /** The instant of the oldest entry kept (null: none). */
  first() {
    return this.items.length ? this.items[0].t : null;
  }
  clear() {
    this.items = [];
  }
}

/** Time between two `tables.at` questions (the server answers at most 4 per 2 s on a socket). */
export const ASK_EVERY_MS = 600;
// Refusals that say "not now" (too many questions, no connection): asked again, never shown.
const TRANSIENT = new Set(["ws.rate_limited", "ws.closed"]);

/** The tables of instants this page's TableHistory does not reach (before the page joined the
 * run), asked of the run's server (`tables.at`, docs/websocket-protocol.md) for a private look
 * back. `get(at)` says what to show for instant `at` (ns): `{tables, t}` (the answer), `{error}`
 * (why there are none) or `{loading: true}` (asked; `onChange` is called when the answer comes).
 * One question at a time and at most one per `every` ms while the timeline is dragged; an answer
 * for an instant no longer wanted (the user moved on, or went back to the run: `forget`) is
 * dropped, and so is every answer asked before `clear` (a new run). */
export class PastTables {
  constructor({ ask, onChange = () => {}, timers = globalThis, now = () => Date.now(), every = ASK_EVERY_MS }) {
    Object.assign(this, { ask, onChange, timers, now, every });
    this.want = null; // the instant (ns) wanted, or null
    this.answer = null; // {at, t, tables} or {at, error}
    this.asking = false;
    this.lastAsked = -Infinity;
    this.timer = null;
    this.epoch = 0;
  }
  get(at) {
    if (this.answer && this.answer.at === at) return this.answer;
    this.want = at;
    this.#pump();
    return { at, loading: true };
  }
  /** Nothing is wanted any more (the look back ended, or the page's own history has it). */
  forget() {
    this.want = null;
  }
  clear() {
    this.epoch += 1;
    this.want = null;
    this.answer = null;
    this.asking = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
  #pump() {
    if (this.want === null || this.asking || this.timer !== null || this.answer?.at === this.want) return;
    const wait = this.lastAsked + this.every - this.now();
    if (wait > 0) {
      this.timer = this.timers.setTimeout(() => { this.timer = null; this.#pump(); }, wait);
      return;
    }
    const at = this.want;
    const epoch = this.epoch;
    this.asking = true;
    this.lastAsked = this.now();
    Promise.resolve().then(() => this.ask(at)).then(
      (got) => ({ at, t: got?.t ?? got?.tables?.t ?? at, tables: got?.tables ?? null }),
      (error) => ({ at, error: error?.message ?? String(error), code: error?.code }),
    ).then((answer) => {
      if (epoch !== this.epoch) return; // asked in a run that is gone
      this.asking = false;
      if (TRANSIENT.has(answer.code)) this.lastAsked = this.now(); // asked again after `every`
      else if (this.want === at) {
        this.answer = answer;
        this.onChange(answer);
      }
      this.#pump();
    });
  }
}
