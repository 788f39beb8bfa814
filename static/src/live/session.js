// One websocket to /ws/designs/<id>/ and the design's live run as DOM events (docs/live.md).
//
//   state   {run, status, t, speed, seq, msg, seed}      run.state / run.status / run.seeked
//   events  {events, live}                               in seq order, each exactly once
//   tables  {tables, t, replace}                         tables (pages and deltas, merged here) / run.state
//   seeked  {t, tables, reset, started}                  run.seeked
//   console {node, kind, line, t, seq, live}             command.run and console.output events
//   hello   {design}                                     design.hello (role)
//   error   {message, code}                              an error nobody awaited
//   connection {connected, code, reason, opened, attempt, retrying, why}   socket opened / closed
//   time    {t}                                          the simulated time a batch reached
//
// What to fetch or resync is decided by StreamTracker (protocol.js, pure); this class only owns
// the socket, the request refs and the reconnect timer. `send(type, fields)` resolves with the
// ack's data (or the answer carrying the same ref) and rejects with the error of the same ref.
import { StreamTracker, backoffDelay } from "./protocol.js";
import { mergeTables } from "./tablemodel.js";

export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_TOO_SLOW = 4008; // the server's flow control: reconnect and resync
export const CLOSE_TOO_MANY = 4429; // more than 10 sockets of one user: retried until one closes
// Sockets that closed before they ever opened, in a row, before the session stops retrying: the
// server refused the handshake (an origin it does not allow answers HTTP 403, which a browser
// reports as 1006 and nothing more) or cannot be reached. About 14 s of backoff.
export const GIVE_UP_AFTER = 8;
export const ACK_EVERY_MS = 500; // events.ack at most twice a second
const CONSOLE_KINDS = new Set(["command.run", "console.output"]);
const ENDED = new Set(["failed", "stopped", "interrupted"]);

export class LiveError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export class LiveSession extends EventTarget {
  /**
   * @param {object} options
   * @param {string|number} options.designId
   * @param {string} [options.url] the socket URL (default: this page's origin, ws or wss)
   * @param {Function} [options.WebSocket] the socket class (tests pass a fake)
   * @param {object} [options.timers] {setTimeout, clearTimeout} (tests pass fakes)
   */
  constructor({ designId, url, WebSocket: Socket = globalThis.WebSocket, timers = globalThis, random = Math.random,
    now = () => Date.now() } = {}) {
    super();
    this.now = now;
    this.lastAck = -Infinity;
    this.url = url ?? defaultUrl(designId);
    this.Socket = Socket;
    this.timers = timers;
    this.random = random;
    this.tracker = new StreamTracker();
    this.pending = new Map(); // ref -> {resolve, reject}
    this.refs = 0;
    this.attempt = 0;
    this.socket = null;
    this.closed = false;
    this.everOpened = false;
    this.unopened = 0; // sockets in a row that closed before opening
    this.gaveUp = false;
    this.retryTimer = null;
    this.status = { run: null, status: "none", t: 0, speed: 1, seq: 0, msg: null, seed: 0 };
    this.role = null;
    this.tables = null; // the run's tables as merged from `tables` pages and deltas
  }

