// The activity page (templates/designer/lessons/work.html): the completion and the Check's list,
// asked again every few seconds while the student works on their design in another tab, and at
// once on Check. Everything is written as text (the hints are shown as typed, never as HTML).
const POLL_MS = 4000;

export function renderResult(root, result) {
  const percent = root.querySelector("#activity-percent");
  const progress = root.querySelector("#activity-progress");
  const list = root.querySelector("#activity-results");
  const runError = root.querySelector("#activity-run-error");
  percent.textContent = String(result.percent);
  progress.value = result.percent;
  progress.textContent = `${result.percent}%`;
  runError.hidden = !result.run_error;
  runError.textContent = result.run_error || "";
  const items = result.checks.map((check) => {
    const li = document.createElement("li");
    li.className = check.passed ? "check-pass" : "check-fail";
    li.dataset.check = check.id;
    const mark = document.createElement("span");
    mark.textContent = check.passed ? "✔ passes" : "✘ not yet";
    li.append(mark, ` ${check.title} (${check.points})`);
    if (check.hint) {
      const hint = document.createElement("div");
      hint.className = "check-hint";
      hint.textContent = `Hint: ${check.hint}`;
      li.append(hint);
    }
    return li;
  });
  list.replaceChildren(...items);
  root.dataset.percent = String(result.percent);
}

function main() {
  const root = document.getElementById("activity-check");
  if (!root) return;
  const url = root.dataset.scoreUrl;
  let busy = false;
  const refresh = async () => {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) renderResult(root, await response.json());
    } catch (error) {
      console.warn("the check could not be fetched:", error);
    } finally {
      busy = false;
    }
  };
  root.querySelector("#activity-check-button").addEventListener("click", refresh);
  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
  root.dataset.ready = "true";
}

main();
