// The live tables: one tab per kind of table (MAC, ARP, addresses and routes, DHCP leases, NAT,
// services, a host's VMs with its over-commit warnings) and a node picker. Drawn once per animation frame from the newest `tables` message;
// a row new or changed since the previous one is highlighted for a moment (class `live-changed`
// and the words "changed" for screen readers). After a seek the tables are replaced as they are.
// Tables fit their panel: headers wrap between words, an address before its port (a NAT
// connection's nine columns used to run out of the panel). A private look back (`lookBack(t)`)
// draws the tables as this page drew them at that instant (TableHistory), while the newest keep
// coming in for the return; before the page joined the run, it asks the server for them
// (`tablesAt(ns)`, the `tables.at` message: PastTables) and says so while they come.
import { h, tabs, uid } from "./dom.js";
import { PastTables, TABS, TableHistory, changedRows, drawable, tableSections } from "./tablemodel.js";

export const HIGHLIGHT_MS = 2500;
const NO_RUN = "No tables yet: they fill in once the run starts (Play or Next event).";

export function createTablesView({ devices, frame = requestAnimationFrame, timers = globalThis, tablesAt = null,
  now = () => Date.now() }) {
  let sections = [];
  let ran = false; // whether a tables message came (before it, nothing can be said about a tab)
  let changed = new Map(); // key -> time it stops being highlighted
  let latest = null;
  let scheduled = false;
  let picker = null;
  let drawnAt = 0; // the instant (ns) of the newest tables
  const history = new TableHistory();
  let looking = null; // a private look back's instant (ns), or null
  // The tables of instants before this page's history, from the server (null: it is not asked).
  const past = tablesAt ? new PastTables({ ask: tablesAt, timers, now, onChange: () => draw() }) : null;
  let pastDrawn = { answer: null, sections: [] }; // the answer's sections, built once
  const names = Object.fromEntries(devices.map((d) => [d.id, d.name]));
  const panels = Object.fromEntries(TABS.map((t) => [t.id, h("div", { className: "live-tablepanel", dataset: { tab: t.id } })]));
  // Only the tab in view is drawn (tables may come 20 times a second); the others when selected.
  let shown = TABS[0].id;
  const tabset = tabs(TABS.map((t) => ({ id: t.id, label: t.label, panel: panels[t.id] })), { label: "Live tables",
    onSelect: (id) => { shown = id; draw(); } });
  const pickerId = uid("live-tables-node");
  picker = h("select", { id: pickerId, onchange: () => draw() },
    h("option", { value: "" }, "All nodes"), devices.map(({ id, name }) => h("option", { value: id }, name)));
  const when = h("span", { className: "live-muted" }, NO_RUN);
  const element = h("section", { className: "live-tables", "aria-label": "Live tables" },
    h("div", { className: "live-filters" }, h("label", { for: pickerId }, "Node "), picker, when), tabset.element);


  const asOf = (t) => `as of ${(Number(t) / 1e9).toFixed(3)} s`;
  const secs = (t) => (Number(t) / 1e9).toFixed(3);

  /** The sections, highlights and words of a look back to `looking`, and what an empty tab says. */
  function lookedBack() {
    const kept = history.at(looking);
    if (kept || !past) {
      past?.forget();
      const since = history.first();
      return { view: kept ? kept.sections : [], words: kept ? `${asOf(kept.t)}: your look back`
        : `No tables from ${secs(looking)} s: this page has them from ${secs(since ?? drawnAt)} s, when it joined the run` };
    }
    const got = past.get(looking);
    if (got.tables) {
      if (pastDrawn.answer !== got) pastDrawn = { answer: got, sections: tableSections(got.tables, names) };
      return { view: pastDrawn.sections, words: `${asOf(got.t)}: your look back` };
    }
    const words = got.error ? `No tables from ${secs(looking)} s: ${got.error}` : `Loading the tables of ${secs(looking)} s…`;
    return { view: [], words, empty: words };
  }

  function draw() {
    const node = picker?.value ?? "";
    const now = Date.now();
    let view = sections;
    let highlights = changed;
    let empty = null;
    if (looking !== null && ran) {
      const back = lookedBack();
      view = back.view;
      empty = back.empty ?? null;
      highlights = new Map();
      when.textContent = back.words;
    } else if (ran) {
      when.textContent = asOf(drawnAt);
    }
    for (const t of TABS) {
      if (t.id !== shown) continue;
      const mine = view.filter((s) => s.tab === t.id && (!node || s.node === node));
      const withRows = mine.filter((s) => s.rows.length);
      const none = !ran ? NO_RUN : empty ?? (mine.length ? "Empty." : "Nothing of this kind in this design.");
      const { sections: drawn, more } = drawable(withRows);
      panels[t.id].replaceChildren(...(drawn.length
        ? [...drawn.map((s) => sectionTable(s, highlights, now)), ...(more ? [h("p", { className: "live-muted" }, more)] : [])]
        : [h("p", { className: "live-muted" }, none)]));
    }
  }

  const apply = () => {
    scheduled = false;
    if (!latest) return;
    const { tables, t, replace } = latest;
    latest = null;
    const next = tableSections(tables, names);
    const now = Date.now();
    if (replace) changed = new Map();
    for (const key of changedRows(replace ? null : (sections.length ? sections : null), next)) changed.set(key, now + HIGHLIGHT_MS);
    for (const [key, until] of changed) if (until <= now) changed.delete(key);
    sections = next;
    ran = true;
    drawnAt = Number(t ?? tables?.t ?? 0);
    history.push(drawnAt, next);
    draw();
    if (changed.size) timers.setTimeout(() => { if (!scheduled) draw(); }, HIGHLIGHT_MS + 50);
  };

  return {
    element,
    /** A `tables` message: `replace` (a seek, a reset, a first snapshot) highlights nothing. */
    update(tables, t, { replace = false } = {}) {
      if (!tables) return;
      // A seek (or a resync) rewrites the run's past: the server's answers for it are asked again.
      if (replace) {
        past?.clear();
        pastDrawn = { answer: null, sections: [] };
      }
      // Two messages in one frame: the highlight compares with what was drawn, and a replace wins.
      latest = { tables, t, replace: replace || Boolean(latest?.replace) };
      if (!scheduled) {
        scheduled = true;
        frame(apply);
      }
    },
    clear() {
      sections = [];
      changed = new Map();
      history.clear();
      past?.clear();
      pastDrawn = { answer: null, sections: [] };
      ran = false;
      when.textContent = NO_RUN;
      draw();
    },
    /** A private look back to `t` (ns; null: the run as it is). */
    lookBack(t) {
      looking = t ?? null;
      if (looking === null) past?.forget();
      draw();
    },
    select: (tab) => tabset.select(tab),
    /** The tab and node in view (the view state a follower copies), and setting them. */
    current: () => ({ tab: tabset.selected(), node: picker.value }),
    show({ tab, node } = {}) {
      if (node !== undefined && [...picker.options].some((o) => o.value === node)) picker.value = node;
      if (tab) tabset.select(tab);
      else draw();
    },
    /** Read-only view for the test hook: {section id: [row cells]}. */
    rows: () => Object.fromEntries(sections.map((s) => [s.id, s.rows.map((r) => r.cells)])),
    /** What the tables say of the instant shown ("as of 1.000 s: your look back", "Loading…"). */
    said: () => when.textContent,
  };
}

