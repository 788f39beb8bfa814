// The packet animation's clock (pure: no DOM; animsched.test.js). It turns planned items (dots and
// pulses, animpath.js) stamped with simulated time into wall-clock intervals [start, end) and
// keeps the set on screen bounded.
//
// - A dot lasts `durationMs(speed, simNs)`: the hop's own duration at the run's speed when that is
//   long enough to see, else a readable base that shrinks with the speed (so 100× shows a stream
//   and 0.1× each packet), clamped to [minMs, maxMs]. A hop takes 50 µs simulated: at any speed
//   the base wins, which is the point — the dot's duration does not follow the speed beyond it.
// - Hops of one exchange come in the same live batch (at 1× they are microseconds apart): an
//   item at a later simulated instant than the previous one starts when the previous one ends
//   (`duration` later), so a frame is seen crossing the switch hop by hop. Items at the same
//   instant (a flood's fan-out) start together. The chain never runs more than `maxLagMs` ahead
//   of the wall clock: past that, items start at that horizon and overlap.
// - Past `streamRate` items a second (counted with a 250 ms decay) the run is a stream:
//   no chaining (an item starts when it arrives, no lag builds up) and dots are shortened so that
//   rate x duration stays under the cap (1,000 events/s: 450 ms dots, about 450 on screen).
// - At most `cap` items are on screen (the oldest is cut short for a new one: `cut`) and at most
//   `maxPending` wait (the oldest waiting are dropped, never shown: `dropped`): the per-frame work
//   is bounded whatever the event rate.

export const SCHED_DEFAULTS = Object.freeze({
  cap: 500,
  maxPending: 1500,
  baseMs: 700,
  minMs: 250,
  maxMs: 1200,
  maxLagMs: 1000,
  streamRate: 120,
});

export class DotScheduler {
  constructor(options = {}) {
    this.options = { ...SCHED_DEFAULTS, ...options };
    this.speed = 1;
    this.clear();
    this.counts = { scheduled: 0, started: 0, dropped: 0, cut: 0, finished: 0 };
  }

  clear() {
    this.pending = [];
    this.active = [];
    this.cursor = -Infinity; // wall start of the last scheduled item
    this.lastT = null; // its simulated instant
    this.recent = 0; // items scheduled lately (a decaying count, see rate)
    this.lastNow = null;
  }

  setSpeed(speed) {
    const s = Number(speed);
    if (Number.isFinite(s) && s > 0) this.speed = s;
  }

  /** Wall milliseconds a hop of `simNs` simulated nanoseconds is shown for at the current speed. */
  durationMs(simNs = 0) {
    const { baseMs, minMs, maxMs } = this.options;
    const real = Number(simNs) / (this.speed * 1e6);
    const base = baseMs / Math.sqrt(this.speed);
    return Math.min(maxMs, Math.max(minMs, Number.isFinite(real) ? real : 0, base));
  }

  /** Queues `item` (it keeps its fields; gets start and end) for simulated instant item.t. */
  schedule(item, now) {
    const { cap, minMs, maxLagMs } = this.options;
    // Items a second: a count decaying with a 250 ms time constant, times 4.
    this.recent = this.lastNow === null ? 1 : this.recent * Math.exp(-Math.max(0, now - this.lastNow) / 250) + 1;
    this.lastNow = now;
    let duration = this.durationMs(item.simNs);
    const t = Number(item.t);
    let start;
    if (this.streaming) {
      duration = Math.max(minMs, Math.min(duration, (0.9 * cap * 1000) / this.rate));
      start = now;
      // Entering a stream: what the chain put in the future starts now too (the queue stays in
      // start order, and no lag is carried into the stream).
      if (this.cursor > now) {
        for (const waiting of this.pending) {
          if (waiting.start > now) {
            waiting.end = now + (waiting.end - waiting.start);
            waiting.start = now;
          }
        }
      }
    } else {
      const later = this.lastT !== null && Number.isFinite(t) && t > this.lastT;
      start = Math.min(now + maxLagMs, Math.max(now, later ? this.cursor + duration : this.cursor));
    }
    this.cursor = start;
    if (Number.isFinite(t)) this.lastT = t;
    item.start = start;
    item.end = start + duration;
    this.pending.push(item);
    this.counts.scheduled += 1;
    const over = this.pending.length - this.options.maxPending;
    if (over > 0) {
      this.pending.splice(0, over);
      this.counts.dropped += over;
    }
    return item;
  }

  /**
   * Advances to wall time `now`: returns the items that became visible since the last call
   * (`started`); `this.active` is what is on screen. Starts are non-decreasing, so the queue is a FIFO.
   */
  tick(now) {
    let done = 0;
    for (const item of this.active) if (item.end <= now) done += 1;
    if (done) {
      this.active = this.active.filter((item) => item.end > now);
      this.counts.finished += done;
    }
    let take = 0;
    while (take < this.pending.length && this.pending[take].start <= now) take += 1;
    const due = take ? this.pending.splice(0, take) : [];
    // Items whose whole interval passed unseen (a hidden tab, a long frame) are dropped, not shown late.
    const started = due.filter((item) => item.end > now);
    this.counts.dropped += due.length - started.length;
    if (started.length) {
      this.active.push(...started);
      this.counts.started += started.length;
      const over = this.active.length - this.options.cap;
      if (over > 0) {
        this.active.splice(0, over);
        this.counts.cut += over;
      }
    }
    return started;
  }

  /** Whether items come faster than `streamRate` a second (then they are not chained). */
  get streaming() {
    return this.rate > this.options.streamRate;
  }

  /** Items scheduled a second, lately. */
  get rate() {
    return this.recent * 4;
  }

  /** Whether anything is on screen or waiting. */
  get busy() {
    return this.active.length > 0 || this.pending.length > 0;
  }
}
