"""``docker``: Docker's client on a host's console (Docker 27's formats and error sentences).

``run``, ``create``, ``ps [-a]``, ``exec [-it]``, ``cp``, ``start``, ``stop``, ``restart``, ``rm
[-f]``, ``commit``, ``images``, ``rmi``, ``pull``, ``search``, ``port``, ``stats --no-stream``,
``logs``. It drives the host's ``containers`` (``simcore.virt.containers.Runtime``, duck-typed).
Tables are Go's tabwriter as the CLI sets it (columns 3 spaces apart, at least 10 wide), times
are go-units' words ("2 minutes ago", "Up 5 seconds"), sizes its decimal units ("192MB"). The
daemon's refusals print as ``Error response from daemon: ...`` (``docker: Error response...``
and ``See 'docker run --help'.`` for run, exit status 125).
"""

from __future__ import annotations

from simcore.apps.console.shell import Console, Job, command

S = 1_000_000_000
SHELLS = ("bash", "sh", "/bin/bash", "/bin/sh", "ash", "/bin/ash")


class DockerError(Exception):
    def __init__(self, msg: str, status: int = 1):
        super().__init__(msg)
        self.status = status


def tabwriter(rows: list[list[str]]) -> list[str]:
    """Go's text/tabwriter (minwidth 10, padding 3): every column but the last padded."""
    widths = [max(10, *(len(r[i]) + 3 for r in rows)) for i in range(len(rows[0]) - 1)]
    return ["".join(f"{c:<{w}}" for c, w in zip(r[:-1], widths, strict=True)) + r[-1] for r in rows]


def human_duration(ns: int) -> str:
    """go-units HumanDuration."""
    seconds = ns // S
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"


def human_size(mb: float) -> str:
    """go-units HumanSizeWithPrecision(bytes, 3): decimal units, three significant digits."""
    size = mb * 1_000_000
    units = ["B", "kB", "MB", "GB", "TB"]
    i = 0
    while size >= 1000 and i < len(units) - 1:
        size /= 1000
        i += 1
    return f"{size:.3g}{units[i]}"


def _runtime(console: Console):
    rt = getattr(console.node, "containers", None)
    if rt is None:
        console.print("bash: docker: command not found")
    return rt


def _find(rt, ref: str):
    c = rt.find_docker(ref)
    if c is None:
        raise DockerError(f"Error response from daemon: No such container: {ref}")
    return c


@command("docker", "Docker's client: application containers (docker run|ps|exec|cp|stop|start|commit|images...)")
def docker_command(console: Console, argv: list[str]):
    rt = _runtime(console)
    if rt is None:
        return 127
    if len(argv) < 2 or argv[1] in ("--help", "-h", "help"):
        console.print("Usage:  docker [OPTIONS] COMMAND")
        console.print("Commands: run create ps exec cp start stop restart rm commit images rmi pull search port "
                      "stats logs")
        return 0
    sub = SUBCOMMANDS.get(argv[1])
    if sub is None:
        console.print(f"docker: '{argv[1]}' is not a docker command.")
        console.print("See 'docker --help'")
        return 1
    try:
        return sub(console, rt, argv[2:])
    except DockerError as exc:
        for line in str(exc).split("\n"):
            console.print(line)
        return exc.status


