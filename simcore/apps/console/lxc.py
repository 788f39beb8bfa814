"""``lxc``: LXD's client on a host's console (LXD 5.21's formats and error sentences).

``launch``, ``list``, ``info``, ``exec``, ``shell``, ``file push|pull``, ``copy``, ``start``,
``stop``, ``restart``, ``delete``, ``snapshot``, ``restore``, ``publish``, ``image list``,
``config set NAME boot.autostart``, ``remote list``. It drives the host's ``containers`` (a
``simcore.virt.containers.Runtime``, duck-typed: the console does not import ``simcore.virt``).
Errors print as the client prints them, ``Error: <the daemon's sentence>``, exit status 1.
"""

from __future__ import annotations

from datetime import UTC, datetime

from simcore.apps.console.shell import Console, command

S = 1_000_000_000
EPOCH = 1767225600  # 2026-01-01 00:00 UTC: the run's calendar (t = 0)


class LxdError(Exception):
    pass


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """LXD's tables (tablewriter): ``+---+`` rules, headers centred, cells left-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def centred(text: str, w: int) -> str:
        pad = w - len(text)
        return " " * (pad // 2) + text + " " * (pad - pad // 2)

    out = [rule, "|" + "|".join(f" {centred(h, w)} " for h, w in zip(header, widths, strict=True)) + "|", rule]
    for r in rows:
        out.append("|" + "|".join(f" {c:<{w}} " for c, w in zip(r, widths, strict=True)) + "|")
        out.append(rule)
    return out


def when(t_ns: int) -> str:
    return datetime.fromtimestamp(EPOCH + t_ns // S, UTC).strftime("%Y/%m/%d %H:%M UTC")


def _runtime(console: Console):
    rt = getattr(console.node, "containers", None)
    if rt is None or rt.host_os != "linux":
        console.print("bash: lxc: command not found")
        return None
    return rt


def _origin(console: Console) -> str:
    return f"lxc on {console.node.name}"


def _find(rt, name: str):
    c = rt.lxd.get(name)
    if c is None:
        raise LxdError("Instance not found")
    return c


@command("lxc", "LXD's client: system containers (lxc launch|list|exec|shell|file|copy|stop|publish|image...)")
def lxc_command(console: Console, argv: list[str]):
    rt = _runtime(console)
    if rt is None:
        return 127
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        console.print("Usage: lxc [command]")
        console.print("Available Commands: launch list info exec shell file copy start stop restart delete "
                      "snapshot restore publish image config remote")
        return 0 if len(argv) >= 2 else 1
    sub = SUBCOMMANDS.get(argv[1])
    if sub is None:
        console.print(f'Error: unknown command "{argv[1]}" for "lxc"')
        return 1
    try:
        return sub(console, rt, argv[2:])
    except LxdError as exc:
        console.print(f"Error: {exc}")
        return 1


def _flags(args: list[str], with_value: tuple[str, ...] = (), flags: tuple[str, ...] = ()):
    """(positional args, {flag: value or True}); an unknown flag: LXD's words."""
    pos, opts, i = [], {}, 0
    while i < len(args):
        a = args[i]
        if a == "--":
            pos.extend(args[i:])
            break
        if a.startswith("-") and a != "-":
            key, _, val = a.partition("=")
            if key in with_value:
                if not val:
                    if i + 1 >= len(args):
                        raise LxdError(f"flag needs an argument: {key}")
                    val = args[i + 1]
                    i += 1
                opts.setdefault(key, []).append(val)
            elif key in flags:
                opts[key] = True
            else:
                raise LxdError(f"unknown flag: {key}" if key.startswith("--") else f"unknown shorthand flag: "
                               f"'{key.lstrip('-')[:1]}' in {a}")
        else:
            pos.append(a)
        i += 1
    return pos, opts


