"""Files in a guest: ``ls``, ``cat``, ``echo``, ``touch``, ``mkdir``, ``rm``, ``cd``, ``pwd``,
``fallocate``, ``sudo`` (coreutils 9.4, bash 5.2 and util-linux 2.39 words and formats).

They act on ``console.node.guest.fs`` (a :class:`simcore.virt.namespace.Namespace`, duck-typed:
the console does not import it): a node without a guest filesystem has none of these commands.
Errors are ``OSError`` s carrying the C library's words, printed as each tool prints them
(``ls: cannot access 'x': No such file or directory``).
"""

from __future__ import annotations

from simcore.apps.console.lsformat import columns, long_lines, quoted_names, shell_quote, total_line
from simcore.apps.console.shell import Console, command

_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4,
               "KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3, "TB": 1000 ** 4}


def guest_fs(console: Console, name: str):
    """The node's filesystem, or None after printing bash's "command not found"."""
    guest = getattr(console.node, "guest", None)
    if guest is None:
        console.print(f"bash: {name}: command not found")
        return None
    return guest.fs


def split_flags(console: Console, argv: list[str], allowed: str) -> tuple[set[str], list[str]] | None:
    """Short options (``-la``) and operands, ``--`` ending options; None after coreutils' complaint."""
    flags, operands, only_operands = set(), [], False
    for arg in argv[1:]:
        if only_operands or not arg.startswith("-") or arg == "-":
            operands.append(arg)
        elif arg == "--":
            only_operands = True
        elif arg.startswith("--"):
            console.print(f"{argv[0]}: unrecognized option '{arg}'")
            console.print(f"Try '{argv[0]} --help' for more information.")
            return None
        else:
            for letter in arg[1:]:
                if letter not in allowed:
                    console.print(f"{argv[0]}: invalid option -- '{letter}'")
                    console.print(f"Try '{argv[0]} --help' for more information.")
                    return None
                flags.add(letter)
    return flags, operands


@command("ls", "list directory contents (ls [-l] [-a] [-A] [-h] [PATH...])")
def ls_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "ls")
    parsed = fs and split_flags(console, argv, "laAh1d")
    if not parsed:
        return 2 if fs else 127
    flags, operands = parsed
    status, files, dirs = 0, [], []
    for path in operands or ["."]:
        try:
            node = fs.stat(path, follow="l" not in flags or path.endswith("/"))
        except OSError as exc:
            console.print(f"ls: cannot access {shell_quote(path, always=True)}: {exc.strerror}")
            status = 2
            continue
        (dirs if node.is_dir and "d" not in flags else files).append((path, node))
    now = fs.now()
    if files:
        _print_entries(console, fs, [(p, n, fs.size(p, n)) for p, n in sorted(files)], flags, now, total=False)
    for i, (path, _node) in enumerate(sorted(dirs)):
        if files or len(dirs) > 1 or status:
            if files or i:
                console.print()
            console.print(f"{shell_quote(path)}:")
        try:
            entries = _dir_entries(fs, path, flags)
        except OSError as exc:
            console.print(f"ls: cannot open directory {shell_quote(path, always=True)}: {exc.strerror}")
            status = 2
            continue
        _print_entries(console, fs, entries, flags, now, total=True)
    return status


def _dir_entries(fs, path: str, flags: set[str]) -> list[tuple[str, object, int]]:
    out = []
    if "a" in flags:
        out += [(".", fs.stat(path), 4096), ("..", fs.stat(path.rstrip("/") + "/.."), 4096)]
    for name, node in fs.listdir(path):
        if name.startswith(".") and not flags & {"a", "A"}:
            continue
        out.append((name, node, fs.size(f"{path.rstrip('/')}/{name}", node)))
    return out


def _print_entries(console: Console, fs, entries: list[tuple[str, object, int]], flags: set[str], now: int,
                   total: bool) -> None:
    shown = quoted_names([name for name, _n, _s in entries])
    if "l" in flags:
        if total:
            console.print(total_line(entries, "h" in flags))
        rows = [(shown[i], node, size) for i, (_name, node, size) in enumerate(entries)]
        for text in long_lines(rows, now, "h" in flags):
            console.print(text)
    elif "1" in flags:
        for text in shown:
            console.print(text)
    else:
        for text in columns(shown):
            console.print(text)


@command("cat", "print files (cat FILE...)")
def cat_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "cat")
    if fs is None:
        return 127
    status = 0
    for path in argv[1:]:
        try:
            node = fs.read(path)
        except OSError as exc:
            console.print(f"cat: {shell_quote(path)}: {exc.strerror}")
            status = 1
            continue
        if node.blob:
            console.print(f"[{fs.size(path, node)} bytes of binary data: the simulator keeps no contents for it]")
            continue
        for text in node.text.splitlines():
            console.print(text)
    return status