def _options(args: list[str], sub: str, with_value: tuple[str, ...], flags: tuple[str, ...], *, stop_at_positional: bool):
    """Docker's flag parsing: short flags may be grouped (``-it``, ``-dp 8080:80``); parsing stops
    at the first positional argument for run/exec (the rest is the command)."""
    opts: dict = {}
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and len(a) > 2:
            key, eq, val = a.partition("=")
            if key in with_value:
                if not eq:
                    if i + 1 >= len(args):
                        raise DockerError(f"flag needs an argument: {key}\nSee 'docker {sub} --help'.", 125)
                    val = args[i + 1]
                    i += 1
                opts.setdefault(key, []).append(val)
            elif key in flags:
                opts[key] = True
            else:
                raise DockerError(f"unknown flag: {key}\nSee 'docker {sub} --help'.", 125)
        elif a.startswith("-") and len(a) > 1:
            letters = a[1:]
            for j, ch in enumerate(letters):
                key = "-" + ch
                if key in with_value:
                    val = letters[j + 1:]
                    if not val:
                        if i + 1 >= len(args):
                            raise DockerError(f"flag needs an argument: '{ch}' in -{ch}\nSee 'docker {sub} --help'.", 125)
                        val = args[i + 1]
                        i += 1
                    opts.setdefault(key, []).append(val)
                    break
                if key in flags:
                    opts[key] = True
                else:
                    raise DockerError(f"unknown shorthand flag: '{ch}' in {a}\nSee 'docker {sub} --help'.", 125)
        else:
            pos.append(a)
            if stop_at_positional:
                pos.extend(args[i + 1:])
                break
        i += 1
    return pos, opts


def _get(opts: dict, *keys: str) -> list:
    out = []
    for k in keys:
        v = opts.get(k)
        if isinstance(v, list):
            out.extend(v)
    return out


def _has(opts: dict, *keys: str) -> bool:
    return any(opts.get(k) is True for k in keys)