def _image(rt, ref: str):
    """A local image (alias or fingerprint prefix) or a public one (``images:ubuntu/24.04``)."""
    if ":" in ref:
        remote = ref.split(":", 1)[0]
        if remote not in rt.remotes and remote != "local":
            raise LxdError(f"The remote \"{remote}\" doesn't exist")
        if remote == "local":
            ref = ref.split(":", 1)[1]
        else:
            image = rt.public_lxd(ref)
            if image is None:
                raise LxdError("Failed instance creation: Failed getting remote image info: Failed getting image: "
                               "The requested image couldn't be found")
            return image
    image = rt.local_image("lxd", ref)
    if image is None:
        raise LxdError("Failed instance creation: Failed getting remote image info: Failed getting image: "
                       "The requested image couldn't be found")
    return image


def _launch(console: Console, rt, args: list[str], *, start: bool = True):
    pos, opts = _flags(args, with_value=("-c", "--config", "-p", "--profile"), flags=("--vm", "-e", "--ephemeral"))
    if not pos or len(pos) > 2:
        raise LxdError("Invalid number of arguments" if pos else "Missing image name")
    image = _image(rt, pos[0])
    name = pos[1] if len(pos) == 2 else None
    if "--vm" in opts:
        raise LxdError("Instance type \"virtual-machine\" is not modelled here: VMs are VirtualBox's (VBoxManage)")
    if image.os != "linux" or image.base is None:
        why = rt.same_kernel(image) or "a Windows image is a virtual machine image"
        rt.emit("container.refused", f"{_origin(console)}: {pos[0]} cannot be a container on {rt.host.name}: {why}",
                   host=rt.host.id, runtime="lxd", image=image.ref, reason=why)
        raise LxdError("Failed instance creation: Requested image's type \"virtual-machine\" doesn't match "
                       "instance type \"container\"")
    if name in rt.lxd:
        raise LxdError("Failed creating instance record: Add instance info to the database: "
                       "This \"instances\" entry already exists")
    if not _valid_name(name):
        raise LxdError("Invalid instance name: Name must only contain alphanumeric and hyphen characters")
    autostart = None
    for item in opts.get("-c", []) + opts.get("--config", []):
        key, _, val = item.partition("=")
        if key == "boot.autostart":
            autostart = val.lower() in ("true", "1", "yes", "on")
    if image not in rt.images["lxd"]:
        rt.add_image("lxd", image, _origin(console), f"downloaded from the {image.remote}: remote, cached")
    console.print(f"Creating {name}")
    c = rt.create("lxd", name, image, origin=_origin(console))
    if autostart is not None:  # (unset is the record's class default: no dict made for it)
        c.autostart = autostart
    if start:
        console.print(f"Starting {name}")
        rt.start(c, f"lxc launch on {console.node.name}")
    return 0


def _valid_name(name: str) -> bool:
    return (bool(name) and len(name) <= 63 and name[0].isalpha() and not name.endswith("-")
            and all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in name))


def _launch_named(console: Console, rt, args: list[str]):
    pos, _ = _flags(args, with_value=("-c", "--config", "-p", "--profile"), flags=("--vm", "-e", "--ephemeral"))
    if len(pos) == 1:  # no name: LXD picks a pet name
        args = [*args, rt.pet_name()]
    return _launch(console, rt, args)


def _init(console: Console, rt, args: list[str]):
    pos, _ = _flags(args, with_value=("-c", "--config", "-p", "--profile"), flags=("--vm", "-e", "--ephemeral"))
    if len(pos) == 1:
        args = [*args, rt.pet_name()]
    return _launch(console, rt, args, start=False)


def _list(console: Console, rt, args: list[str]):
    pos, opts = _flags(args, with_value=("-c", "--columns", "-f", "--format"), flags=("--fast",))
    rows = []
    for c in sorted(rt.lxd.values(), key=lambda c: c.name):
        if pos and not any(c.name.startswith(p) for p in pos):
            continue
        ip = rt.address(c)
        rows.append([c.name, c.state, f"{ip} (eth0)" if ip else "", "", "CONTAINER", str(len(c.snapshots))])
    for line in table(["NAME", "STATE", "IPV4", "IPV6", "TYPE", "SNAPSHOTS"], rows):
        console.print(line)
    return 0


