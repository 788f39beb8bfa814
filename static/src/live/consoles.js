// Consoles: one tab per node with a shell (hosts, VMs, containers, outside hosts; a NAT router's
// `conntrack -L` is typed on its host). The output is the trace's `command.run` and
// `console.output` events, so every viewer sees the same terminal, replayed after a seek. An
// editor types into an xterm.js terminal (Enter sends `console.run`, Ctrl-C `console.interrupt`);
// "Plain text" swaps it for an input line and a <pre role=log>. Viewers see the output, with the
// input disabled and the reason.
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { h, tabs, uid } from "./dom.js";
import { formatTime } from "./format.js";
import { RESET, termSafe } from "./termtext.js";

export const CONSOLE_REASON = "console access is for the design's owner and editors (console access means admin access)";
export const MAX_LINES = 2000;

export function createConsoles({ nodes, canEdit, command, fontSize = 13 }) {
  const consoles = new Map(nodes.map((n) => [n.id, makeConsole(n, { canEdit, command, fontSize })]));
  const tabset = tabs([...consoles.values()].map((c) => ({ id: c.id, label: c.name, panel: c.panel })),
    { label: "Consoles", onSelect: (id) => consoles.get(id)?.shown() });
  const element = h("section", { className: "live-consoles", "aria-label": "Consoles" },
    canEdit ? null : h("p", { className: "live-note" }, `Consoles are read-only here: ${CONSOLE_REASON}.`),
    nodes.length ? tabset.element : h("p", { className: "live-muted" },
      "No node of this design has a console yet: hosts, VMs, containers, outside hosts, DHCP servers and the Internet node get one."));
  return {
    element,
    /** A `console` event of the session: {node, kind, line, t}. */
    line(detail) {
      consoles.get(detail.node)?.add(detail);
    },
    cut(t) {
      for (const c of consoles.values()) c.cut(t);
    },
    /** A private look back to `t` (ns; null: the run as it is): each console shows its lines up to
     * then; the lines that keep coming are kept for the return. */
    lookBack(t) {
      for (const c of consoles.values()) c.lookBack(t ?? null);
    },
    clear() {
      for (const c of consoles.values()) c.cut(-1);
    },
    select: (id) => tabset.select(id),
    /** The node whose console is in view. */
    current: () => tabset.selected(),
    lines: () => Object.fromEntries([...consoles].map(([id, c]) => [id, c.texts()])),
  };
}

