// The client half of "nothing lost on the way" (docs/websocket-protocol.md): which run we follow,
// the last event sequence number shown, duplicates dropped, gaps fetched, a new run or a truncated
// ring answered with `run.state`. Pure: messages in, {deliver, send} out; no socket, no DOM, so
// node --test drives it (protocol.test.js) and LiveSession only carries out what it returns.

export const FETCH_LIMIT = 500;

// Out-of-order events kept while a gap is being fetched; past this the oldest gap is given up.
export const MAX_BUFFERED = 20_000;

export class StreamTracker {
  constructor() {
    this.run = null; // run id followed, or null
    this.lastSeq = 0; // every event with seq <= lastSeq has been delivered (or skipped)
    this.buffer = new Map(); // seq -> {event, live}: arrived beyond a gap
    this.fetching = false; // an events.fetch is on its way
  }

  // -- inputs, one per server message type; each returns {deliver: [{events, live}], send: [msg]}

  /** `run.state`: the late-joiner snapshot (or `{run: null, status: "none"}`). */
  onState(msg) {
    const out = result();
    if (!msg.run) {
      this.#adopt(null, 0);
      return out;
    }
    const recent = msg.recent ?? [];
    if (msg.run !== this.run) {
      // A run we did not follow: its history starts at the snapshot's recent events.
      this.#adopt(msg.run, recent.length ? recent[0].seq - 1 : msg.seq);
    }
    this.#accept(recent, false, out);
    // Events up to msg.seq exist: if the snapshot did not reach them, they come by fetch.
    if (msg.seq > this.lastSeq) this.#needFetch(out, false);
    return out;
  }

  /** `run.events`: the live stream (a `refill` batch is the server filling a gap). */
  onEvents(msg) {
    const out = result();
    if (msg.run !== this.run) {
      // A new run we missed the start of: follow it, and ask for its state (status, tables).
      this.#adopt(msg.run, 0);
      out.send.push({ type: "run.state" });
    }
    this.#accept(msg.events ?? [], true, out);
    return out;
  }

  /** `events`: the answer to our `events.fetch`. */
  onFetched(msg) {
    const out = result();
    if (msg.run !== this.run) return out; // an answer about a run we no longer follow
    this.fetching = false;
    if (msg.truncated) {
      // The ring no longer holds the gap: skip to what it still has, then resync.
      this.#skipTo((msg.oldest ?? this.lastSeq + 1) - 1, out);
      out.send.push({ type: "run.state" });
    }
    this.#accept(msg.events ?? [], false, out);
    if (msg.more && !this.fetching) this.#needFetch(out, true);
    return out;
  }

  /** `run.seeked`: the run jumped (or started, or was reset); events continue after msg.seq. */
  onSeeked(msg) {
    const out = result();
    if (msg.run !== this.run) this.#adopt(msg.run, msg.seq);
    else this.#skipTo(msg.seq, out);
    return out;
  }

  /** `run.status` or `tables`: only the run id matters here. */
  onRunMessage(msg) {
    const out = result();
    if (msg.run && msg.run !== this.run) {
      this.#adopt(msg.run, 0);
      out.send.push({ type: "run.state" });
    }
    return out;
  }

  /** An `error` answering our fetch: allow the next one. */
  fetchFailed() {
    this.fetching = false;
  }

  /** After a reconnect: the socket is new, nothing is on its way. Resync as the protocol says:
   * `run.state`, then `events.fetch` from the last seq we have (when we follow a run). */
  reconnected() {
    this.fetching = false;
    const out = { deliver: [], send: [{ type: "run.state" }] };
    if (this.run) this.#needFetch(out, true);
    return out;
  }

  // -- internals

  /** Forget the run followed so far: the next `run.state` is taken as a first join (its recent
   * events are delivered again), for a panel rebuilt from scratch. */
  forget() {
    this.#adopt(null, 0);
  }

  #adopt(run, lastSeq) {
    this.run = run;
    this.lastSeq = lastSeq;
    this.buffer.clear();
    this.fetching = false;
  }

  #accept(events, live, out) {
    for (const event of events) {
      if (!Number.isInteger(event?.seq) || event.seq <= this.lastSeq || this.buffer.has(event.seq)) continue;
      this.buffer.set(event.seq, { event, live });
    }
    this.#drain(out);
    if (this.buffer.size > MAX_BUFFERED) {
      // Never wait forever: give up the oldest gap rather than hold events without bound.
      this.#skipTo(Math.min(...this.buffer.keys()) - 1, out);
    }
    if (this.buffer.size) this.#needFetch(out, false);
  }

  #drain(out) {
    let group = null;
    for (let next = this.buffer.get(this.lastSeq + 1); next; next = this.buffer.get(this.lastSeq + 1)) {
      this.buffer.delete(this.lastSeq + 1);
      this.lastSeq += 1;
      if (!group || group.live !== next.live) {
        group = { events: [], live: next.live };
        out.deliver.push(group);
      }
      group.events.push(next.event);
    }
  }

  #skipTo(seq, out) {
    if (seq > this.lastSeq) this.lastSeq = seq;
    for (const key of [...this.buffer.keys()]) {
      if (key <= this.lastSeq) this.buffer.delete(key);
    }
    this.#drain(out);
  }

  #needFetch(out, force) {
    if (this.fetching && !force) return;
    this.fetching = true;
    out.send.push({ type: "events.fetch", after_seq: this.lastSeq, limit: FETCH_LIMIT });
  }
}

function result() {
  return { deliver: [], send: [] };
}

/** Reconnect delays (ms): 250, 500, 1000, 2000, then every 2000 (docs/websocket-protocol.md),
 * each shortened by up to 25 % of jitter from `random` so that viewers do not return in step. */
export function backoffDelay(attempt, { base = 250, max = 2000, random = Math.random } = {}) {
  const plain = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(plain * (1 - 0.25 * random()));
}
