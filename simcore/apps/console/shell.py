"""The console of a node: a command registry, command lines, output lines at simulated times."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simcore.engine.record import Record


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


class CommandFact(Record):
    """The fact of a command line that ended, read as the dict ``Console.fact`` would have kept:
    t, node, kind ("command"), line and exit, in that order."""

    __slots__ = ("t", "node", "line", "exit")
    KEYS = ("t", "node", "kind", "line", "exit")
    kind = "command"

    def __init__(self, t: int, node: str, line: str, exit: int):
        self.t, self.node, self.line, self.exit = t, node, line, exit


class Console:
    """Runs command lines on ``node`` (which has ``id``, ``name``, ``stack``, ``engine``, ``tracer``).

    A console keeps its attributes in slots, not in a dict: Python 3.11 gives an object with a
    dict a values array when it is made (up to 30 words for a class's first objects, a word per
    attribute name its class has seen after that), and every node has a console."""

    __slots__ = ("node", "engine", "tracer", "stack", "facts", "_lines", "_jobs", "current_line", "capture",
                 "inside")

    def __init__(self, node: Any):
        self.node = node
        self.engine = node.engine  # a VM's guest clock: what its commands time themselves with
        self.tracer = node.tracer  # its engine is the run's: output lines are stamped with that time
        self.stack = node.stack
        self.facts: list[dict] = []
        # ``lines`` and ``jobs`` are made when first asked for: a console nobody typed on and that
        # printed nothing (most containers') keeps neither list.
        self._lines: list[tuple[int, str]] | tuple = ()
        self._jobs: list[Job] | tuple = ()
        self.current_line = ""  # the line being started, for commands that become jobs
        self.capture: list[str] | None = None  # output of a command redirected to a file
        # A shell inside a container (``lxc shell``, ``docker exec -it``): it reads every line
        # typed here until ``exit`` (``run_line(line)``; simcore.virt.containers.Shell).
        self.inside: Any = None

    @property
    def lines(self) -> list[tuple[int, str]]:
        """(t_ns, text) of every output line."""
        if self._lines.__class__ is not list:
            self._lines = []
        return self._lines  # type: ignore[return-value]

    @lines.setter
    def lines(self, lines: list[tuple[int, str]]) -> None:
        self._lines = lines

    @property
    def jobs(self) -> list[Job]:
        """The jobs still running (a ping, a sleep), oldest first."""
        if self._jobs.__class__ is not list:
            self._jobs = []
        return self._jobs  # type: ignore[return-value]

    @jobs.setter
    def jobs(self, jobs: list[Job]) -> None:
        self._jobs = jobs

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
        if self.inside is not None:
            self.current_line = line
            result = self.inside.run_line(line)
            if isinstance(result, Job):
                if result.status is None:
                    self.jobs.append(result)
                return result
            return self._done(line, int(result))
        try:
            words, redirect = split_redirect(line)
            argv = shlex.split(words)
        except ValueError as exc:
            words = str(exc) if str(exc).startswith("syntax error") else "syntax error: unterminated quoted string"
            self.print(f"bash: {words}")
            return self._done(line, 2)
        if not argv and redirect is None:
            return self._done(line, 0)
        self.current_line = line
        if redirect is not None:
            return self._done(line, run_redirected(self, argv, *redirect))
        result = self.dispatch(argv)
        if isinstance(result, Job):
            if result.status is None:
                self.jobs.append(result)
            return result
        return self._done(line, int(result))

    def dispatch(self, argv: list[str]) -> Job | int:
        """Run the command ``argv`` names (``sudo`` runs its rest through here too)."""
        cmd = REGISTRY.get(argv[0])
        if cmd is None:
            self.print(f"bash: {argv[0]}: command not found")
            return 127
        return cmd.run(self, argv)

    def interrupt(self) -> None:
        """Ctrl-C: stop every running job (ping prints its statistics, as on a real terminal)."""
        for job in list(self._jobs):
            job.interrupt()

    def restart(self) -> None:
        """The machine lost its RAM (a VM powered off or reset): no job runs any more, and commands
        use the node's new stack. The lines already printed stay."""
        self.stack = self.node.stack
        if self._jobs.__class__ is list:  # (the class's empty default otherwise: nothing to drop)
            self._jobs = ()

    # -- output -------------------------------------------------------------------------------
    def print(self, text: str = "") -> None:
        if self.capture is not None:  # ``> file``: the line goes to the file, not the screen
            self.capture.append(text + "\n")
            return
        now = self.tracer.engine.now
        self.lines.append((now, text))
        tr = self.tracer
        if tr.on:
            tr.emit("console.output", f"{self.node.name} prints: {text}" if text else f"{self.node.name} prints a blank line",
                    node=self.node.id, line=text)

    def print_partial(self, text: str) -> None:
        """Output without a newline at its end (``echo -n``): a file gets exactly ``text``; the
        screen shows it as a line, the prompt being not simulated."""
        if self.capture is not None:
            self.capture.append(text)
        else:
            for line in text.split("\n"):
                self.print(line)

    def fact(self, fact: dict) -> None:
        self.facts.append({"t": self.tracer.engine.now, "node": self.node.id, **fact})

    def job_done(self, job: Job, status: int) -> None:
        job.status = status
        if job in self._jobs:
            self.jobs.remove(job)
        self._done(job.line, status)

    def _done(self, line: str, status: int) -> int:
        self.facts.append(CommandFact(self.tracer.engine.now, self.node.id, line, status))
        tr = self.tracer
        if tr.on:
            tr.emit("command.exit", f"{self.node.name}: '{line}' ends with exit status {status}",
                    node=self.node.id, line=line, exit=status)
        return status

    def output(self) -> list[str]:
        return [text for _t, text in self._lines]


def split_redirect(line: str) -> tuple[str, tuple[str, str] | None]:
    """``words > file`` / ``>> file``: (the words, (">" or ">>", the file)); quotes and backslashes
    protect a ``>`` as bash's do. One redirection, output only (``2>``, ``<`` and pipes are not
    simulated). ValueError with bash's words when the target is missing."""
    quote, i = None, 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = None
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == ">":
            op = ">>" if line.startswith(">>", i) else ">"
            rest = shlex.split(line[i + len(op):])
            if not rest:
                raise ValueError("syntax error near unexpected token `newline'")
            if len(rest) > 1:  # bash keeps the other words as arguments: echo a > f b writes "a b"
                return line[:i] + " " + shlex.join(rest[1:]), (op, rest[0])
            return line[:i], (op, rest[0])
        i += 1
    return line, None


def run_redirected(console: Console, argv: list[str], op: str, target: str) -> int:
    """Open ``target`` as bash does before the command runs (truncated by ``>``), run the command
    with its output captured, then write what it printed. A command that keeps running (ping)
    prints to the console as usual."""
    guest = getattr(console.node, "guest", None)
    if guest is None:
        console.print(f"bash: {target}: Read-only file system")
        return 1
    try:
        guest.fs.write(target, "", append=op == ">>")
    except OSError as exc:
        console.print(f"bash: {target}: {exc.strerror}")
        return 1
    if not argv:
        return 0
    console.capture = []
    try:
        result = console.dispatch(argv)
    finally:
        lines, console.capture = console.capture, None
    if isinstance(result, Job):
        if result.status is None:
            console.jobs.append(result)
        status = 0
    else:
        status = int(result)
    if lines:
        try:
            guest.fs.write(target, "".join(lines), append=True)
        except OSError as exc:
            who = "bash: echo" if argv[0] == "echo" else argv[0]
            console.print(f"{who}: write error: {exc.strerror}")
            return 1
    return status


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
