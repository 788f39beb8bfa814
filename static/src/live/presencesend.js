// One presence channel per page: the editor's cursors (editor/presence.js) and the view state a
// follower copies (follow.js) both go out as `presence` messages on the page's one design socket,
// merged here and sent at most every PRESENCE_EVERY_MS (the latest of each field wins). Two
// senders of their own would double the rate on a pan, and a socket takes at most 20 messages a
// second (docs/limits.md).
export const PRESENCE_EVERY_MS = 100;

/**
 * @param {object} [options]
 * @param {Function} [options.setTimeout] tests pass their own
 * @returns {(fields: object, send: Function) => void} queue(fields, send): `send(message)` is the
 *   page's socket (the newest given is used)
 */
export function presenceQueue({ setTimeout: later = (fn, ms) => globalThis.setTimeout(fn, ms) } = {}) {
  let outgoing = {};
  let timer = null;
  let sender = null;
  return (fields, send) => {
    outgoing = { ...outgoing, ...fields };
    sender = send;
    if (timer !== null) return;
    timer = later(() => {
      timer = null;
      const message = { type: "presence", ...outgoing };
      outgoing = {};
      sender(message);
    }, PRESENCE_EVERY_MS);
  };
}

/** The page's queue (a page has one design socket). */
export const queuePresence = presenceQueue();
