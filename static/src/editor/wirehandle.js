// A visible handle to start a wire: the selected node gets a small round "wire" handle at the
// top-right corner of its box; pressing it and dragging draws a wire from that node (a host's
// own NIC, not a VM inside it). It is a view-only canvas node (data `part` and `handle`), never in
// the document; syncCanvas leaves it alone. `start(node)` begins the wire (edgehandles' start).

export const HANDLE_ID = "wire-handle";

/** Where the handle of a node with bounding box `bb` goes: just outside its top-right corner. */
export function handlePosition(bb) {
  return { x: bb.x2 + 6, y: bb.y1 - 6 };
}

export function installWireHandle(cy, { start, canWire = () => true }) {
  let queued = false;
  const place = () => {
    queued = false;
    const selected = cy.nodes(":selected[!part]");
    let handle = cy.getElementById(HANDLE_ID);
    if (selected.length !== 1 || !canWire(selected[0])) {
      handle.remove();
      return;
    }
    const owner = selected[0];
    const at = handlePosition(owner.boundingBox({ includeLabels: false }));
    if (handle.empty()) {
      handle = cy.add({
        group: "nodes",
        data: { id: HANDLE_ID, part: true, handle: true, owner: owner.id(), label: "" },
        classes: "wire-handle",
        position: at,
        selectable: false,
        grabbable: false,
      });
    } else {
      handle.data("owner", owner.id());
      handle.position(at);
    }
  };
  // After the event (a drag moves many nodes, a sync adds and removes many): once per tick.
  const later = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(place);
  };
  cy.on("select unselect add remove position", "node[!handle]", later);
  cy.on("tapstart", `#${HANDLE_ID}`, (event) => {
    const owner = cy.getElementById(event.target.data("owner"));
    if (owner.nonempty()) start(owner);
  });
  return { refresh: later };
}
