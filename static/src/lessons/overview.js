// The teacher's class overview (templates/designer/lessons/class.html): every student's completion,
// asked again every 4 s; the percentages are updated in place (text only).
const POLL_MS = 4000;

async function refresh(table) {
  const response = await fetch(table.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  let changed = false;
  for (const row of data.rows) {
    const tr = [...table.querySelectorAll("tr[data-student]")].find((r) => r.dataset.student === row.student);
    if (!tr) { changed = true; continue; }
    for (const cell of row.cells) {
      const td = [...tr.querySelectorAll("td[data-activity]")].find((d) => d.dataset.activity === cell.activity);
      const span = td?.querySelector(".percent");
      if (cell.design_id && !span) changed = true;
      else if (span) span.textContent = `${cell.percent}%`;
    }
  }
  table.dataset.polled = String(Number(table.dataset.polled || 0) + 1);
  // A student who joined or started since the page was drawn: draw the page again.
  if (changed) window.location.reload();
}

const table = document.getElementById("class-overview");
if (table) setInterval(() => { if (!document.hidden) refresh(table).catch(() => {}); }, POLL_MS);