def _info(console: Console, rt, args: list[str]):
    pos, _ = _flags(args, flags=("--show-log", "--resources"))
    if len(pos) != 1:
        raise LxdError("Invalid number of arguments")
    c = _find(rt, pos[0])
    lines = [f"Name: {c.name}", f"Status: {c.state}", "Type: container", "Architecture: x86_64"]
    if c.running:
        lines.append(f"PID: {c.pid}")
    lines += [f"Created: {when(c.created_ns)}", f"Last Used: {when(c.started_ns or c.created_ns)}"]
    if c.running:
        ip = rt.address(c)
        lines += ["", "Resources:", f"  Processes: {len(c.processes())}", "  Memory usage:",
                  f"    Memory (current): {c.image.memory_mb:.2f}MiB", "  Network usage:", "    eth0:",
                  "      Type: broadcast", "      State: UP", f"      MAC address: {c.mac}", "      MTU: 1500"]
        if ip:
            lines.append(f"      IP addresses:\n        inet:  {ip}/24 (global)")
    if c.snapshots:
        lines += ["", "Snapshots:"]
        rows = [[name, when(t), "", "NO"] for name, (_tree, t) in c.snapshots.items()]
        lines += table(["NAME", "TAKEN AT", "EXPIRES AT", "STATEFUL"], rows)
    for line in "\n".join(lines).split("\n"):
        console.print(line)
    return 0


def _exec(console: Console, rt, args: list[str]):
    if "--" in args:
        i = args.index("--")
        head, cmd = args[:i], args[i + 1:]
    else:
        head, cmd = args[:1], args[1:]
    pos, _ = _flags(head, with_value=("--env", "--cwd", "--user", "--group"), flags=("-t", "-T", "-n"))
    if len(pos) != 1 or not cmd:
        raise LxdError("Invalid number of arguments")
    c = _find(rt, pos[0])
    if not c.running:
        raise LxdError("Instance is not running")
    if len(cmd) == 1 and cmd[0].rsplit("/", 1)[-1] in ("bash", "sh", "ash"):
        rt.open_shell(c, console)  # an interactive shell: it reads the console until exit
        return 0
    return rt.exec_console(c, console).run_argv(cmd)


def _shell(console: Console, rt, args: list[str]):
    pos, _ = _flags(args)
    if len(pos) != 1:
        raise LxdError("Invalid number of arguments")
    c = _find(rt, pos[0])
    if not c.running:
        raise LxdError("Instance is not running")
    rt.open_shell(c, console)
    return 0


def _file(console: Console, rt, args: list[str]):
    if not args or args[0] not in ("push", "pull"):
        raise LxdError("Invalid number of arguments")
    pos, opts = _flags(args[1:], flags=("-p", "--create-dirs", "-r", "--recursive"))
    if len(pos) < 2:
        raise LxdError("Invalid number of arguments")
    host_fs = console.node.guest.fs
    if args[0] == "push":
        *sources, target = pos
        name, _, path = target.partition("/")
        c = _find(rt, name)
        path = "/" + path
        for src in sources:
            try:
                node = host_fs.stat(src)
            except OSError:
                raise LxdError(f"open {src}: no such file or directory") from None
            dest = path + src.rstrip("/").rsplit("/", 1)[-1] if path.endswith("/") else path
            rt.copy_file(host_fs, src, c.guest.fs, dest, node, mkdirs=bool(opts.get("-p") or opts.get("--create-dirs")))
        return 0
    *sources, target = pos
    for src in sources:
        name, _, path = src.partition("/")
        c = _find(rt, name)
        path = "/" + path
        try:
            node = c.guest.fs.stat(path)
        except OSError:
            raise LxdError("Not Found") from None
        dest = target
        if host_fs.exists(target) and host_fs.stat(target).is_dir:
            dest = target.rstrip("/") + "/" + path.rstrip("/").rsplit("/", 1)[-1]
        rt.copy_file(c.guest.fs, path, host_fs, dest, node, owner=host_fs.user)
    return 0


