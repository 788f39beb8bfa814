"""The console of a node: a command registry, command lines, output lines at simulated times."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    summary: str
    run: Callable[[Console, list[str]], Any]
    aliases: tuple[str, ...] = ()


REGISTRY: dict[str, Command] = {}


def command(name: str, summary: str, aliases: tuple[str, ...] = ()) -> Callable:
    """Register ``fn(console, argv) -> int | Job`` as command ``name`` (and its aliases)."""

    def register(fn: Callable) -> Callable:
        cmd = Command(name, summary, fn, aliases)
        for key in (name, *aliases):
            if key in REGISTRY:
                raise ValueError(f"command {key!r} is already registered")
            REGISTRY[key] = cmd
        return fn

    return register


class Job:
    """A command still running (ping). Subclasses call ``self.console.job_done(self, status)``."""

    name = "job"

    def __init__(self, console: Console, line: str):
        self.console = console
        self.line = line
        self.status: int | None = None

    def interrupt(self) -> None:
        """Ctrl-C."""
        self.console.job_done(self, 130)


class Console:
    """Runs command lines on ``node`` (which has ``id``, ``name``, ``stack``, ``engine``, ``tracer``)."""

    def __init__(self, node: Any):
        self.node = node
        self.engine = node.engine  # a VM's guest clock: what its commands time themselves with
        self.tracer = node.tracer  # its engine is the run's: output lines are stamped with that time
        self.stack = node.stack
        self.lines: list[tuple[int, str]] = []  # (t_ns, text) of every output line
        self.facts: list[dict] = []
        self.jobs: list[Job] = []
        self.current_line = ""  # the line being started, for commands that become jobs

    # -- input --------------------------------------------------------------------------------
    def run(self, line: str) -> Job | int:
        """Run one command line now. Returns the exit status, or the Job still running."""
        machine = getattr(self.node, "machine", None)
        if machine is not None:
            refused = machine.console_refusal()
            if refused is not None:  # a VM that is off, paused or booting: no shell reads the line
                machine.refuse("console", refused)
                return 1
        tr = self.tracer
        if tr.on:
            tr.emit("command.run", f"{self.node.name}$ {line}", node=self.node.id, line=line)
        try:
            argv = shlex.split(line)
        except ValueError:
            self.print("bash: syntax error: unterminated quoted string")
            return self._done(line, 2)
        if not argv:
            return self._done(line, 0)
        cmd = REGISTRY.get(argv[0])
        if cmd is None:
            self.print(f"bash: {argv[0]}: command not found")
            return self._done(line, 127)
        self.current_line = line
        result = cmd.run(self, argv)
        if isinstance(result, Job):
            if result.status is None:
                self.jobs.append(result)
            return result
        return self._done(line, int(result))

    def interrupt(self) -> None:
        """Ctrl-C: stop every running job (ping prints its statistics, as on a real terminal)."""
        for job in list(self.jobs):
            job.interrupt()

    def restart(self) -> None:
        """The machine lost its RAM (a VM powered off or reset): no job runs any more, and commands
        use the node's new stack. The lines already printed stay."""
        self.stack = self.node.stack
        self.jobs = []

    # -- output -------------------------------------------------------------------------------
    def print(self, text: str = "") -> None:
        now = self.tracer.engine.now
        self.lines.append((now, text))
        tr = self.tracer
        if tr.on:
            tr.emit("console.output", f"{self.node.name} prints: {text}" if text else f"{self.node.name} prints a blank line",
                    node=self.node.id, line=text)

    def fact(self, fact: dict) -> None:
        self.facts.append({"t": self.tracer.engine.now, "node": self.node.id, **fact})

    def job_done(self, job: Job, status: int) -> None:
        job.status = status
        if job in self.jobs:
            self.jobs.remove(job)
        self._done(job.line, status)

    def _done(self, line: str, status: int) -> int:
        self.fact({"kind": "command", "line": line, "exit": status})
        tr = self.tracer
        if tr.on:
            tr.emit("command.exit", f"{self.node.name}: '{line}' ends with exit status {status}",
                    node=self.node.id, line=line, exit=status)
        return status

    def output(self) -> list[str]:
        return [text for _t, text in self.lines]


@command("help", "list the commands this console knows")
def _help(console: Console, argv: list[str]) -> int:
    seen = set()
    for key in sorted(REGISTRY):
        cmd = REGISTRY[key]
        if cmd.name in seen:
            continue
        seen.add(cmd.name)
        alias = f" (also: {', '.join(cmd.aliases)})" if cmd.aliases else ""
        console.print(f"{cmd.name:<10} {cmd.summary}{alias}")
    return 0