function makeConsole(node, { canEdit, command, fontSize }) {
  const prompt = `${node.name}$ `;
  // Everything written to xterm.js goes through termSafe (termtext.js): output, names, notes.
  const termPrompt = termSafe(prompt, { colours: false });
  const tail = () => (canEdit ? termPrompt + termSafe(input, { colours: false }) : "");
  const lines = []; // [{t, text}]
  let until = null; // a private look back's instant (ns): only the lines up to it are shown
  const visible = () => (until === null ? lines : lines.filter((l) => l.t <= until));
  let term = null;
  let input = "";
  const plainId = uid("live-plain");
  const termBox = h("div", { className: "live-term", "aria-label": `Terminal of ${node.name}` });
  const log = h("pre", { className: "live-plainlog", role: "log", "aria-label": `Console output of ${node.name}`, tabindex: "0" });
  const lineId = uid("live-line");
  const lineInput = h("input", { id: lineId, type: "text", autocomplete: "off", spellcheck: "false", disabled: !canEdit,
    title: canEdit ? "Type a command and press Enter" : CONSOLE_REASON });
  const interrupt = h("button", { type: "button", disabled: !canEdit, title: canEdit ? "Ctrl-C" : CONSOLE_REASON,
    onclick: () => send("console.interrupt", { node: node.id }) }, "Interrupt (Ctrl-C)");
  const plainBox = h("div", { className: "live-plain", hidden: true }, log,
    h("div", { className: "live-plainline" }, h("label", { for: lineId }, `${prompt}`), lineInput, interrupt));
  const toggle = h("input", { type: "checkbox", id: plainId, onchange: () => {
    plainBox.hidden = !toggle.checked;
    termBox.hidden = toggle.checked;
    if (!toggle.checked) shown();
  } });
  const panel = h("div", { className: "live-console", dataset: { node: node.id } },
    h("div", { className: "live-console-head" },
      h("span", { className: "live-muted" }, canEdit ? "Enter runs the line on the simulated console; Ctrl-C interrupts." : `Read-only: ${CONSOLE_REASON}.`),
      h("label", {}, toggle, " Plain text")),
    termBox, plainBox);

  // As a terminal does, the plain log follows what is written unless its reader scrolled up to
  // read older lines (a class would otherwise watch the first lines while the answers come below).
  const following = (write) => {
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    write();
    if (atEnd) log.scrollTop = log.scrollHeight;
  };
  const note = (text) => {
    // Not part of the trace: a local remark (queued, refused), never replayed.
    term?.write(`\r\x1b[2K\x1b[2m${termSafe(text, { colours: false })}\x1b[0m\r\n${tail()}`);
    following(() => log.append(`# ${text}\n`));
  };
  const send = (type, fields) => command(type, fields).then(
    (data) => { if (type === "console.run" && data?.t !== undefined) note(`queued at ${formatTime(data.t)}: it runs as the simulation plays`); },
    (error) => note(error.code === "run.none" ? "No simulation is running: press Play first." : error.message));
  const submit = (line) => {
    if (line.trim()) send("console.run", { node: node.id, line });
  };

  lineInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      submit(lineInput.value);
      lineInput.value = "";
    } else if (event.key === "c" && event.ctrlKey) {
      send("console.interrupt", { node: node.id });
      event.preventDefault();
    }
  });

  // The terminal's full reset (RIS) is written, not called: term.reset() acts at once while writes
  // queued before it are parsed after it, so a redraw right after a line came showed that line
  // twice (a lesson's steps seek twice in a row).
  const redraw = () => {
    if (!term) return;
    term.write(`\x1bc${visible().map((l) => `${termSafe(l.text)}${RESET}\r\n`).join("")}${tail()}`);
  };
  const relog = () => following(() => log.replaceChildren(visible().map((l) => `${l.text}\n`).join("")));

  function shown() {
    if (term || termBox.hidden || !termBox.isConnected) return;
    term = new Terminal({ convertEol: true, disableStdin: !canEdit, rows: 14, cols: 80, fontSize, scrollback: MAX_LINES,
      screenReaderMode: false, cursorBlink: canEdit });
    // As many columns as the panel is wide (the rows stay 14), again whenever it resizes.
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(termBox);
    const refit = () => {
      if (termBox.offsetParent !== null) fit.fit();
    };
    refit();
    if (typeof ResizeObserver === "function") new ResizeObserver(() => requestAnimationFrame(refit)).observe(termBox);
    term.textarea?.setAttribute("aria-label", canEdit ? `Command line of ${node.name}` : `Console of ${node.name} (read-only)`);
    if (!canEdit) term.textarea?.setAttribute("aria-disabled", "true");
    term.onData((data) => {
      if (!canEdit) return;
      for (const ch of data) {
        if (ch === "\r") {
          const line = input;
          input = "";
          term.write(`\r\x1b[2K${termPrompt}`);
          submit(line);
        } else if (ch === "\x03") {
          input = "";
          term.write(`^C\r\n${termPrompt}`);
          send("console.interrupt", { node: node.id });
        } else if (ch === "\x7f" || ch === "\b") {
          if (input) {
            input = input.slice(0, -1);
            term.write("\b \b");
          }
        } else if (ch >= " " && !(ch >= "\x7f" && ch <= "\x9f")) {
          input += ch;
          term.write(ch);
        }
      }
    });
    redraw();
  }

  return {
    id: node.id,
    name: node.name,
    panel,
    shown,
    add({ kind, line, t }) {
      const text = kind === "command.run" ? `${prompt}${line}` : line ?? "";
      lines.push({ t, text });
      if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
      if (until !== null) return; // looking back: shown on the return
      following(() => {
        log.append(`${text}\n`);
        if (log.childNodes.length > MAX_LINES) log.firstChild.remove();
      });
      term?.write(`\r\x1b[2K${termSafe(text)}${RESET}\r\n${tail()}`);
    },
    cut(t) {
      let keep = lines.length;
      while (keep > 0 && lines[keep - 1].t > t) keep -= 1;
      lines.length = keep;
      relog();
      redraw();
    },
    lookBack(t) {
      if (t === until) return;
      until = t;
      panel.dataset.lookBack = String(until !== null);
      relog();
      redraw();
    },
    texts: () => lines.map((l) => l.text),
  };
}
