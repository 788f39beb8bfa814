// The design page's co-editing: the editor's steps go to the server over the design websocket
// (the live panel's LiveSession: one socket per page), the server's changes come back into the
// editor; the model's Replica (model/coedit.js) keeps confirmed + pending. Status in the toolbar:
// "Saved", "Saving…", "Offline: N changes waiting"; a refused change is rolled back and said.
import { Replica, newClientId } from "../model/coedit.js";

export const CoeditState = Object.freeze({ SAVED: "saved", SAVING: "saving", OFFLINE: "offline" });
// A websocket message is at most 64 KiB (docs/limits.md). A bigger change (an import or a paste of
// many nodes) would be dropped by the server and wait forever: it is refused here at once, rolled
// back like a change the server refused, with the reason.
export const MAX_CHANGE_BYTES = 64 * 1024;

export function tooLarge(text) {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes <= MAX_CHANGE_BYTES) return null;
  return `it is ${Math.ceil(bytes / 1024)} KiB and one live change is at most 64 KiB: make it in smaller steps, `
    + "or import the file as a new design from the designs page";
}

// Changes made offline outlive a reload or a closed tab: they are kept in the browser's storage
// under the design until the server has answered them, and sent again when the page opens.
const storageKey = (designId) => `designer.coedit.pending.${designId}`;

/** What a reload kept for this design (`Replica.saved()`), or null; anything malformed is dropped. */
export function keptChanges(storage, designId) {
  let kept = null;
  try {
    kept = JSON.parse(storage?.getItem(storageKey(designId)) ?? "null");
  } catch {
    kept = null;
  }
  const fine = kept && typeof kept.client === "string" && /^[a-z0-9]{1,40}$/.test(kept.client)
    && Number.isInteger(kept.count) && Array.isArray(kept.items) && kept.items.length > 0
    && kept.items.every((i) => i && typeof i.change === "string" && Array.isArray(i.ops) && Number.isInteger(i.base));
  return fine ? kept : null;
}

export function startCoedit({ editor, session, version, onState, say, onMessage = () => {}, designId = null,
  storage = globalThis.localStorage }) {
  const replica = new Replica({ doc: editor.doc, seq: version, client: newClientId() });
  const kept = designId == null ? null : keptChanges(storage, designId);
  if (kept) {
    editor.rebase(replica.restore(kept), { seq: replica.seq });
    const n = kept.items.length;
    say(`${n} change${n > 1 ? "s" : ""} made before this page was reloaded, not saved then, ${n > 1 ? "are" : "is"} being sent now.`, "info");
  }
  const keep = () => {
    if (designId == null || !storage) return;
    try {
      const saved = replica.saved();
      if (saved) storage.setItem(storageKey(designId), JSON.stringify(saved));
      else storage.removeItem(storageKey(designId));
    } catch {
      // storage full or refused (a private window): the changes still wait in memory
    }
  };
  const send = (message) => {
    if (session.connected) session.socket.send(JSON.stringify(message));
  };
  let refusedCount = 0;
  const state = () => {
    keep();
    const waiting = replica.pending.length;
    if (!replica.connected) {
      onState(CoeditState.OFFLINE, waiting ? `Offline: ${waiting} change${waiting > 1 ? "s" : ""} waiting` : "Offline: reconnecting");
    } else if (waiting) onState(CoeditState.SAVING, "Saving…");
    else onState(CoeditState.SAVED, "Saved");
  };
  const flush = () => {
    for (const message of replica.outgoing()) {
      const why = tooLarge(JSON.stringify(message));
      if (why) handle({ type: "error", ref: message.change, code: "ws.too_large", msg: why });
      else send(message);
    }
    state();
  };
  editor.onStep = ({ ops }) => {
    const change = replica.local(ops);
    queueMicrotask(flush);
    return change;
  };
  const handle = (msg) => {
    const result = replica.receive(msg);
    if (result.sync) send(result.sync);
    if (result.changed) editor.rebase(replica.doc, { seq: replica.seq });
    for (const event of result.events) {
      if (event.kind === "accepted") editor.history.accepted(event.change, event.ops);
      else if (event.kind === "refused") {
        refusedCount += 1;
        editor.history.refused(event.change);
        say(`Your change was not applied: ${event.msg}`, "error");
      } else if (event.kind === "noted" || event.kind === "skipped") {
        say(`${event.kind === "skipped" ? "Your change changed nothing: " : ""}${event.notes.join("; ")}.`, "info");
      }
    }
    if (msg.type === "design.synced" || result.changed) flush();
    else state();
  };
  session.addEventListener("hello", () => {
    send(replica.opened());
    state();
  });
  session.addEventListener("connection", ({ detail }) => {
    if (!detail.connected) {
      replica.closed();
      state();
    }
  });
  session.addEventListener("message", ({ detail }) => {
    if (detail.type?.startsWith("design.")) handle(detail);
    onMessage(detail);
  });
  session.addEventListener("error", ({ detail }) => {
    if (detail.ref && replica.pending.some((p) => p.change === detail.ref)) handle({ type: "error", ...detail, msg: detail.message });
  });
  if (session.connected && session.role) {
    send(replica.opened());
  }
  state();
  return {
    replica,
    state: () => ({ seq: replica.seq, pending: replica.pending.length, connected: replica.connected,
      synced: replica.synced, client: replica.client, refused: refusedCount }),
    send,
  };
}
