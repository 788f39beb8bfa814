// Browser replicas for the co-editing fuzz test (tests/web/test_coedit_fuzz.py): the editor's
// real model (Editor, commands, History) and co-editing Replica, driven over stdin/stdout in JSON
// lines by the Python test, which carries their messages to and from the real consumer.
//
//   {"cmd": "init", "seed": 7, "clients": [{"doc": {...}, "seq": 3}, ...]}  -> {"ok": true}
//   {"cmd": "act", "client": 0}     a random user step (edit, undo, redo)  -> {"send": [...], "did": "..."}
//   {"cmd": "opened", "client": 0}  the socket is up (after design.hello)   -> {"send": [design.sync]}
//   {"cmd": "closed", "client": 0}                                          -> {}
//   {"cmd": "receive", "client": 0, "msg": {...}}                           -> {"send": [...], "problems": [...]}
//   {"cmd": "state", "client": 0}   -> {"doc", "seq", "pending", "confirmed", "problems"}
import { createInterface } from "node:readline";
import { Editor } from "../../static/src/model/editor.js";
import { Replica } from "../../static/src/model/coedit.js";
import { kinds, mulberry32, problems } from "../../static/src/model/tests/helpers.js";

let clients = [];
let random = Math.random;

const pick = (list) => list[Math.floor(random() * list.length)];

function step(c) {
  const doc = c.editor.doc;
  const nodes = doc.nodes ?? [];
  const hosts = nodes.filter((n) => n.kind === "host");
  const roll = random();
  try {
    if (roll < 0.1) return c.editor.undo() ? "undo" : "undo (nothing)";
    if (roll < 0.15) return c.editor.redo() ? "redo" : "redo (nothing)";
    if (roll < 0.3 || nodes.length < 2) {
      const kind = hosts.length && random() < 0.6 ? pick(["vm", "container", "vswitch"]) : pick(["host", "lan_switch"]);
      c.editor.run("node.add", { kind, at: { x: Math.floor(random() * 800), y: Math.floor(random() * 600) },
        host: hosts.length ? pick(hosts).id : undefined });
      return `add ${kind}`;
    }
    if (roll < 0.5) {
      const n = pick(nodes);
      c.editor.run("nodes.move", { ids: [n.id], dx: Math.floor(random() * 40) - 20, dy: Math.floor(random() * 40) - 20 });
      return `move ${n.id}`;
    }
    if (roll < 0.65) {
      const n = pick(nodes);
      c.editor.run("property.set", { path: `nodes[${n.id}].name`, value: `n${Math.floor(random() * 1000)}` });
      return `rename ${n.id}`;
    }
    if (roll < 0.78) {
      const n = pick(nodes);
      c.editor.run("selection.delete", { nodes: [n.id], links: [] });
      return `delete ${n.id}`;
    }
    const a = pick(nodes);
    const b = pick(nodes);
    if (a.id === b.id) return "nothing";
    c.editor.run("link.connect", { a: { node: a.id }, b: { node: b.id } });
    return `connect ${a.id} ${b.id}`;
  } catch (error) {
    return `refused locally: ${error.message}`;
  }
}

function handle(req) {
  const c = clients[req.client];
  switch (req.cmd) {
    case "init": {
      random = mulberry32(req.seed);
      clients = req.clients.map((spec, i) => {
        const editor = new Editor({ kinds, doc: spec.doc });
        const replica = new Replica({ doc: spec.doc, seq: spec.seq, client: `f${req.seed}c${i}` });
        editor.onStep = ({ ops }) => replica.local(ops);
        return { editor, replica };
      });
      return { ok: true };
    }
    case "act": {
      const did = step(c);
      return { send: c.replica.outgoing(), did };
    }
    case "opened":
      return { send: [c.replica.opened()] };
    case "closed":
      c.replica.closed();
      return {};
    case "receive": {
      const result = c.replica.receive(req.msg);
      if (result.changed) c.editor.rebase(c.replica.doc);
      for (const event of result.events) {
        if (event.kind === "accepted") c.editor.history.accepted(event.change, event.ops);
        if (event.kind === "refused") c.editor.history.refused(event.change);
      }
      const send = result.sync ? [result.sync] : [];
      send.push(...c.replica.outgoing());
      // The server's document at every seq this replica reached must be a good one.
      return { send, problems: req.msg.type === "design.ops" || req.msg.type === "design.snapshot" ? problems(c.replica.confirmed) : [] };
    }
    case "state":
      return { doc: c.editor.doc, confirmed: c.replica.confirmed, seq: c.replica.seq, pending: c.replica.pending.length,
        problems: problems(c.editor.doc) };
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let answer;
  try {
    answer = handle(JSON.parse(line));
  } catch (error) {
    answer = { error: `${error.message}\n${error.stack}` };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
});
