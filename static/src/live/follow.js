// Following another person present (docs/live.md, "Following a presenter"; docs/design.md): pure.
// Everyone's view state (viewstate.js) travels in their `presence` messages; a follower copies the
// state of the person it follows as it arrives. Leaving is a move of one's own (a pan, a zoom, a
// click), unless the person followed holds the view (`holding`, owner and editors only). An owner
// or editor can bring everyone to them (`follow.brought`). followbar.js puts this on the page.
//
//   const model = new FollowModel();
//   model.receive(msg)   -> {apply, left, brought, roster}: what the page does now
//   model.follow(peer) / model.stop(why) / model.ownMove()

/** A presence viewport ({x, y, zoom, w, h}: pan, zoom, canvas size) fitted to a canvas of `size`:
 * the same centre, and the followed person's visible area fits inside ours. */
export function fitViewport(viewport, size) {
  if (!viewport) return null;
  const { x, y, zoom } = viewport;
  const w = viewport.w ?? size?.w;
  const h = viewport.h ?? size?.h;
  if (!size?.w || !size?.h || !w || !h) return { zoom, pan: { x, y } };
  const scale = Math.min(size.w / w, size.h / h);
  if (scale === 1 && size.w === w && size.h === h) return { zoom, pan: { x, y } }; // the same canvas: exactly
  const fitted = zoom * scale;
  const centre = { x: (w / 2 - x) / zoom, y: (h / 2 - y) / zoom };
  return { zoom: fitted, pan: { x: size.w / 2 - centre.x * fitted, y: size.h / 2 - centre.y * fitted } };
}

const round = (n) => Math.round(n * 10) / 10;

/** One's own view state (viewstate.js `get()`) as presence fields. */
export function presenceOf(view, size, at = null) {
  const fields = {
    selection: (view.selection ?? []).slice(0, 200),
    picked: view.picked ?? null,
    tables: view.tables ? { tab: view.tables.tab ?? null, node: view.tables.node || null } : null,
    console: view.console || null,
    at,
  };
  if (view.viewport) {
    const { zoom, pan } = view.viewport;
    fields.viewport = { x: round(pan.x), y: round(pan.y), zoom: Math.min(100, Math.max(0.001, zoom)),
      ...(size?.w && size?.h ? { w: Math.max(1, Math.round(size.w)), h: Math.max(1, Math.round(size.h)) } : {}) };
  }
  return fields;
}

/** A peer's presence as a partial view state to apply (viewstate.js `set`), fitted to `size`. */
export function viewOf(presence, size) {
  const state = {};
  if (presence.viewport) state.viewport = fitViewport(presence.viewport, size);
  if (Array.isArray(presence.selection)) state.selection = presence.selection;
  if (presence.picked !== undefined) state.picked = presence.picked;
  if (presence.tables) state.tables = presence.tables;
  if (presence.console) state.console = presence.console;
  if (presence.at !== undefined) state.at = presence.at;
  return state;
}

/** "Ana Lima" -> "AL", "bob" -> "B", "" -> "?". */
export function initials(name) {
  const words = String(name ?? "").trim().split(/[\s._-]+/).filter(Boolean);
  if (!words.length) return "?";
  return (words.length > 1 ? words[0][0] + words.at(-1)[0] : words[0][0]).toUpperCase();
}

/** Black or white, whichever reads better on `colour` ("#rrggbb"): WCAG's contrast of the two. */
export function textOn(colour) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour ?? "");
  if (!m) return "#fff";
  const lin = (hex) => {
    const c = parseInt(hex, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * lin(m[1]) + 0.7152 * lin(m[2]) + 0.0722 * lin(m[3]);
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000" : "#fff";
}

export class FollowModel {
  constructor() {
    this.peers = new Map(); // peer -> presence as last merged
    this.me = null; // our own peer id (presence.self)
    this.following = null;
  }

  nameOf(peer) {
    return this.peers.get(peer)?.name ?? "the presenter";
  }

  /** Is the view of the person we follow held? */
  get held() {
    return Boolean(this.following && this.peers.get(this.following)?.holding);
  }

  /** Who is watching besides us, in a stable order (by name, then peer). */
  watchers() {
    return [...this.peers.values()].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "") || a.peer.localeCompare(b.peer));
  }

  /** How many follow us. */
  followers() {
    return this.me ? [...this.peers.values()].filter((p) => p.following === this.me).length : 0;
  }

  /** A message from the socket: what changed for the page. `apply`: presence fields to copy now
   * (viewOf turns them into a view state for this canvas); `left`: we stopped following (the
   * sentence why); `brought`: who brought everyone; `roster`: the watchers changed. */
  receive(msg) {
    switch (msg.type) {
      case "presence.self":
        this.me = msg.peer;
        return { roster: true };
      case "presence": {
        const before = this.peers.get(msg.peer);
        const merged = { ...(before ?? {}), ...msg };
        this.peers.set(msg.peer, merged);
        if (msg.peer !== this.following) return { roster: true };
        return { roster: true, apply: msg };
      }
      case "presence.left": {
        const name = this.nameOf(msg.peer);
        this.peers.delete(msg.peer);
        if (msg.peer !== this.following) return { roster: true };
        this.following = null;
        return { roster: true, left: `${name} left: you are no longer following.` };
      }
      case "follow.brought":
        if (msg.peer === this.me) return {};
        if (!this.peers.has(msg.peer)) this.peers.set(msg.peer, { peer: msg.peer, name: msg.name });
        return { roster: true, ...this.follow(msg.peer), brought: msg.name };
      default:
        return {};
    }
  }

  /** Start following `peer`: its whole view state as known now. */
  follow(peer) {
    if (!peer || peer === this.me) return {};
    this.following = peer;
    return { apply: this.peers.get(peer) ?? {} };
  }

  stop(why = null) {
    const name = this.following ? this.nameOf(this.following) : null;
    this.following = null;
    return { left: why ?? (name ? `You stopped following ${name}.` : null) };
  }

  /** We moved the view ourselves (pan, zoom, click): leave, or, when held, take the held view back. */
  ownMove() {
    if (!this.following) return {};
    if (this.held) return { apply: this.peers.get(this.following), refused: true };
    return this.stop(`You moved the view: you stopped following ${this.nameOf(this.following)}.`);
  }
}
