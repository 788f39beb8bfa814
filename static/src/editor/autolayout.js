// "Auto layout" on demand: fcose (a force-directed layout that understands compound nodes, so
// guests stay inside their hosts) computes positions on the canvas, and those positions go into
// the document as ONE `nodes.arrange` command, so one Undo puts every node back. The canvas is
// only a view: the document, not the layout, is what is saved.
//
// Determinism: fcose's "randomize" starts from random positions (Math.random); with it off the
// layout refines the positions the document already has, so the same design gives the same result.

import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";

cytoscape.use(fcose);

export const AUTO_LAYOUT = Object.freeze({
  name: "fcose",
  quality: "default",
  randomize: false,
  animate: false,
  fit: true,
  padding: 30,
  nodeDimensionsIncludeLabels: true,
  // Room between nodes for the NIC labels drawn at link ends.
  idealEdgeLength: 120,
  nodeRepulsion: 6000,
});

/** Positions ({id: {x, y}}, whole numbers) of every node of `cy` after an fcose layout. */
export function layoutPositions(cy) {
  return new Promise((resolve) => {
    const layout = cy.layout(AUTO_LAYOUT);
    layout.one("layoutstop", () => {
      const positions = {};
      cy.nodes().forEach((n) => {
        const p = n.position();
        positions[n.id()] = { x: Math.round(p.x), y: Math.round(p.y) };
      });
      resolve(positions);
    });
    layout.run();
  });
}

/** Lays `cy` out and records the result as one `nodes.arrange` step through `run`. */
export async function autoLayout(cy, run, resync) {
  if (cy.nodes().empty()) return;
  const positions = await layoutPositions(cy);
  run("nodes.arrange", { positions });
  // Nodes the arrange did not move (or a refused command) are put back where the document says.
  resync();
}
