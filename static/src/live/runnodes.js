// Containers made during the run (`lxc launch`, `docker run` on a host's console) drawn on the
// canvas inside their host, from the live tables (`tables.containers`, docs/containers.md): one
// appears when the run makes it, dims while stopped, goes when the run no longer has it (deleted,
// or a seek to before it was made). They are view-only parts (`part`), never saved in the design;
// keeping one in the design is the websocket's `run.keep`.

// The run's containers as canvas nodes: { id, parent, label, state, runtime } for each container
// the design does not draw itself (`drawn(id)` says which ids the design has).
export function runContainers(tables, drawn = () => false) {
  const out = [];
  for (const [host, rows] of Object.entries(tables?.containers ?? {})) {
    for (const row of rows ?? []) {
      if (!row || typeof row.node !== "string" || drawn(row.node)) continue;
      out.push({ id: row.node, parent: host, label: row.name, image: row.image, state: row.state, runtime: row.runtime });
    }
  }
  return out;
}

const STOPPED = new Set(["STOPPED", "exited", "created"]);

// Bring the canvas in step with the run's containers (a cytoscape instance).
export function syncRunContainers(cy, tables) {
  const wanted = runContainers(tables, (id) => {
    const node = cy.getElementById(id);
    return node.nonempty() && !node.data("runMade");
  });
  const ids = new Set(wanted.map((c) => c.id));
  cy.batch(() => {
    cy.nodes("[?runMade]").forEach((n) => {
      if (!ids.has(n.id())) n.remove();
    });
    wanted.forEach((c, i) => {
      const classes = `container run-made${STOPPED.has(c.state) ? " stopped" : ""}`;
      const label = `${c.label}\n${c.image}`;
      const existing = cy.getElementById(c.id);
      if (existing.nonempty()) {
        existing.data({ label, state: c.state });
        existing.classes(classes);
        return;
      }
      const host = cy.getElementById(c.parent);
      const at = host.nonempty() ? host.position() : { x: 0, y: 0 };
      cy.add({
        group: "nodes",
        data: { id: c.id, kind: "container", label, part: true, runMade: true, state: c.state,
                ...(host.nonempty() ? { parent: c.parent } : {}) },
        classes,
        position: { x: at.x - 60 + 60 * (i % 3), y: at.y + 50 + 50 * Math.floor(i / 3) },
        selectable: true,
        grabbable: false,
      });
    });
  });
}
