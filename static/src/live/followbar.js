// Follow-the-teacher on the page (follow.js is the pure part; docs/live.md "Following a presenter"):
// who is watching (initials in their colours, each a button to follow them), the bar of the person
// following ("Following Ana — Stop following"), and for owners and editors "Bring everyone to me"
// and "Hold the view". This person's view state (viewstate.js) goes out in presence messages
// (presencesend.js) unless they follow someone; the followed person's arrives and is applied.
import { h } from "./dom.js";
import { FollowModel, initials, presenceOf, textOn, viewOf } from "./follow.js";
import { queuePresence } from "./presencesend.js";

const INPUT_MS = 1000; // a view change this soon after a gesture of one's own is one's own move
const HELD = "The view is held by the presenter while they present.";
const SAID_MS = 12_000;

/**
 * @param {object} options
 * @param {object} options.cy the canvas (null: none)
 * @param {object} options.view the view state (viewstate.js)
 * @param {object} options.session the LiveSession (its socket, its `message` events)
 * @param {Element} options.slot where the bar and the watchers go
 * @param {Element} options.panels the live panels' root (a click there is a move of one's own)
 * @param {Function} options.canPresent () -> may this person bring everyone and hold (owner, editor)
 * @param {Function} options.lookBack (seconds | null) applies a private look back
 * @param {Function} options.privateAt () -> this person's look back (seconds) or null
 */