def _copy(console: Console, rt, args: list[str]):
    pos, _ = _flags(args, flags=("--stateless", "--instance-only"))
    if len(pos) != 2:
        raise LxdError("Invalid number of arguments")
    src, dst = pos
    name, _, snap = src.partition("/")
    c = _find(rt, name)
    tree = None
    if snap:
        if snap not in c.snapshots:
            raise LxdError("Instance snapshot not found")
        tree = c.snapshots[snap][0]
    if dst in rt.lxd:
        raise LxdError("Failed creating instance record: Add instance info to the database: "
                       "This \"instances\" entry already exists")
    if not _valid_name(dst):
        raise LxdError("Invalid instance name: Name must only contain alphanumeric and hyphen characters")
    rt.copy_container(c, dst, tree, _origin(console))
    return 0


def _power(action: str):
    def run(console: Console, rt, args: list[str]):
        pos, opts = _flags(args, flags=("-f", "--force", "--all"))
        if not pos:
            raise LxdError("Invalid number of arguments")
        for name in pos:
            c = _find(rt, name)
            why = f"lxc {action} on {console.node.name}"
            if action == "start":
                if c.running:
                    raise LxdError("The instance is already running")
                rt.start(c, why)
            elif action == "stop":
                if not c.running:
                    raise LxdError("The instance is already stopped")
                rt.stop(c, why)
            else:
                if not c.running:
                    raise LxdError("The instance isn't running")
                rt.stop(c, why)
                rt.start(c, why)
        return 0

    return run


def _delete(console: Console, rt, args: list[str]):
    pos, opts = _flags(args, flags=("-f", "--force", "-i", "--interactive"))
    if not pos:
        raise LxdError("Invalid number of arguments")
    for name in pos:
        c = _find(rt, name)
        if c.running and not (opts.get("-f") or opts.get("--force")):
            raise LxdError("The instance is currently running, stop it first or pass --force")
        rt.delete(c, _origin(console))
    return 0


def _snapshot(console: Console, rt, args: list[str]):
    pos, _ = _flags(args, flags=("--stateful", "--reuse"))
    if not 1 <= len(pos) <= 2:
        raise LxdError("Invalid number of arguments")
    c = _find(rt, pos[0])
    snap = pos[1] if len(pos) == 2 else f"snap{len(c.snapshots)}"
    if snap in c.snapshots:
        raise LxdError(f"Failed creating instance snapshot record \"{snap}\": Add instance info to the database: "
                       "This \"instances\" entry already exists")
    rt.snapshot(c, snap, _origin(console))
    return 0


def _restore(console: Console, rt, args: list[str]):
    pos, _ = _flags(args, flags=("--stateful",))
    if len(pos) != 2:
        raise LxdError("Invalid number of arguments")
    c = _find(rt, pos[0])
    if pos[1] not in c.snapshots:
        raise LxdError("Instance snapshot not found")
    rt.restore(c, pos[1], _origin(console))
    return 0


def _publish(console: Console, rt, args: list[str]):
    pos, opts = _flags(args, with_value=("--alias",), flags=("-f", "--force", "--public", "--reuse"))
    if not pos or len(pos) > 2:
        raise LxdError("Invalid number of arguments")
    name, _, snap = pos[0].partition("/")
    c = _find(rt, name)
    force = bool(opts.get("-f") or opts.get("--force"))
    aliases = opts.get("--alias", [])
    for alias in aliases:
        if rt.local_image("lxd", alias) is not None and not opts.get("--reuse"):
            raise LxdError(f"Alias \"{alias}\" already exists")
    tree = None
    if snap:
        if snap not in c.snapshots:
            raise LxdError("Instance snapshot not found")
        tree = c.snapshots[snap][0]
    elif c.running:
        if not force:
            raise LxdError("The instance is currently running. Use --force to have it stopped and restarted")
        rt.stop(c, f"lxc publish --force on {console.node.name}")
        image = rt.publish_lxd(c, aliases, None, _origin(console))
        rt.start(c, f"lxc publish --force on {console.node.name}")
        console.print(f"Instance published with fingerprint: {image.id}")
        return 0
    image = rt.publish_lxd(c, aliases, tree, _origin(console))
    console.print(f"Instance published with fingerprint: {image.id}")
    return 0


