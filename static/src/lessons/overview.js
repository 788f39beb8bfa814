// The teacher's class overview (templates/designer/lessons/class.html): every student's completion,
// pushed over the class socket (/ws/classes/<id>/, designer/lessons/live.py) as it changes. The
// table is asked for again when the socket (re)opens and when a student joins or starts; a browser
// without a socket (refused, closed, none at all) asks every SLOW_POLL_MS instead, and tries the
// socket again. A student's copy saved (`class.changed`) makes it ask for the table, which scores
// the new version. The percentages are written as text. A student who joined or started since the
// table was drawn gets a row or a cell: the table is drawn again from the page's own HTML, fetched
// and put in place (no reload: the teacher's scroll and focus stay, the projector does not flash).
export const SLOW_POLL_MS = 20000;
export const RETRY_MS = [1000, 2000, 5000, 10000, 20000];

/** One cell's percent, in place; false when the table has no such cell drawn (draw it again). */
export function setPercent(table, student, activity, percent) {
  const tr = [...table.querySelectorAll("tr[data-student]")].find((r) => r.dataset.student === student);
  const td = tr && [...tr.querySelectorAll("td[data-activity]")].find((d) => d.dataset.activity === activity);
  const span = td?.querySelector(".percent");
  if (!span) return false;
  span.textContent = `${percent}%`;
  return true;
}

async function refresh(table, reload) {
  const response = await fetch(table.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  let changed = false;
  for (const row of data.rows) {
    for (const cell of row.cells) {
      if (cell.design_id && !setPercent(table, row.student, cell.activity, cell.percent)) changed = true;
    }
    if (!table.querySelector(`tr[data-student="${CSS.escape(row.student)}"]`)) changed = true;
  }
  table.dataset.polled = String(Number(table.dataset.polled || 0) + 1);
  // A student who joined or started since the table was drawn: draw it again.
  if (changed) await reload();
}

/** The table's rows and header drawn again from the class page as the server writes it now. */
export async function redrawFromPage(table, { fetchPage = () => fetch(window.location.href, { credentials: "same-origin" }),
  parse = (html) => new DOMParser().parseFromString(html, "text/html") } = {}) {
  const response = await fetchPage();
  if (!response.ok) return;
  const fresh = parse(await response.text()).getElementById(table.id);
  if (!fresh) return;
  table.replaceChildren(...[...fresh.childNodes].map((node) => table.ownerDocument.importNode(node, true)));
  table.dataset.redrawn = String(Number(table.dataset.redrawn || 0) + 1);
}

/** Connects the table to its class socket; `WebSocket`, `timers` and `reload` can be replaced in tests. */
export function liveOverview(table, { WebSocket = globalThis.WebSocket, timers = globalThis,
  reload = () => redrawFromPage(table), url } = {}) {
  let poll = null;
  let attempt = 0;
  // One request at a time: nudges arriving meanwhile (a class of students saving) make one more.
  let asking = null;
  let again = false;
  const ask = () => {
    if (asking) { again = true; return asking; }
    asking = refresh(table, reload).catch(() => {}).finally(() => {
      asking = null;
      if (again) { again = false; ask(); }
    });
    return asking;
  };
  const startPolling = () => {
    if (poll === null) poll = timers.setInterval(() => { if (!document.hidden) ask(); }, SLOW_POLL_MS);
    table.dataset.live = "poll";
  };
  const stopPolling = () => {
    if (poll !== null) timers.clearInterval(poll);
    poll = null;
  };
  const connect = () => {
    if (typeof WebSocket !== "function") { startPolling(); return; }
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      startPolling();
      return;
    }
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type === "class.hello") {
        attempt = 0;
        stopPolling();
        table.dataset.live = "socket";
        ask(); // what changed while the socket was closed
      } else if (message.type === "class.completion") {
        if (!setPercent(table, message.student, message.activity, message.percent)) ask();
        table.dataset.pushed = String(Number(table.dataset.pushed || 0) + 1);
      } else if (message.type === "class.changed") {
        ask();
      }
    });
    socket.addEventListener("close", () => {
      startPolling();
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      attempt += 1;
      timers.setTimeout(connect, wait);
    });
  };
  connect();
}

const table = typeof document !== "undefined" ? document.getElementById("class-overview") : null;
if (table) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  liveOverview(table, { url: `${scheme}://${window.location.host}/ws/classes/${table.dataset.class}/` });
}