// A table of many columns (a NAT connection has nine) cannot fit a narrow panel at a readable size:
// there (live.css, a container query) each of its rows is drawn as a card of "label: value" cells.
// The roles are explicit because a table whose rows are not drawn as table rows loses its table
// semantics in some browsers.
export const WIDE_COLUMNS = 7;

function sectionTable(section, changed, now) {
  const table = rowsTable(section, changed, now);
  if (!section.warnings?.length) return table;
  return h("div", { className: "live-tablewarned" },
    section.warnings.map((w) => h("p", { className: "live-warning", role: "note" }, h("span", { "aria-hidden": "true" }, "⚠ "), w)), table);
}

function rowsTable(section, changed, now) {
  const wide = section.columns.length >= WIDE_COLUMNS;
  const role = (name) => (wide ? name : null);
  return h("table", { className: wide ? "live-table live-table-wide" : "live-table", role: role("table"), dataset: { section: section.id } },
    h("caption", {}, section.title),
    h("thead", { role: role("rowgroup") }, h("tr", { role: role("row") }, section.columns.map((c) => h("th", { scope: "col", role: role("columnheader") }, c)))),
    h("tbody", { role: role("rowgroup") }, section.rows.map((r) => {
      const hot = (changed.get(`${section.id}\n${r.key}`) ?? 0) > now;
      return h("tr", { role: role("row"), className: hot ? "live-changed" : null, dataset: { key: r.key, changed: hot ? "true" : null } },
        r.cells.map((c, i) => h("td", { role: role("cell"), dataset: { label: section.columns[i] } },
          breakable(c), i === 0 && hot ? h("span", { className: "visually-hidden" }, " (changed)") : null)));
    })));
}

/** A cell's text with line-break opportunities between an IPv4 address and its port or prefix
 * length, so a narrow panel wraps "203.0.113.10:39924" rather than overflowing (MACs stay whole). */
function breakable(text) {
  const parts = String(text).split(/(?<=\d+\.\d+\.\d+\.\d+[:/])/);
  if (parts.length === 1) return text;
  return parts.flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
}
