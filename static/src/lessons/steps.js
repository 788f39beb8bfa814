// A lesson's steps in the presenter view (?lesson=<id>): Previous / Next move the run to the
// step's moment (a seek to its time, as the timeline does) and highlight what to look at. The
// texts are HTML rendered on the server from Markdown with raw HTML off (designer/lessons/markdown.py).

/** Mounts the step panel into `panel`; `seek(t)` moves the run, `highlight(look)` marks the node. */
export function mountSteps({ panel, steps, seek, highlight }) {
  let index = -1;
  const counter = document.createElement("span");
  counter.className = "lesson-counter";
  const body = document.createElement("div");
  body.className = "lesson-step-body";
  const prev = document.createElement("button");
  prev.type = "button";
  prev.id = "lesson-prev";
  prev.textContent = "Previous step";
  const next = document.createElement("button");
  next.type = "button";
  next.id = "lesson-next";
  next.textContent = "Next step";
  const nav = document.createElement("div");
  nav.className = "lesson-nav";
  nav.append(prev, next, counter);
  // The buttons and the counter first, on one line: they stay in view however long the step's
  // text is (its body scrolls, present.css).
  panel.replaceChildren(nav, body);

  const show = (i) => {
    index = Math.max(0, Math.min(steps.length - 1, i));
    const step = steps[index];
    counter.textContent = `Step ${index + 1} of ${steps.length} · t = ${step.at} s`;
    const title = document.createElement("h2");
    title.textContent = step.title;
    const parts = [title];
    for (const [cls, label, html] of [["lesson-text", "", step.text], ["lesson-do", "Do: ", step.do],
      ["lesson-expect", "You should see: ", step.expect]]) {
      if (!html) continue;
      const div = document.createElement("div");
      div.className = cls;
      if (label) {
        const strong = document.createElement("strong");
        strong.textContent = label;
        div.append(strong);
      }
      const content = document.createElement("div");
      content.innerHTML = html; // server-rendered Markdown, raw HTML disabled there
      div.append(content);
      parts.push(div);
    }
    body.replaceChildren(...parts);
    prev.disabled = index === 0;
    next.disabled = index === steps.length - 1;
    panel.dataset.step = String(index + 1);
    seek(step.at);
    highlight(step.look || {});
  };
  prev.addEventListener("click", () => show(index - 1));
  next.addEventListener("click", () => show(index + 1));
  return { show, current: () => index };
}