@command("echo", "print its arguments (echo [-n] [-e] TEXT...; with > FILE or >> FILE)")
def echo_command(console: Console, argv: list[str]) -> int:
    args, newline, escapes = argv[1:], True, False
    while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
    if newline:
        for line in text.split("\n"):
            console.print(line)
    else:
        console.print_partial(text)
    return 0


@command("touch", "create empty files or update their time (touch FILE...)")
def touch_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "touch")
    if fs is None:
        return 127
    if len(argv) < 2:
        console.print("touch: missing file operand")
        console.print("Try 'touch --help' for more information.")
        return 1
    status = 0
    for path in argv[1:]:
        try:
            fs.touch(path)
        except OSError as exc:
            console.print(f"touch: cannot touch {shell_quote(path, always=True)}: {exc.strerror}")
            status = 1
    return status


@command("mkdir", "make directories (mkdir [-p] DIR...)")
def mkdir_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "mkdir")
    parsed = fs and split_flags(console, argv, "pv")
    if not parsed:
        return 1 if fs else 127
    flags, operands = parsed
    if not operands:
        console.print("mkdir: missing operand")
        console.print("Try 'mkdir --help' for more information.")
        return 1
    status = 0
    for path in operands:
        try:
            made = fs.mkdir(path, parents="p" in flags)
        except OSError as exc:
            console.print(f"mkdir: cannot create directory \u2018{path}\u2019: {exc.strerror}")
            status = 1
            continue
        if "v" in flags:
            for d in made:
                console.print(f"mkdir: created directory '{d}'")
    return status


@command("rm", "remove files or directories (rm [-r] [-f] FILE...)")
def rm_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "rm")
    parsed = fs and split_flags(console, argv, "rRfv")
    if not parsed:
        return 1 if fs else 127
    flags, operands = parsed
    recursive = bool(flags & {"r", "R"})
    if not operands:
        if "f" in flags:
            return 0
        console.print("rm: missing operand")
        console.print("Try 'rm --help' for more information.")
        return 1
    status = 0
    for path in operands:
        if recursive and fs.abspath(path) == "/":
            console.print("rm: it is dangerous to operate recursively on '/'")
            console.print("rm: use --no-preserve-root to override this failsafe")
            status = 1
            continue
        try:
            fs.remove(path, recursive=recursive)
        except OSError as exc:
            if "f" in flags and exc.strerror == "No such file or directory":
                continue
            console.print(f"rm: cannot remove {shell_quote(path, always=True)}: {exc.strerror}")
            status = 1
            continue
        if "v" in flags:
            console.print(f"removed {shell_quote(path, always=True)}")
    return status


@command("cd", "change the working directory (cd [DIR])")
def cd_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "cd")
    if fs is None:
        return 127
    if len(argv) > 2:
        console.print("bash: cd: too many arguments")
        return 1
    path = argv[1] if len(argv) > 1 else fs.home
    try:
        fs.chdir(path)
    except OSError as exc:
        console.print(f"bash: cd: {path}: {exc.strerror}")
        return 1
    return 0


@command("pwd", "print the working directory")
def pwd_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "pwd")
    if fs is None:
        return 127
    console.print(fs.cwd)
    return 0


@command("fallocate", "make a file of a given size without writing it (fallocate -l SIZE FILE)")
def fallocate_command(console: Console, argv: list[str]) -> int:
    fs = guest_fs(console, "fallocate")
    if fs is None:
        return 127
    if len(argv) != 4 or argv[1] != "-l":
        console.print("fallocate: no length argument specified" if "-l" not in argv else
                      "fallocate: no filename specified")
        console.print("Try 'fallocate --help' for more information.")
        return 1
    size = parse_size(argv[2])
    if size is None:
        console.print(f"fallocate: invalid length value specified: '{argv[2]}'")
        return 1
    try:
        fs.allocate(argv[3], size)
    except OSError as exc:
        console.print(f"fallocate: fallocate failed: {exc.strerror}")
        return 1
    return 0


def parse_size(text: str) -> int | None:
    """util-linux sizes: ``512``, ``100M``, ``2G``, ``1GiB``, ``10MB`` (powers of 1000)."""
    digits = len(text) - len(text.lstrip("0123456789"))
    number, unit = text[:digits], text[digits:].replace("iB", "").upper()
    if not number.isdigit() or unit not in _SIZE_UNITS:
        return None
    return int(number) * _SIZE_UNITS[unit]


@command("sudo", "run a command as root (sudo COMMAND...)")
def sudo_command(console: Console, argv: list[str]) -> int:
    guest = getattr(console.node, "guest", None)
    if len(argv) < 2:
        console.print("usage: sudo [-u user] command [arg ...]")
        return 1
    if guest is None:
        return console.dispatch(argv[1:])
    user, guest.fs.user = guest.fs.user, "root"
    try:
        return console.dispatch(argv[1:])
    finally:
        guest.fs.user = user
