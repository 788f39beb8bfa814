"""The simulation kernel: a clock, an event queue, run limits and the run's random source.

Contract of this layer:

- Time is an integer number of nanoseconds (``Engine.now``); nothing here reads the wall clock.
  Pacing a run to wall time is the caller's job (the web app), as SimPy's ``RealtimeEnvironment``
  is a subclass and not the core.
- An event is a heap tuple ``(time_ns, priority, seq, fn, args)``. ``seq`` comes from one
  ``itertools.count()`` so events at the same time and priority run in the order they were
  scheduled, and callables are never compared.
- Randomness comes only from ``Engine.rng``, one ``random.Random(seed)`` per run.
- Misuse (negative delay, time in the past, a non-callable) raises ``ValueError``/``TypeError`` at
  once, naming the value.
- The kernel knows nothing of networks: imports only point down (it imports nothing from simcore).
"""

from simcore.engine.kernel import PRIORITY_NORMAL, PRIORITY_URGENT, Engine, RunStatus

__all__ = ["Engine", "RunStatus", "PRIORITY_NORMAL", "PRIORITY_URGENT"]