export function installFollow({ cy, view, session, slot, panels, canPresent, lookBack, privateAt, now = () => performance.now() }) {
  const model = new FollowModel();
  const send = (message) => {
    if (session.connected) session.socket.send(JSON.stringify(message));
  };
  const size = () => (cy ? { w: cy.width(), h: cy.height() } : null);
  let inputAt = -Infinity;
  let holding = false; // this person holds the view of their followers
  const gesture = () => { inputAt = now(); };
  for (const type of ["pointerdown", "wheel", "keydown", "touchstart"]) {
    cy?.container()?.addEventListener(type, gesture, { capture: true, passive: true });
    panels?.addEventListener(type, gesture, { capture: true, passive: true });
  }

  // -- the page's parts
  const said = h("p", { className: "follow-said", role: "status", "aria-live": "polite" });
  const roster = h("ul", { className: "follow-roster", "aria-label": "Watching now" });
  const count = h("span", { className: "follow-count" });
  const bring = h("button", { type: "button", className: "follow-bring", title: "Everyone watching starts following your view",
    onclick: () => session.send("follow.bring").then(() => say("Everyone watching now follows you.")).catch((e) => say(e.message)) },
  "Bring everyone to me");
  const hold = h("button", { type: "button", className: "follow-hold", "aria-pressed": "false",
    title: "While on, those following you cannot leave your view", onclick: () => setHold(!holding) }, "Hold the view");
  const barText = h("span", { className: "follow-bar-text" });
  const stop = h("button", { type: "button", className: "follow-stop", onclick: () => leave(model.stop()) }, "Stop following");
  const bar = h("div", { className: "follow-bar", role: "status", hidden: true }, barText, " ", stop);
  const tools = h("span", { className: "follow-tools" }, bring, hold);
  slot.replaceChildren(h("div", { className: "follow-line" }, h("span", { className: "follow-label" }, "Watching:"), roster, count, tools),
    bar, said);

  // What happened (left, brought, held) stays a while, then gives its room back.
  let sayTimer = null;
  const say = (text) => {
    said.textContent = text ?? "";
    clearTimeout(sayTimer);
    if (text) sayTimer = setTimeout(() => { said.textContent = ""; }, SAID_MS);
  };

  const setHold = (on) => session.send("follow.hold", { on }).then(() => {
    holding = on;
    hold.setAttribute("aria-pressed", String(on));
    hold.textContent = on ? "Release the view" : "Hold the view";
    say(on ? "You hold the view: those following you stay with you." : "You released the view.");
  }).catch((e) => say(e.message));

  const drawRoster = () => {
    tools.hidden = !canPresent();
    const people = model.watchers();
    roster.replaceChildren(...people.map((p) => {
      const chip = h("button", { type: "button", className: "follow-chip", dataset: { peer: p.peer },
        "aria-pressed": String(model.following === p.peer),
        title: `${p.name}${p.role ? ` (${p.role})` : ""}${p.following ? "" : ": click to follow"}`,
        "aria-label": `Follow ${p.name}`, onclick: () => start(p.peer) }, initials(p.name));
      if (p.colour) Object.assign(chip.style, { background: p.colour, color: textOn(p.colour) }); // CSSOM (CSP)
      return h("li", {}, chip);
    }));
    const mine = model.followers();
    count.textContent = `${people.length + 1} watching${mine ? ` · ${mine} following you` : ""}`;
    const followed = model.following;
    bar.hidden = !followed;
    document.documentElement.classList.toggle("following", Boolean(followed));
    if (followed) {
      const held = model.held;
      barText.textContent = `Following ${model.nameOf(followed)}${held ? ` — ${HELD}` : ""}`;
      stop.disabled = held;
      stop.title = held ? HELD : "Back to your own view";
    }
    if (cy) {
      cy.userPanningEnabled(!model.held);
      cy.userZoomingEnabled(!model.held);
    }
  };

  // -- applying what the followed person sees
  const apply = (presence) => {
    const state = viewOf(presence, size());
    const mine = view.get();
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    for (const key of ["selection", "picked", "tables", "console"]) if (key in state && same(state[key], mine[key])) delete state[key];
    const { at, picked, ...rest } = state;
    if (at !== undefined && at !== privateAt()) lookBack(at);
    // The pick first: it selects the event's places and may scroll the canvas to them; the
    // followed person's viewport and selection then win.
    if (picked !== undefined) {
      view.set({ picked });
      cy?.stop(true, false);
    }
    if (Object.keys(rest).length) view.set(rest);
  };
  const announce = () => queuePresence({ following: model.following }, send);
  const leave = ({ left }) => {
    if (left) say(left);
    announce();
    drawRoster();
    share(view.get());
  };
  const start = (peer) => {
    if (peer === model.following) return;
    const { apply: state } = model.follow(peer);
    say(null);
    announce();
    drawRoster();
    if (state) apply(state);
  };

  // -- this person's own moves
  const share = (state) => {
    if (model.following) return; // a follower's view is the followed person's: nothing to send
    queuePresence(presenceOf(state, size(), privateAt()), send);
  };
  view.subscribe((state) => {
    if (!model.following) {
      share(state);
      return;
    }
    if (now() - inputAt > INPUT_MS) return; // the run or the follow moved it, not this person
    const out = model.ownMove();
    if (out.apply) apply(out.apply);
    else leave(out);
  });

  // -- the socket
  session.addEventListener("message", ({ detail }) => {
    if (!["presence", "presence.left", "presence.self", "follow.brought"].includes(detail.type)) return;
    const out = model.receive(detail);
    if (out.brought) say(`${out.brought} brought everyone to their view.`);
    if (out.left) say(out.left);
    if (out.apply) apply(out.apply);
    if (out.roster || out.left || out.brought) {
      drawRoster();
      if (out.left) share(view.get());
    }
  });
  // A fresh socket: say who we are and what we see (the others forgot a closed socket).
  session.addEventListener("hello", () => {
    model.peers.clear();
    queuePresence({ ...presenceOf(view.get(), size(), privateAt()), following: model.following }, send);
    drawRoster();
  });
  drawRoster();

  return {
    /** A look back of this person's own (the timeline): leaves the followed view, refused if held. */
    ownLookBack(seconds) {
      if (model.following) {
        if (model.held) {
          say(HELD);
          return false;
        }
        leave(model.stop(`You looked back on your own: you stopped following ${model.nameOf(model.following)}.`));
      }
      lookBack(seconds);
      share(view.get());
      return true;
    },
    follow: start,
    stop: () => leave(model.stop()),
    snapshot: () => ({
      me: model.me,
      following: model.following,
      followingName: model.following ? model.nameOf(model.following) : null,
      held: model.held,
      holding,
      said: said.textContent,
      watchers: model.watchers().map(({ peer, name, following, holding: h }) => ({ peer, name, following: following ?? null, holding: Boolean(h) })),
      followers: model.followers(),
    }),
  };
}
