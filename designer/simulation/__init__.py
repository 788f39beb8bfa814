"""Live simulation runs on the server (issue 7): one run per design, watched by every viewer.

Contract of this layer:

- A run is `(document, seed, action log)`. It executes in a child process (`worker`, forked
  from a fork server that has the engine imported, registry._worker_context) so the engine never competes with Daphne's event loop
  (known-traps.md #10). The worker paces simulated time to wall time, keeps checkpoints for
  seeking, numbers the events of its stream (`seq`, never reused within a run) and serialises
  each event once (known-traps.md #19).
- The `registry` (in the Daphne process that started the run) relays the worker's batches to the
  channel-layer group `design.<id>` as pre-serialised text, one group message per tick
  (known-traps.md #9), and keeps a bounded ring buffer for gap fill (known-traps.md #5).
- `messages` validates every incoming websocket message in one place (schema per type).
- `store` keeps what any process needs to serve or take over a run when several Daphne processes
  share Redis: the run's lease, meta, action log, streamed position, tables and ring buffer
  (docs/design.md, "Scale-out, failover and the stalled viewer").
- Nothing in `worker`, `protocol` or `pacing` imports Django: the child process stays light.
"""
