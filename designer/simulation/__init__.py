"""Live simulation runs on the server: one run per design, watched by every viewer.

Contract of this layer (docs/websocket-protocol.md is what the browser sees of it):

- A run is `(document, seed, action log)`. It executes in a child process (`worker`, forked
  from a fork server that has the engine imported, `localrun._worker_context`) so the engine never
  competes with Daphne's event loop (a thread running it inside Daphne raised the loop's p99 lag
  about 5x). The worker paces simulated time to wall time, keeps checkpoints for seeking, numbers
  the events of its stream (`seq`, never reused within a run) and serialises each event once.
- `localrun.Run` (in the Daphne process that started the run) relays the worker's batches to the
  channel-layer group as pre-serialised text, one group message per tick, and keeps a bounded
  ring buffer for gap fill (channel layers drop group messages without a word).
- `registry` keeps this process's runs and finds a design's run wherever it is hosted; `remote`
  reads a run another process hosts and forwards commands to it (`Mailbox`); `keeper` renews
  leases, refreshes seats and takes over the runs of a process that died; `runview` builds the
  texts every side shares. Imports point one way: registry -> keeper -> localrun -> remote -> runview.
- `messages` is the table of the websocket's client messages: schema, access needed, handler.
- `store` keeps what any process needs to serve or take over a run when several Daphne processes
  share Redis: the run's lease, meta, action log, streamed position, tables and ring buffer
  (docs/design.md, "Scale-out, failover and the stalled viewer").
- Nothing in `worker`, `checkpoints`, `pacing` or `pcapexport` imports Django: the child process
  stays light.
"""
