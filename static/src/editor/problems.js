// The problems panel: the schema problems and design checks of the current document, as the
// server computes them (`POST /api/validate`), refreshed a moment after each change. Each entry is
// a button that selects the object it is about (from its `objects`, else from its path).

import { csrfToken } from "./saving.js";

const REFRESH_MS = 800;

/** The node or link ids a problem is about: its `objects`, else the `nodes[i]`/`links[i]` of its path. */
export function problemTargets(problem, doc) {
  const ids = new Set((doc.nodes ?? []).map((n) => n.id).concat((doc.links ?? []).map((l) => l.id)));
  const named = (Array.isArray(problem.objects) ? problem.objects : []).filter((o) => ids.has(o));
  if (named.length) return named;
  const match = /^(nodes|links)\[(\d+)\]/.exec(problem.path ?? "");
  const item = match ? doc[match[1]]?.[Number(match[2])] : null;
  return item ? [item.id] : [];
}

/**
 * The line that ends a list the server cut short: answers list at most 50 problems (and 50
 * checks) and count the rest in `more_problems` / `more_checks` (docs/limits.md).
 */
export function moreLine(answer) {
  const more = (Number(answer?.more_problems) || 0) + (Number(answer?.more_checks) || 0);
  if (more <= 0) return "";
  return `… and ${more.toLocaleString("en-US")} more problem${more === 1 ? "" : "s"}`;
}

export class ProblemsPanel {
  constructor(list, { getDocument, select, onProblems = () => {} }) {
    this.list = list;
    // Told the problems after each refresh, with the ids they are about (the canvas marks those
    // nodes and links, the properties panel lists the selected one's): one source, so they agree.
    this.onProblems = onProblems;
    this.getDocument = getDocument;
    this.select = select;
    this.timer = null;
    this.serial = 0;
  }

  changed() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    const doc = this.getDocument();
    const serial = ++this.serial;
    let body;
    try {
      const answer = await fetch("/api/validate", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(doc),
      });
      body = await answer.json();
      if (!answer.ok) throw new Error(body.msg ?? `HTTP ${answer.status}`);
    } catch (error) {
      if (serial === this.serial) this.render([{ severity: "warning", msg: `Checks unavailable: ${error.message}`, path: "" }], doc);
      return;
    }
    if (serial === this.serial) this.render([...(body.problems ?? []), ...(body.checks ?? [])], doc, moreLine(body));
  }

  render(problems, doc, more = "") {
    this.onProblems(problems.map((problem) => ({ ...problem, targets: problemTargets(problem, doc) })));
    this.list.dataset.count = String(problems.length);
    if (!problems.length) {
      const li = document.createElement("li");
      li.textContent = "No problems found.";
      this.list.replaceChildren(li);
      return;
    }
    this.list.replaceChildren(
      ...problems.map((problem) => {
        const li = document.createElement("li");
        li.dataset.severity = problem.severity ?? "error";
        if (problem.code) li.dataset.code = problem.code;
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${problem.severity ?? "error"}: ${problem.msg}`;
        const targets = problemTargets(problem, doc);
        button.disabled = targets.length === 0;
        button.addEventListener("click", () => this.select(targets));
        li.append(button);
        return li;
      }),
    );
    if (more) {
      const li = document.createElement("li");
      li.className = "problems-more";
      li.dataset.more = "true";
      li.textContent = more;
      this.list.append(li);
    }
  }
}

const RANK = { error: 3, warning: 2, info: 1 };

/**
 * The worst severity of the problems about each object: {id: "error" | "warning" | "info"}, from
 * problems carrying their `targets` (as ProblemsPanel hands them to `onProblems`).
 */
export function worstByTarget(problems) {
  const out = {};
  for (const problem of problems) {
    const severity = problem.severity ?? "error";
    for (const id of problem.targets ?? []) {
      if (!out[id] || RANK[severity] > RANK[out[id]]) out[id] = severity;
    }
  }
  return out;
}