def _pull(console: Console, rt, ref: str, *, sub: str, quiet_found: bool = False):
    """The local image ``ref`` names, pulled from the registry if missing (its lines printed)."""
    image = rt.local_image("docker", ref) or rt.local_image("docker", _with_tag(ref))
    if image is not None:
        return image
    prefix = "docker: " if sub == "run" else ""
    status = 125 if sub == "run" else 1
    if sub in ("run", "create"):
        console.print(f"Unable to find image '{_with_tag(ref)}' locally")
    name, _, tag = _with_tag(ref).rpartition(":")
    public = rt.public_docker(_with_tag(ref))
    if public is None:
        known = rt.public_docker(name + ":latest")
        if known is not None:
            raise DockerError(f"{prefix}Error response from daemon: manifest for {name}:{tag} not found: manifest "
                              f"unknown: manifest unknown" + (f"\nSee 'docker {sub} --help'." if prefix else ""), status)
        raise DockerError(f"{prefix}Error response from daemon: pull access denied for {name}, repository does not "
                          "exist or may require 'docker login': denied: requested access to the resource is denied"
                          + (f"\nSee 'docker {sub} --help'." if prefix else ""), status)
    path = name if "/" in name else f"library/{name}"
    console.print(f"{tag}: Pulling from {path.split('/', 1)[1] if path.startswith('mcr.') else path}")
    refusal = rt.same_kernel(public)
    if refusal is not None:
        rt.emit("container.refused", f"docker on {console.node.name}: {ref} cannot run on {console.node.name}: "
                   f"{refusal}", host=rt.host.id, runtime="docker", image=public.ref, reason=refusal)
        platform = "linux/amd64" if rt.host_os == "linux" else "windows/amd64 10.0.20348"
        raise DockerError(f"{prefix}Error response from daemon: no matching manifest for {platform} in the manifest "
                          "list entries" + (f"\nSee 'docker {sub} --help'." if prefix else ""), status)
    layers = 1 + int(public.size_mb // 40) % 6
    for k in range(layers):
        console.print(f"{public.id[8 * k:8 * k + 12]}: Pull complete")
    console.print(f"Digest: sha256:{public.id}")
    console.print(f"Status: Downloaded newer image for {name}:{tag}")
    pulled = rt.add_image("docker", public if tag == public.tag else rt.retag(public, name, tag),
                          f"docker on {console.node.name}", f"pulled from {'Docker Hub' if '.' not in name.split('/')[0] else name.split('/')[0]}")
    return pulled


def tar_size(node) -> int:
    """What ``docker cp`` sends: a tar stream (a 512-byte header per entry, contents padded to
    512 bytes, two empty blocks at the end)."""

    def entries(n) -> int:
        if n.is_dir:
            return 512 + sum(entries(child) for child in (n.entries or {}).values())
        return 512 + -(-n.size // 512) * 512 if n.kind == "f" else 512

    return entries(node) + 1024


def _with_tag(ref: str) -> str:
    last = ref.rsplit("/", 1)[-1]
    return ref if ":" in last else f"{ref}:latest"


def _ports(specs: list[str]) -> list[tuple[int, int, str]]:
    out = []
    for spec in specs:
        proto = "tcp"
        body = spec
        if "/" in spec:
            body, proto = spec.rsplit("/", 1)
        parts = body.split(":")
        if len(parts) == 1:
            raise DockerError(f"docker: publishing a port without a host port ({spec}) picks a random one: give "
                              "HOST:CONTAINER here.\nSee 'docker run --help'.", 125)
        host, cont = parts[-2], parts[-1]
        if not cont.isdigit() or not 1 <= int(cont) <= 65535:
            raise DockerError(f"docker: Error response from daemon: invalid containerPort: {cont}.\n"
                              "See 'docker run --help'.", 125)
        if not host.isdigit() or not 1 <= int(host) <= 65535:
            raise DockerError(f"docker: Error response from daemon: invalid hostPort: {host}.\n"
                              "See 'docker run --help'.", 125)
        if proto not in ("tcp", "udp"):
            raise DockerError(f"docker: Error response from daemon: invalid proto: {proto}.\n"
                              "See 'docker run --help'.", 125)
        out.append((int(host), int(cont), proto))
    return out


RUN_VALUES = ("--name", "-p", "--publish", "--restart", "-e", "--env", "-h", "--hostname", "-w", "--workdir")
RUN_FLAGS = ("-d", "--detach", "-i", "--interactive", "-t", "--tty", "--rm")


class Attached(Job):
    """``docker run`` in the foreground: the console follows the container until Ctrl-C (which
    stops it) or until it exits."""

    name = "docker"

    def __init__(self, console: Console, line: str, rt, container):
        super().__init__(console, line)
        self.rt = rt
        self.container = container
        container.attached = self

    def interrupt(self) -> None:
        if self.container.running:
            self.rt.stop(self.container, "Ctrl-C on its attached console", exit_code=0)
        self.ended()

    def ended(self) -> None:
        if self.status is None:
            self.console.job_done(self, 0)


def _run(console: Console, rt, args: list[str], *, create_only: bool = False):
    sub = "create" if create_only else "run"
    pos, opts = _options(args, sub, RUN_VALUES, RUN_FLAGS, stop_at_positional=True)
    if not pos:
        raise DockerError(f"\"docker {sub}\" requires at least 1 argument.\nSee 'docker {sub} --help'.\n\n"
                          f"Usage:  docker {sub} [OPTIONS] IMAGE [COMMAND] [ARG...]", 1)
    ports = _ports(_get(opts, "-p", "--publish"))
    restart = (_get(opts, "--restart") or ["no"])[-1]
    if restart.split(":")[0] not in ("no", "always", "unless-stopped", "on-failure"):
        raise DockerError(f"docker: invalid restart policy '{restart}'.\nSee 'docker {sub} --help'.", 125)
    names = _get(opts, "--name")
    name = names[-1] if names else None
    if name is not None:
        clash = rt.find_docker(name)
        if clash is not None and clash.name == name:
            raise DockerError(f"docker: Error response from daemon: Conflict. The container name \"/{name}\" is already "
                              f"in use by container \"{clash.cid}\". You have to remove (or rename) that container to "
                              f"be able to reuse that name.\nSee 'docker {sub} --help'.", 125)
    image = _pull(console, rt, pos[0], sub=sub)
    cmd = tuple(pos[1:]) or None
    for h, _p, proto in ports:
        if rt.port_taken(h, proto) and not create_only:
            # checked when the container starts: it is created, then refused
            c = rt.create("docker", name or rt.docker_name(), image, origin=f"docker on {console.node.name}",
                          cmd=cmd, ports=ports, restart=restart)
            raise DockerError(f"docker: Error response from daemon: driver failed programming external connectivity on "
                              f"endpoint {c.name} ({c.cid}): Bind for 0.0.0.0:{h} failed: port is already allocated.\n"
                              f"See 'docker {sub} --help'.", 125)
    c = rt.create("docker", name or rt.docker_name(), image, origin=f"docker on {console.node.name}",
                  cmd=cmd, ports=ports, restart=restart)
    c.remove_on_exit = _has(opts, "--rm")
    if create_only:
        console.print(c.cid)
        return 0
    return _start_and_follow(console, rt, c, detach=_has(opts, "-d", "--detach"),
                             interactive=_has(opts, "-i", "--interactive") and _has(opts, "-t", "--tty"))


def _start_and_follow(console: Console, rt, c, *, detach: bool, interactive: bool):
    rt.start(c, f"docker {'run' if c.started_ns is None else 'start'} on {console.node.name}")
    rt.publish_ports(c)
    if c.cmd and c.cmd[0] in SHELLS and len(c.cmd) == 1:
        if interactive and not detach:
            rt.open_shell(c, console, stops_container=True)
            return 0
        rt.stop(c, "its shell read no input (no -i/-t): it exits at once", exit_code=0)
        if detach:
            console.print(c.cid)
        return 0
    if _serves(c):
        if detach:
            console.print(c.cid)
            return 0
        for line in rt.startup_lines(c):
            console.print(line)
        return Attached(console, console.current_line, rt, c)
    # a one-shot command: it runs now in the container, then the container exits with its status
    inner = rt.exec_console(c, console)
    if detach:
        inner.capture = []
    status = inner.run_argv(list(c.cmd))
    if isinstance(status, Job):
        if detach:
            console.print(c.cid)
            return 0
        return status
    c.logs = "".join(inner.capture or [])
    if c.running:
        rt.stop(c, f"its command exited with status {status}", exit_code=int(status))
    if detach:
        console.print(c.cid)
        return 0
    return int(status)


def _serves(c) -> bool:
    cmd = c.cmd
    if (c.image.service is not None or c.image.workers) and tuple(cmd) == c.image.cmd:
        return True
    return bool(cmd) and cmd[0] in ("sleep", "/bin/sleep", "tail") and (len(cmd) < 2 or cmd[1] != "0")


def _created(rt, c) -> str:
    return human_duration(rt.engine.now - c.created_ns) + " ago"


def _status(rt, c) -> str:
    if c.running:
        return "Up " + human_duration(rt.engine.now - c.started_ns)
    if c.started_ns is None:
        return "Created"
    return f"Exited ({c.exit_code}) {human_duration(rt.engine.now - c.finished_ns)} ago"


def _command_cell(c) -> str:
    text = " ".join(c.command)
    if len(text) > 20:
        text = text[:19] + "…"
    return f'"{text}"'


def _ports_cell(c) -> str:
    if c.running and c.ports:
        return ", ".join(f"0.0.0.0:{h}->{p}/{proto}" for h, p, proto in c.ports)
    if c.running:
        return ", ".join(c.image.expose)
    return ""


def _ps(console: Console, rt, args: list[str]):
    _pos, opts = _options(args, "ps", ("-f", "--filter", "--format"), ("-a", "--all", "-q", "--quiet", "--no-trunc"),
                          stop_at_positional=False)
    shown = [c for c in reversed(list(rt.docker.values())) if c.running or _has(opts, "-a", "--all")]
    if _has(opts, "-q", "--quiet"):
        for c in shown:
            console.print(c.short_id)
        return 0
    rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for c in shown:
        rows.append([c.short_id, c.image.ref, _command_cell(c), _created(rt, c), _status(rt, c), _ports_cell(c),
                     c.name])
    for line in tabwriter(rows):
        console.print(line.rstrip())
    return 0


def _exec(console: Console, rt, args: list[str]):
    pos, opts = _options(args, "exec", ("-e", "--env", "-u", "--user", "-w", "--workdir"),
                         ("-i", "--interactive", "-t", "--tty", "-d", "--detach"), stop_at_positional=True)
    if len(pos) < 2:
        raise DockerError("\"docker exec\" requires at least 2 arguments.\nSee 'docker exec --help'.\n\n"
                          "Usage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]")
    c = _find(rt, pos[0])
    if not c.running:
        raise DockerError(f"Error response from daemon: container {c.cid} is not running")
    cmd = pos[1:]
    if cmd[0] in SHELLS and len(cmd) == 1:
        if _has(opts, "-i", "--interactive"):
            rt.open_shell(c, console, stops_container=False)
        return 0
    if not c.has_program(cmd[0]):
        raise DockerError(f"OCI runtime exec failed: exec failed: unable to start container process: exec: "
                          f"\"{cmd[0]}\": executable file not found in $PATH: unknown", 126)
    return rt.exec_console(c, console).run_argv(cmd)


def _cp(console: Console, rt, args: list[str]):
    pos, _ = _options(args, "cp", (), ("-a", "--archive", "-L", "--follow-link", "-q", "--quiet"),
                      stop_at_positional=False)
    if len(pos) != 2:
        raise DockerError("\"docker cp\" requires exactly 2 arguments.\nSee 'docker cp --help'.\n\n"
                          "Usage:  docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                          "\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH")
    src, dst = pos
    host_fs = console.node.guest.fs
    if ":" in src and not src.startswith("/"):
        ref, path = src.split(":", 1)
        c = _find(rt, ref)
        try:
            node = c.guest.fs.stat(path)
        except OSError:
            raise DockerError(f"Error response from daemon: Could not find the file {path} in container {ref}") from None
        dest = dst
        if host_fs.exists(dst) and host_fs.stat(dst).is_dir:
            dest = dst.rstrip("/") + "/" + path.rstrip("/").rsplit("/", 1)[-1]
        rt.copy_file(c.guest.fs, path, host_fs, dest, node, owner=host_fs.user)
        console.print(f"Successfully copied {human_size(tar_size(node) / 1_000_000)} to {host_fs.abspath(dest)}")
        return 0
    if ":" not in dst:
        raise DockerError("must specify at least one container source")
    ref, path = dst.split(":", 1)
    c = _find(rt, ref)
    try:
        node = host_fs.stat(src)
    except OSError:
        raise DockerError(f"lstat {host_fs.abspath(src)}: no such file or directory") from None
    dest = path
    if c.guest.fs.exists(path) and c.guest.fs.stat(path).is_dir:
        dest = path.rstrip("/") + "/" + src.rstrip("/").rsplit("/", 1)[-1]
    elif not c.guest.fs.exists((c.guest.fs.abspath(path).rsplit("/", 1)[0]) or "/"):
        raise DockerError(f"Error response from daemon: Could not find the file {path.rsplit('/', 1)[0]} in "
                          f"container {ref}")
    rt.copy_file(host_fs, src, c.guest.fs, dest, node)
    console.print(f"Successfully copied {human_size(tar_size(node) / 1_000_000)} to {ref}:{path}")
    return 0


def _power(action: str):
    def run(console: Console, rt, args: list[str]):
        pos, _ = _options(args, action, ("-t", "--time", "-s", "--signal"), ("-a", "--attach", "-i", "--interactive"),
                          stop_at_positional=False)
        if not pos:
            raise DockerError(f"\"docker {action}\" requires at least 1 argument.\nSee 'docker {action} --help'.\n\n"
                              f"Usage:  docker {action} [OPTIONS] CONTAINER [CONTAINER...]")
        status = 0
        for ref in pos:
            c = rt.find_docker(ref)
            if c is None:
                console.print(f"Error response from daemon: No such container: {ref}")
                status = 1
                continue
            why = f"docker {action} on {console.node.name}"
            if action in ("stop", "restart") and c.running:
                rt.stop(c, why, exit_code=0 if c.image.service else 137)
                c.stopped_by_user = action == "stop"
            if action in ("start", "restart") and not c.running:
                if any(rt.port_taken(h, proto) for h, _p, proto in c.ports):
                    h = next(h for h, _p, proto in c.ports if rt.port_taken(h, proto))
                    console.print(f"Error response from daemon: driver failed programming external connectivity on "
                                  f"endpoint {c.name} ({c.cid}): Bind for 0.0.0.0:{h} failed: port is already allocated")
                    console.print(f"Error: failed to start containers: {ref}")
                    status = 1
                    continue
                c.stopped_by_user = False
                _start_and_follow(_Quiet(console), rt, c, detach=True, interactive=False)
            console.print(ref)
        return status

    return run


class _Quiet:
    """A console that swallows what ``_start_and_follow`` prints (``docker start`` prints the name)."""

    def __init__(self, console: Console):
        self._c = console
        self.node = console.node
        self.current_line = console.current_line

    def print(self, text: str = "") -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._c, name)


def _rm(console: Console, rt, args: list[str]):
    pos, opts = _options(args, "rm", (), ("-f", "--force", "-v", "--volumes"), stop_at_positional=False)
    if not pos:
        raise DockerError("\"docker rm\" requires at least 1 argument.\nSee 'docker rm --help'.\n\n"
                          "Usage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]")
    status = 0
    for ref in pos:
        c = rt.find_docker(ref)
        if c is None:
            console.print(f"Error response from daemon: No such container: {ref}")
            status = 1
            continue
        if c.running and not _has(opts, "-f", "--force"):
            console.print(f"Error response from daemon: cannot remove container \"/{c.name}\": container is running: "
                          "stop the container before removing or force remove")
            status = 1
            continue
        rt.delete(c, f"docker on {console.node.name}")
        console.print(ref)
    return status


def _commit(console: Console, rt, args: list[str]):
    pos, _ = _options(args, "commit", ("-m", "--message", "-a", "--author", "-c", "--change"),
                      ("-p", "--pause"), stop_at_positional=False)
    if not 1 <= len(pos) <= 2:
        raise DockerError("\"docker commit\" requires at least 1 and at most 2 arguments.\n"
                          "See 'docker commit --help'.\n\n"
                          "Usage:  docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]")
    c = _find(rt, pos[0])
    ref = _with_tag(pos[1]) if len(pos) == 2 else None
    image = rt.commit_docker(c, ref, f"docker on {console.node.name}")
    console.print(f"sha256:{image.id}")
    return 0


def _images(console: Console, rt, args: list[str]):
    _pos, opts = _options(args, "images", ("-f", "--filter", "--format"), ("-a", "--all", "-q", "--quiet"),
                          stop_at_positional=False)
    shown = list(reversed(rt.images["docker"]))
    if _has(opts, "-q", "--quiet"):
        for image in shown:
            console.print(image.short_id)
        return 0
    rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    for image in shown:
        repo, tag = (image.repository, image.tag) if image.repository else ("<none>", "<none>")
        rows.append([repo, tag, image.short_id, rt.image_age(image), human_size(image.size_mb)])
    for line in tabwriter(rows):
        console.print(line.rstrip())
    return 0


def _rmi(console: Console, rt, args: list[str]):
    pos, opts = _options(args, "rmi", (), ("-f", "--force"), stop_at_positional=False)
    status = 0
    for ref in pos:
        image = rt.local_image("docker", ref) or rt.local_image("docker", _with_tag(ref))
        if image is None:
            console.print(f"Error response from daemon: No such image: {_with_tag(ref)}")
            status = 1
            continue
        user = next((c for c in rt.docker.values() if c.image is image), None)
        if user is not None and not _has(opts, "-f", "--force"):
            console.print(f"Error response from daemon: conflict: unable to remove repository reference \"{ref}\" "
                          f"(must force) - container {user.short_id} is using its referenced image {image.short_id}")
            status = 1
            continue
        rt.images["docker"].remove(image)
        console.print(f"Untagged: {image.ref}")
        console.print(f"Deleted: sha256:{image.id}")
    return status


def _pull_cmd(console: Console, rt, args: list[str]):
    pos, _ = _options(args, "pull", ("--platform",), ("-q", "--quiet", "-a", "--all-tags"), stop_at_positional=False)
    if len(pos) != 1:
        raise DockerError("\"docker pull\" requires exactly 1 argument.\nSee 'docker pull --help'.\n\n"
                          "Usage:  docker pull [OPTIONS] NAME[:TAG|@DIGEST]")
    had = rt.local_image("docker", _with_tag(pos[0]))
    image = _pull(console, rt, pos[0], sub="pull")
    if had is not None:
        name, _, tag = _with_tag(pos[0]).rpartition(":")
        console.print(f"{tag}: Pulling from {name if '/' in name else 'library/' + name}")
        console.print(f"Digest: sha256:{image.id}")
        console.print(f"Status: Image is up to date for {_with_tag(pos[0])}")
    console.print(f"docker.io/{'library/' if '/' not in image.repository else ''}{image.ref}"
                  if "." not in image.repository.split("/")[0] else image.ref)
    return 0


def _search(console: Console, rt, args: list[str]):
    pos, _ = _options(args, "search", ("-f", "--filter", "--limit", "--format"), ("--no-trunc",),
                      stop_at_positional=False)
    if len(pos) != 1:
        raise DockerError("\"docker search\" requires exactly 1 argument.\nSee 'docker search --help'.\n\n"
                          "Usage:  docker search [OPTIONS] TERM")
    rows = [["NAME", "DESCRIPTION", "STARS", "OFFICIAL"]]
    seen = set()
    for image in rt.docker_search(pos[0]):
        if image.repository in seen or "." in image.repository.split("/")[0]:
            continue  # docker search asks Docker Hub only
        seen.add(image.repository)
        desc = image.description if len(image.description) <= 45 else image.description[:44] + "…"
        rows.append([image.repository, desc, str(image.stars), "[OK]" if image.official else ""])
    for line in tabwriter(rows):
        console.print(line.rstrip())
    return 0


def _port(console: Console, rt, args: list[str]):
    if len(args) != 1:
        raise DockerError("\"docker port\" requires at least 1 argument.")
    c = _find(rt, args[0])
    if c.running:
        for h, p, proto in c.ports:
            console.print(f"{p}/{proto} -> 0.0.0.0:{h}")
    return 0


def _stats(console: Console, rt, args: list[str]):
    _pos, opts = _options(args, "stats", ("--format",), ("--no-stream", "-a", "--all", "--no-trunc"),
                          stop_at_positional=False)
    if not _has(opts, "--no-stream"):
        raise DockerError("docker stats keeps refreshing the screen: use docker stats --no-stream here")
    total = rt.host.guest.memory()["total"]
    rows = [["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]]
    for c in reversed(list(rt.docker.values())):
        if not c.running:
            continue
        mem = c.image.memory_mb
        rows.append([c.short_id, c.name, "0.00%", f"{mem:.2f}MiB / {total / 1024:.2f}GiB", f"{mem * 100 / total:.2f}%",
                     "0B / 0B", "0B / 0B", str(len(c.processes()))])
    for line in tabwriter(rows):
        console.print(line.rstrip())
    return 0


def _logs(console: Console, rt, args: list[str]):
    if len(args) != 1:
        raise DockerError("\"docker logs\" requires exactly 1 argument.")
    c = _find(rt, args[0])
    for line in rt.startup_lines(c) if _serves(c) and c.started_ns is not None else []:
        console.print(line)
    for line in getattr(c, "logs", "").splitlines():
        console.print(line)
    return 0


SUBCOMMANDS = {
    "run": _run, "create": lambda console, rt, args: _run(console, rt, args, create_only=True), "ps": _ps,
    "exec": _exec, "cp": _cp, "start": _power("start"), "stop": _power("stop"), "restart": _power("restart"),
    "rm": _rm, "commit": _commit, "images": _images, "rmi": _rmi, "pull": _pull_cmd, "search": _search,
    "port": _port, "stats": _stats, "logs": _logs,
}