  connect() {
    this.closed = false;
    this.gaveUp = false;
    const socket = new this.Socket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      socket.netdesignerOpened = true;
      this.unopened = 0;
      this.lastAck = -Infinity;
      this.#emit("connection", { connected: true, code: null });
      // A reconnect resyncs: the server sends run.state only when a run is going, and we must
      // also learn that a run ended while we were away.
      if (this.everOpened) this.#perform(this.tracker.reconnected());
      this.everOpened = true;
    };
    socket.onmessage = (message) => this.#receive(message.data);
    socket.onclose = (event) => this.#closed(socket, event.code, event.reason ?? "");
    socket.onerror = () => {}; // a close follows
    return this;
  }

  /** Try again after the session gave up (a "Try again" button): a fresh round of attempts. */
  retry() {
    if (this.connected) return;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.unopened = 0;
    this.attempt = 0;
    this.connect();
  }

  close() {
    this.closed = true;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.close();
  }

  get connected() {
    return this.socket?.readyState === 1;
  }

  /** Sends `{type, ...fields, ref}`; resolves with the answer's data, rejects with its error. */
  /** Start over from the run's snapshot: its recent events come again (a rebuilt panel). */
  resync() {
    this.tracker.forget();
    return this.send("run.state");
  }

  send(type, fields = {}) {
    if (!this.connected) return Promise.reject(new LiveError("Not connected to the server: retrying.", "ws.closed"));
    const ref = `r${++this.refs}`;
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject, type });
      this.socket.send(JSON.stringify({ type, ...fields, ref }));
    });
  }

  /** The tables the run's viewers held at instant `ns` (a look back before this page joined):
   * resolves with {tables, t, at, from}, rejects with the server's reason (`tables.at`). */
  tablesAt(ns) {
    return this.send("tables.at", { t: Math.max(0, ns) / 1e9 });
  }

  /** The full event `seq` (with `layers` and `frame`), for the packet inspector. */
  async detail(seq) {
    return this.send("event.detail", { seq });
  }

  // -- incoming

  #receive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    this.#handle(msg);
    this.#ack();
  }

  /** Flow control: tell the server what we have, from the message handler (background tabs
   * throttle timers), at most every ACK_EVERY_MS; past 1,000 unacknowledged messages it closes
   * the socket with 4008. Never answered, so no ref. */
  #ack() {
    const now = this.now();
    if (now - this.lastAck < ACK_EVERY_MS || !this.connected) return;
    this.lastAck = now;
    this.socket.send(JSON.stringify({ type: "events.ack", seq: this.tracker.lastSeq }));
  }

  #handle(msg) {
    switch (msg.type) {
      case "design.hello":
        // Only a socket the server accepted counts as a success (4429 opens, errs and closes).
        this.attempt = 0;
        this.role = msg.design?.role ?? null;
        this.#emit("hello", { design: msg.design });
        return;
      case "ack":
        this.#settle(msg.ref, (p) => p.resolve(msg.data));
        return;
      case "error":
        this.#error(msg);
        return;
      case "event.detail":
        this.#settle(msg.ref, (p) => p.resolve(msg.event));
        return;
      case "tables.at": {
        // A look back's tables, in pages like a `tables` snapshot: folded apart from the live ones.
        const pending = msg.ref !== undefined ? this.pending.get(msg.ref) : undefined;
        if (!pending) return; // asked before a reconnect, or by nobody: dropped
        pending.held = mergeTables(pending.held ?? null, msg);
        if ((msg.part ?? 1) >= (msg.parts ?? 1)) {
          this.#settle(msg.ref, (p) => p.resolve({ tables: p.held, t: msg.t, at: msg.at, from: msg.from }));
        }
        return;
      }
      case "run.state":
        // "No run" right after a run ended with a reason (a design that cannot be built fails at
        // once, and the run.state its status asks for finds nothing): keep the reason shown.
        if (!(msg.run === null && ENDED.has(this.status.status) && this.status.run && this.status.msg)) this.#state(msg);
        this.#perform(this.tracker.onState(msg));
        // The tables follow as `tables` pages (tables_parts); an older server sent them here.
        if (msg.tables) {
          this.tables = msg.tables;
          this.#emit("tables", { tables: msg.tables, t: msg.t, replace: true });
        }
        return;
      case "run.events":
        this.#perform(this.tracker.onEvents(msg));
        if (msg.run === this.status.run && Number.isFinite(msg.t)) {
          this.status.t = msg.t;
          this.#emit("time", { t: msg.t });
        }
        return;
      case "events":
        this.#settle(msg.ref, (p) => p.resolve(msg));
        this.#perform(this.tracker.onFetched(msg));
        return;
      case "run.seeked": {
        const out = this.tracker.onSeeked(msg);
        this.#state(msg);
        this.#emit("seeked", { t: msg.t, tables: msg.tables, reset: Boolean(msg.reset), started: Boolean(msg.started) });
        this.#perform(out);
        return;
      }
      case "run.status":
        this.#perform(this.tracker.onRunMessage(msg));
        this.#state(msg);
        return;
      case "tables":
        this.#perform(this.tracker.onRunMessage(msg));
        this.tables = mergeTables(msg.snapshot === undefined ? null : this.tables,
          msg.snapshot === undefined ? { ...msg, snapshot: true } : msg);
        this.#emit("tables", { tables: this.tables, t: msg.t, replace: Boolean(msg.snapshot) });
        return;
      default:
        // design.saved, design.access, design.trashed, pong: for whoever listens.
        this.#emit("message", msg);
    }
  }

  #state(msg) {
    const keep = this.status;
    this.status = {
      run: msg.run ?? null,
      status: msg.status ?? keep.status,
      t: msg.t ?? keep.t,
      speed: msg.speed ?? keep.speed,
      seq: msg.seq ?? keep.seq,
      msg: msg.msg ?? null,
      seed: msg.seed ?? keep.seed,
    };
    this.#emit("state", { ...this.status });
  }

  #error(msg) {
    const error = new LiveError(msg.msg ?? "The server refused the message.", msg.code);
    const pending = msg.ref !== undefined ? this.pending.get(msg.ref) : undefined;
    if (pending?.type === "events.fetch") this.tracker.fetchFailed();
    if (pending) this.#settle(msg.ref, (p) => p.reject(error));
    else this.#emit("error", { message: error.message, code: error.code, ref: msg.ref });
  }

  #settle(ref, fn) {
    const pending = ref !== undefined ? this.pending.get(ref) : undefined;
    if (!pending) return;
    this.pending.delete(ref);
    fn(pending);
  }

  /** Carries out what the tracker decided: deliver events, send fetches and resyncs. */
  #perform({ deliver, send }) {
    for (const group of deliver) {
      this.#emit("events", group);
      for (const event of group.events) {
        if (CONSOLE_KINDS.has(event.kind)) {
          this.#emit("console", { node: event.node, kind: event.kind, line: event.line, t: event.t, seq: event.seq, live: group.live });
        }
      }
    }
    for (const message of send) {
      if (!this.connected) continue;
      // Fetches and resyncs go with a ref so that their errors come back to us, not the user.
      this.send(message.type, withoutType(message)).catch(() => {});
    }
  }

  // -- closing and reconnecting

  #closed(socket, code, reason) {
    if (socket !== this.socket) return;
    for (const [, pending] of this.pending) pending.reject(new LiveError("The connection closed.", "ws.closed"));
    this.pending.clear();
    this.tracker.fetchFailed();
    const opened = Boolean(socket.netdesignerOpened);
    if (!opened) this.unopened += 1;
    const notFound = code === CLOSE_NOT_FOUND;
    this.gaveUp = !this.closed && !notFound && this.unopened >= GIVE_UP_AFTER;
    const retrying = !this.closed && !notFound && !this.gaveUp;
    this.#emit("connection", { connected: false, code, reason, opened, attempt: this.unopened, retrying,
      why: closeReason(code, reason, { opened, gaveUp: this.gaveUp, tries: this.unopened }) });
    if (this.closed) return;
    if (notFound) {
      this.#emit("error", { message: "This design is not available to you any more (deleted, or access removed).", code: "ws.not_found" });
      return;
    }
    if (this.gaveUp) return;
    const delay = backoffDelay(this.attempt++, { random: this.random });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) this.connect();
    }, delay);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * Why the socket closed, in a sentence for the page (null for an ordinary drop that is being
 * retried). The server's own close reason wins when it sends one; 1006 before the socket ever
 * opened is a refused handshake or a server out of reach (the browser cannot tell them apart).
 */
export function closeReason(code, reason, { opened = true, gaveUp = false, tries = 0 } = {}) {
  const said = reason ? `The server closed the live connection: ${reason}` : null;
  if (code === CLOSE_NOT_FOUND) return said ?? "This design is not available to you any more (deleted, or access removed).";
  if (code === CLOSE_TOO_MANY) {
    return `${said ?? "Too many live connections are open for you (at most 10: other tabs of this site)."} Close one; this page retries every 2 s.`;
  }
  if (gaveUp) {
    const where = globalThis.location?.origin ? ` for this page's address (${globalThis.location.origin})` : "";
    return `${said ?? `The server refused the live connection${where} or cannot be reached`}: gave up after ${tries} tries. `
      + "Reload the page, or press Try again, once the server answers.";
  }
  if (said) return said;
  if (!opened && tries >= 2) return `The live connection could not be opened (tried ${tries} times): retrying.`;
  return null;
}

function withoutType({ type, ...fields }) {
  return fields;
}

function defaultUrl(designId) {
  const scheme = globalThis.location?.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${globalThis.location?.host}/ws/designs/${designId}/`;
}
