// The design page's co-editing: the editor's steps go to the server over the design websocket
// (the live panel's LiveSession: one socket per page), the server's changes come back into the
// editor; the model's Replica (model/coedit.js) keeps confirmed + pending. Status in the toolbar:
// "Saved", "Saving…", "Offline: N changes waiting"; a refused change is rolled back and said.
import { Replica, newClientId } from "../model/coedit.js";

export const CoeditState = Object.freeze({ SAVED: "saved", SAVING: "saving", OFFLINE: "offline" });

export function startCoedit({ editor, session, version, onState, say, onMessage = () => {} }) {
  const replica = new Replica({ doc: editor.doc, seq: version, client: newClientId() });
  const send = (message) => {
    if (session.connected) session.socket.send(JSON.stringify(message));
  };
  let refusedCount = 0;
  const state = () => {
    const waiting = replica.pending.length;
    if (!replica.connected) {
      onState(CoeditState.OFFLINE, waiting ? `Offline: ${waiting} change${waiting > 1 ? "s" : ""} waiting` : "Offline: reconnecting");
    } else if (waiting) onState(CoeditState.SAVING, "Saving…");
    else onState(CoeditState.SAVED, "Saved");
  };
  const flush = () => {
    for (const message of replica.outgoing()) send(message);
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
