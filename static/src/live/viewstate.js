// What one person sees of a design, in one place: the canvas viewport, the selection, the event
// picked (the inspector and the caption follow it), the tab and node of the live tables and the
// console in view. `get()` reads it, `set(partial)` applies it, `subscribe(fn)` hears every change
// the person makes (coalesced to one call per animation frame, only when something differs).
// Follow-the-teacher is meant to be built on this: a presenter's `subscribe` sends, a follower's
// `set` applies; nothing here is stored in the design or sent anywhere.
//
//   { viewport: {zoom, pan: {x, y}}, selection: [ids], picked: seq | null,
//     tables: {tab, node}, console: node id | null }

/**
 * @param {object} options
 * @param {object} options.cy the canvas (Cytoscape)
 * @param {Function} options.panels () -> {events, tables, consoles} as built now (rebuilt panels
 *   are read again, never held)
 * @param {Element} options.root where the panels live (their clicks and keys are watched)
 * @param {Function} [options.frame] requestAnimationFrame (tests pass their own)
 */
export function createViewState({ cy, panels, root, frame = requestAnimationFrame }) {
  const listeners = new Set();
  let last = null;
  let scheduled = false;

  const get = () => {
    const { events, tables, consoles } = panels();
    return {
      viewport: cy ? { zoom: cy.zoom(), pan: { ...cy.pan() } } : null,
      selection: cy ? cy.$(":selected").map((e) => e.id()).sort() : [],
      picked: events?.picked() ?? null,
      tables: tables?.current() ?? null,
      console: consoles?.current() ?? null,
    };
  };

  const changed = () => {
    if (scheduled || !listeners.size) return;
    scheduled = true;
    frame(() => {
      scheduled = false;
      const now = get();
      const key = JSON.stringify(now);
      if (key === last) return;
      last = key;
      for (const fn of listeners) fn(now);
    });
  };

  const set = (state = {}) => {
    const { events, tables, consoles } = panels();
    if (cy && state.viewport) cy.viewport({ zoom: state.viewport.zoom, pan: state.viewport.pan });
    if (cy && state.selection) {
      cy.batch(() => {
        cy.elements(":selected").unselect();
        for (const id of state.selection) cy.getElementById(id).select();
      });
    }
    if (state.picked !== undefined) events?.pickSeq(state.picked);
    if (state.tables) tables?.show(state.tables);
    if (state.console) consoles?.select(state.console);
    last = JSON.stringify(get()); // applied from outside: not a change of this person's own
  };

  cy?.on("viewport select unselect", changed);
  for (const type of ["click", "change", "keyup"]) root?.addEventListener(type, changed);

  return {
    get,
    set,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