def _image_cmd(console: Console, rt, args: list[str]):
    if not args or args[0] not in ("list", "ls"):
        raise LxdError("Invalid number of arguments")
    pos, _ = _flags(args[1:], with_value=("-f", "--format", "-c", "--columns"))
    remote = "local"
    filters = []
    for p in pos:
        if p.endswith(":") and remote == "local":
            remote = p[:-1]
        elif ":" in p:
            remote, _, f = p.partition(":")
            filters.append(f)
        else:
            filters.append(p)
    if remote == "local":
        found = list(rt.images["lxd"])
    elif remote in rt.remotes:
        found = rt.lxd_remote_images(remote)
    else:
        raise LxdError(f"The remote \"{remote}\" doesn't exist")
    rows = []
    for image in found:
        # a cached copy of a remote image has no alias in the local store, as in LXD
        alias = image.alias if remote != "local" or not image.remote else ""
        if filters and not any(f in alias or f in image.description.lower() for f in filters):
            continue
        shown = f"{alias} ({len(image.aliases)} more)" if image.aliases and remote != "local" else alias
        rows.append([shown, image.id[:12], "yes" if remote != "local" else "no", image.description, "x86_64",
                     "VIRTUAL-MACHINE" if image.base is None else "CONTAINER", f"{image.size_mb:.2f}MiB",
                     _upload(image)])
    for line in table(["ALIAS", "FINGERPRINT", "PUBLIC", "DESCRIPTION", "ARCHITECTURE", "TYPE", "SIZE",
                       "UPLOAD DATE"], rows):
        console.print(line)
    return 0


def _upload(image) -> str:
    t = EPOCH + (image.created_ns // S if image.created_ns is not None else -(image.created_days or 6) * 86400)
    d = datetime.fromtimestamp(t, UTC)
    hour = d.hour % 12 or 12
    return f"{d.strftime('%b')} {d.day}, {d.year} at {hour}:{d.minute:02d}{'am' if d.hour < 12 else 'pm'} (UTC)"


def _config(console: Console, rt, args: list[str]):
    if len(args) != 4 or args[0] != "set":
        raise LxdError("Invalid number of arguments")
    c = _find(rt, args[1])
    key, value = args[2], args[3]
    if key != "boot.autostart":
        raise LxdError(f"Invalid config: Unknown configuration key: {key}" if "." not in key else
                       f"Invalid config: {key} is not modelled here (only boot.autostart)")
    c.autostart = value.lower() in ("true", "1", "yes", "on")
    return 0


def _remote(console: Console, rt, args: list[str]):
    if args[:1] != ["list"]:
        raise LxdError("Invalid number of arguments")
    rows = [["images", "https://images.lxd.canonical.com", "simplestreams", "none", "YES", "NO", "NO"],
            ["local (current)", "unix://", "lxd", "file access", "NO", "YES", "NO"],
            ["ubuntu", "https://cloud-images.ubuntu.com/releases", "simplestreams", "none", "YES", "YES", "NO"]]
    for line in table(["NAME", "URL", "PROTOCOL", "AUTH TYPE", "PUBLIC", "STATIC", "GLOBAL"], rows):
        console.print(line)
    return 0


SUBCOMMANDS = {
    "launch": _launch_named, "init": _init, "list": _list, "ls": _list, "info": _info, "exec": _exec,
    "shell": _shell, "file": _file, "copy": _copy, "cp": _copy, "start": _power("start"), "stop": _power("stop"),
    "restart": _power("restart"), "delete": _delete, "rm": _delete, "snapshot": _snapshot, "restore": _restore,
    "publish": _publish, "image": _image_cmd, "config": _config, "remote": _remote,
}
