// The image picker's suggestions: the registries' catalogue, simcore/design/images.json, the same
// file the engine reads for `lxc launch`, `docker run`, `lxc image list images:`, `docker search`
// and the design checks' same-kernel rule (simcore/design/imagecat.py).
import catalogue from "../../../simcore/design/images.json" with { type: "json" };

// How an image is named on a container's `image` field: `nginx:1.27` (Docker), `images:ubuntu/24.04` (LXD).
export function reference(row) {
  return row.runtime === "lxd" ? `${row.remote}:${row.alias}` : `${row.repository}:${row.tag}`;
}

// Every image as { ref, label }, those that can run on a host of `hostOs` first (a container
// shares its host's kernel); the label says the runtime, the OS family and what it is.
export function imageChoices(hostOs = "linux") {
  const rows = catalogue.images.map((row) => ({
    ref: reference(row),
    os: row.os,
    label: `${row.runtime === "lxd" ? "LXD" : "Docker"} · ${row.os === "windows" ? "Windows" : "Linux"} · ${row.description}`,
  }));
  const fits = rows.filter((r) => r.os === hostOs);
  const other = rows.filter((r) => r.os !== hostOs).map((r) => ({ ...r, label: `${r.label} (not on a ${hostOs} host)` }));
  return [...fits, ...other].map(({ ref, label }) => ({ ref, label }));
}
