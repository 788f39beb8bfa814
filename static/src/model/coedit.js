// Co-editing, the browser's side (docs/design.md "Co-editing", docs/websocket-protocol.md).
//
// The server orders changes and applies them with last-writer-wins merging; this replica keeps
//   confirmed  the server's document at `seq` (canonical operations applied in seq order), and
//   pending    this user's changes the server has not answered yet, in the order made;
// what the user sees is `confirmed` with `pending` re-applied on top (the tolerant apply of
// diff.js). An accepted change leaves `pending` and its canonical form enters `confirmed`; a
// refused one leaves `pending` and so disappears from the canvas, with the reason. Offline,
// changes wait in `pending`; on reconnect the replica asks for what it missed (design.sync) and
// resends them with the same ids (the server answers a change it already has as a duplicate).
//
// No DOM, no socket: `receive(message)` takes the server's messages, `outgoing()` gives what to
// send; the page (editor/coedit.js) and the tests (tests/js/coedit_replica.mjs) drive it.
import { apply } from "./diff.js";
import { deepEqual } from "./json.js";

export class Replica {
  /** `doc` and `seq`: the design as the page got it; `client`: this tab's id (letters, digits). */
  constructor({ doc, seq, client }) {
    this.confirmed = doc;
    this.seq = seq;
    this.client = client;
    this.pending = []; // {change, ops, base, sent}
    this.count = 0;
    this.shown = doc;
    this.connected = false;
    this.synced = false;
  }

  get doc() {
    return this.shown;
  }

  /** A step the user made (already on the canvas as `doc`): returns its change id. */
  local(ops, doc) {
    this.count += 1;
    const change = `${this.client}-${this.count}`;
    this.pending.push({ change, ops, base: this.seq, sent: false });
    this.shown = doc ?? apply(this.shown, ops);
    return change;
  }

  /** The messages to send now: the pending changes not sent on this socket yet, in order. */
  outgoing() {
    if (!this.connected || !this.synced) return [];
    const out = [];
    for (const p of this.pending) {
      if (p.sent) continue;
      p.sent = true;
      out.push({ type: "design.op", client: this.client, change: p.change, base: p.base, ops: p.ops, ref: p.change });
    }
    return out;
  }

  /** The socket opened (after design.hello): ask for what was missed; pending goes after it. */
  opened() {
    this.connected = true;
    this.synced = false;
    for (const p of this.pending) p.sent = false;
    return { type: "design.sync", after: this.seq };
  }

  closed() {
    this.connected = false;
    this.synced = false;
    for (const p of this.pending) p.sent = false;
  }

  /**
   * A server message. Returns `{changed, events, sync}`: whether what is shown changed; events
   * for the page (`{kind: "accepted"|"refused"|"noted"|"skipped", change, msg, notes, ops}`);
   * `sync` when a gap was seen and a design.sync must be sent.
   */
  receive(msg) {
    const events = [];
    let changed = false;
    let sync = null;
    const drop = (change) => {
      const at = this.pending.findIndex((p) => p.change === change);
      if (at < 0) return false;
      this.pending.splice(at, 1);
      return true;
    };
    switch (msg.type) {
      case "design.ops":
        for (const entry of msg.changes) {
          if (entry.seq <= this.seq) continue;
          if (entry.seq !== this.seq + 1) {
            sync = { type: "design.sync", after: this.seq };
            break;
          }
          this.confirmed = apply(this.confirmed, entry.ops);
          this.seq = entry.seq;
          changed = true;
          if (entry.client === this.client && drop(entry.change)) {
            events.push({ kind: "accepted", change: entry.change, ops: entry.ops });
          }
        }
        break;
      case "design.snapshot":
        this.confirmed = msg.document;
        this.seq = msg.seq;
        changed = true;
        break;
      case "design.synced":
        this.synced = true;
        break;
      case "design.ack":
        if (drop(msg.change)) {
          changed = true;
          if (msg.notes?.length) events.push({ kind: "skipped", change: msg.change, notes: msg.notes });
        }
        break;
      case "design.noted":
        events.push({ kind: "noted", change: msg.change, notes: msg.notes });
        break;
      case "design.refused":
        if (drop(msg.change)) {
          changed = true;
          events.push({ kind: "refused", change: msg.change, msg: msg.msg, code: msg.code });
        }
        break;
      case "error": {
        const p = this.pending.find((x) => x.change === msg.ref);
        if (!p) break;
        if (msg.code === "ws.rate_limited") {
          p.sent = false; // dropped by the rate limit: sent again with the next batch
          // The server took nothing after it either: resend in order.
          for (const later of this.pending.slice(this.pending.indexOf(p))) later.sent = false;
          break;
        }
        drop(msg.ref);
        changed = true;
        events.push({ kind: "refused", change: msg.ref, msg: msg.msg, code: msg.code });
        break;
      }
      default:
        return { changed: false, events, sync };
    }
    if (changed) {
      const before = this.shown;
      changed = this.rebuild() !== before;
    }
    return { changed, events, sync };
  }

  /** The changes not answered yet, as kept across a reload (editor/coedit.js stores them):
   * `{client, count, items: [{change, ops, base}]}`, or null when there are none. */
  saved() {
    if (!this.pending.length) return null;
    return { client: this.client, count: this.count, items: this.pending.map(({ change, ops, base }) => ({ change, ops, base })) };
  }

  /** Takes back changes kept by `saved()` before a reload: they are pending again, under their
   * own ids (a change the server had already taken is answered as a duplicate), and shown. */
  restore({ client, count, items }) {
    this.client = client;
    this.count = Math.max(this.count, count);
    this.pending = items.map(({ change, ops, base }) => ({ change, ops, base, sent: false }));
    return this.rebuild();
  }

  /** What is shown: confirmed + pending. The same object when nothing visible changed (the
   * server took this user's own step as it was): the page then need not redraw its panels. */
  rebuild() {
    let doc = this.confirmed;
    for (const p of this.pending) doc = apply(doc, p.ops);
    if (!deepEqual(doc, this.shown)) this.shown = doc;
    return this.shown;
  }
}

/** A random id for this tab's changes (the server keys resent changes by it). */
export function newClientId(random = Math.random) {
  return Array.from({ length: 12 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 36)]).join("");
}
