"""mkdocs hook: everything on the site that is generated at build time.

* **API reference.** One page per public module of ``src/sockkit`` (every module
  and package whose name does not start with ``_``, found on disk at build time),
  ordered by ``REFERENCE_ORDER`` first and alphabetically after that. A module
  that lands later gets its page and its nav entry with no edit anywhere; to
  change the order, add one line to ``REFERENCE_ORDER``.
* **Tables from the code.** Markers in a page are replaced before it is rendered:

  - ``<!-- sockkit:options-table -->`` (optionally ``level=socket|tcp|udp|ip|ipv6``):
    every option of ``sockkit.options.all_options()``, through the same row builder
    as ``sockkit options``;
  - ``<!-- sockkit:errors-table -->``: every row of ``sockkit.errors.CATALOG``;
  - ``<!-- sockkit:cli-help [SUBCOMMAND] -->``: ``sockkit [SUBCOMMAND] --help``;
  - ``<!-- sockkit:examples -->``: every program in ``examples/``, its summary and
    its source (included with ``pymdownx.snippets``).
* **Pages other work owns.** ``PLACEHOLDERS`` pages (``porting.md``, written with
  ``sockkit.compat``) get a short placeholder while their file does not exist, so
  the nav never points at a missing page.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = SRC / "sockkit"
EXAMPLES = ROOT / "examples"


def _import_cli() -> Any:
    """``sockkit.cli``, from this checkout's ``src`` (the build may run without an install)."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    import sockkit.cli  # noqa: PLC0415 - after the path is set

    return sockkit.cli


REFERENCE_SECTION = "API reference"
REFERENCE_ORDER = [
    "sockkit",
    "sockkit.socket",
    "sockkit.address",
    "sockkit.addrinfo",
    "sockkit.selector",
    "sockkit.message",
    "sockkit.options",
    "sockkit.enums",
    "sockkit.errors",
    "sockkit.compat",
]
"""Reference pages come in this order; modules not listed follow alphabetically."""

COMMAND_LINE_MODULES = ("sockkit.cli", "sockkit.talkback")
"""The ``sockkit`` command's own modules: not API, so not in the reference (the
Command line page documents the command; their doctests still run)."""

# The package page shows only the package docstring: its names are documented
# in the modules that define them.
REFERENCE_OPTIONS = {"sockkit": "    options:\n      members: false\n"}

PLACEHOLDERS = {
    "porting.md": (
        "# Porting from PHP\n\n"
        "This page (the function table of `sockkit.compat` and the traps of porting PHP "
        "socket code) is written together with `sockkit.compat` and is not there yet.\n"
    ),
}

# Example values for the Options table: by option, else by value type.
OPTION_EXAMPLES = {
    "SocketOption.SNDBUF": "262144",
    "SocketOption.RCVBUF": "262144",
    "SocketOption.SNDLOWAT": "1",
    "SocketOption.RCVLOWAT": "64",
    "SocketOption.PRIORITY": "6",
    "SocketOption.MARK": "7",
    "SocketOption.INCOMING_CPU": "0",
    "SocketOption.PEEK_OFF": "0",
    "SocketOption.BUSY_POLL": "50",
    "TCPOption.MAXSEG": "1400",
    "TCPOption.KEEPIDLE": "60",
    "TCPOption.KEEPINTVL": "10",
    "TCPOption.KEEPCNT": "5",
    "TCPOption.SYNCNT": "3",
    "TCPOption.LINGER2": "30",
    "TCPOption.DEFER_ACCEPT": "5",
    "TCPOption.WINDOW_CLAMP": "65536",
    "TCPOption.USER_TIMEOUT": "30000",
    "TCPOption.FASTOPEN": "16",
    "TCPOption.NOTSENT_LOWAT": "16384",
    "UDPOption.SEGMENT": "1400",
    "IPOption.TOS": "0x10",
    "IPOption.TTL": "64",
    "IPOption.MULTICAST_TTL": "1",
    "IPOption.MTU_DISCOVER": "2",
    "IPv6Option.UNICAST_HOPS": "64",
    "IPv6Option.MULTICAST_HOPS": "1",
    "IPv6Option.HOPLIMIT": "64",
    "IPv6Option.TCLASS": "0x10",
}
TYPE_EXAMPLES = {
    "bool": "True",
    "int": "1",
    "int >= 0": "1",
    "seconds (float)": "2.5",
    "Linger": "Linger(True, 5)",
    "interface name (str)": '"lo"',
    "algorithm name (str)": '"cubic"',
    "interface": '"lo"',
    "PacketInfo": 'PacketInfo("::1", 0)',
}
GROUP_EXAMPLES = {
    ("IP", "GroupRequest"): 'GroupRequest("239.1.2.3", "lo")',
    ("IP", "SourceGroupRequest"): 'SourceGroupRequest("232.1.2.3", "127.0.0.1", "lo")',
    ("IPV6", "GroupRequest"): 'GroupRequest("ff12::1234", "lo")',
    ("IPV6", "SourceGroupRequest"): 'SourceGroupRequest("ff32::1234", "::1", "lo")',
}
# Value types that are classes of the library: link them to the reference.
TYPE_LINKS = {
    "Linger": "sockkit.options.Linger",
    "GroupRequest": "sockkit.options.GroupRequest",
    "SourceGroupRequest": "sockkit.options.SourceGroupRequest",
    "PacketInfo": "sockkit.options.PacketInfo",
    "Credentials": "sockkit.options.Credentials",
    "MemoryInfo": "sockkit.options.MemoryInfo",
    "SocketType": "sockkit.enums.SocketType",
    "AddressFamily": "sockkit.enums.AddressFamily",
}

_MARKER = re.compile(r"^<!--\s*sockkit:(?P<name>[\w-]+)(?P<args>[^>]*?)\s*-->\s*$", re.MULTILINE)


# ----------------------------------------------------------------- reference pages


def _is_public(name: str) -> bool:
    return not name.startswith("_")


def _discover(directory: Path, dotted: str) -> Iterator[str]:
    yield dotted
    for path in sorted(directory.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists() and _is_public(path.name):
            yield from _discover(path, f"{dotted}.{path.name}")
        elif path.suffix == ".py" and _is_public(path.stem):
            yield f"{dotted}.{path.stem}"


def _reference_key(module: str) -> tuple[int, int, str]:
    """Sort key: a module's place in ``REFERENCE_ORDER``, submodules after their package."""
    ancestor = module
    while ancestor not in REFERENCE_ORDER[1:] and "." in ancestor:
        ancestor = ancestor.rsplit(".", 1)[0]
    if ancestor in REFERENCE_ORDER[1:]:
        return REFERENCE_ORDER.index(ancestor), module != ancestor, module
    if module == REFERENCE_ORDER[0]:
        return 0, False, module
    return len(REFERENCE_ORDER), True, module  # not listed: at the end, alphabetically


def public_modules() -> list[str]:
    """Every public module of the package as it is on disk now, in reference order."""
    return sorted(_discover(PACKAGE, "sockkit"), key=_reference_key)


def reference_modules() -> list[str]:
    """The modules the API reference documents: the public ones but the command line's."""
    return [module for module in public_modules() if module not in COMMAND_LINE_MODULES]


def _module_path(module: str) -> Path:
    parts = module.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def module_summary(module: str) -> str:
    """The first line of a module's docstring, read without importing it."""
    try:
        tree = ast.parse(_module_path(module).read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return ""
    doc = ast.get_docstring(tree) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def reference_uri(module: str) -> str:
    return f"reference/{module}.md"


def _reference_page(module: str) -> str:
    return f"::: {module}\n{REFERENCE_OPTIONS.get(module, '')}"


def _reference_index(modules: list[str]) -> str:
    lines = [
        "# API reference",
        "",
        "Every public module of sockkit, generated from its docstrings.",
        "Most names are also importable from the package itself: `from sockkit import Socket`.",
        "",
        "| Module | What it holds |",
        "|---|---|",
    ]
    for module in modules:
        page = reference_uri(module).removeprefix("reference/")
        lines.append(f"| [`{module}`]({page}) | {module_summary(module)} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- tables


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _type_cell(value_type: str) -> str:
    target = TYPE_LINKS.get(value_type)
    if target is None:
        return _cell(value_type)
    return f"[`{value_type}`][{target}]"


def option_example(row: Any) -> str:
    """The Python expression shown as an example value of an option row."""
    if row.name in OPTION_EXAMPLES:
        return OPTION_EXAMPLES[row.name]
    group = GROUP_EXAMPLES.get((row.option.level.name, row.value_type))
    if group is not None:
        return group
    return TYPE_EXAMPLES.get(row.value_type, "")


def _example_cell(row: Any) -> str:
    if not row.writable:
        return f"`sock.get_option({row.name})`"
    value = option_example(row)
    return f"`sock.set_option({row.name}, {value})`"


def options_table(level_name: str | None = None) -> str:
    cli = _import_cli()
    level = None if level_name is None else cli.LEVEL_CHOICES[level_name]
    lines = [
        "| Option | C name | Level | Value type | Get | Set | Example |",
        "|---|---|---|---|:-:|:-:|---|",
    ]
    for row in cli.option_rows(level):
        lines.append(
            f"| `{row.name}` | `{row.c_name}` | `{row.level}` | {_type_cell(row.value_type)} "
            f"| {'yes' if row.readable else 'no'} | {'yes' if row.writable else 'no'} "
            f"| {_example_cell(row)} |"
        )
    return "\n".join(lines) + "\n"


def _error_order(row: Any) -> tuple[int, int, str]:
    entry = row.entry
    no_number = 1 << 32
    errno = no_number if entry.errno is None else entry.errno
    winsock = no_number if entry.winsock is None else entry.winsock
    return errno, winsock, entry.symbol


def errors_table() -> str:
    cli = _import_cli()
    lines = [
        "| Symbol | errno | Winsock | Class | Also catches as | Description |",
        "|---|--:|---|---|---|---|",
    ]
    # By number: errno first (an alias such as EWOULDBLOCK next to EAGAIN), then the
    # Winsock-only codes by their Winsock number.
    for row in sorted(cli.error_rows(), key=_error_order):
        entry = row.entry
        winsock = "-" if entry.winsock is None else f"{entry.winsock} `{entry.winsock_name}`"
        errno = "-" if entry.errno is None else str(entry.errno)
        builtins = ", ".join(f"`{base}`" for base in row.bases if base != "SocketError")
        lines.append(
            f"| `{entry.symbol}` | {errno} | {winsock} "
            f"| [`{row.exception}`][sockkit.errors.{row.exception}] "
            f"| {builtins or 'OSError'} | {_cell(entry.description)} |"
        )
    return "\n".join(lines) + "\n"


def cli_help(subcommand: str | None = None) -> str:
    cli = _import_cli()
    argv = ["--help"] if subcommand is None else [subcommand, "--help"]
    buffer = io.StringIO()
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    try:
        with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
            cli.build_parser().parse_args(argv)
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "```text\n" + buffer.getvalue().rstrip() + "\n```\n"


def example_programs() -> list[Path]:
    """Every runnable program in examples/: the top level first, then each subdirectory."""
    return sorted(
        (
            path
            for path in EXAMPLES.rglob("*.py")
            if _is_public(path.name) and "__pycache__" not in path.parts
        ),
        key=lambda path: (path.parent != EXAMPLES, path.relative_to(EXAMPLES).as_posix()),
    )


EXAMPLE_GROUPS = {
    "php_port": (
        "Ported from PHP",
        "The same programs written the way their PHP originals are, line by line, with "
        "`sockkit.compat`: compare each with its idiomatic version above.",
    ),
}


def _docstring(path: Path) -> str:
    try:
        return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except SyntaxError:
        return ""


def examples_section() -> str:
    parts = []
    group = None
    for path in example_programs():
        relative = path.relative_to(ROOT).as_posix()
        directory = path.parent.relative_to(EXAMPLES).as_posix()
        level = "##" if directory == "." else "###"
        if directory not in (".", group):
            group = directory
            title, text = EXAMPLE_GROUPS.get(directory, (f"`{directory}/`", ""))
            parts.append(f"## {title}\n\n{text}\n")
        doc = _docstring(path)
        summary, _, rest = doc.partition("\n\n")
        parts.append(f"{level} `{path.relative_to(EXAMPLES).as_posix()}`\n")
        parts.append(summary.strip() + "\n")
        if rest.strip():
            parts.append(rest.strip() + "\n")
        parts.append(
            f'??? example "Source of {relative}"\n\n'
            f'    ```python\n    --8<-- "{relative}"\n    ```\n'
        )
    return "\n".join(parts)


def _replace_marker(match: re.Match[str]) -> str:
    name = match.group("name")
    args = match.group("args").split()
    if name == "options-table":
        level = None
        for arg in args:
            key, _, value = arg.partition("=")
            if key == "level":
                level = value
        return options_table(level)
    if name == "errors-table":
        return errors_table()
    if name == "cli-help":
        return cli_help(args[0] if args else None)
    if name == "examples":
        return examples_section()
    raise ValueError(f"unknown docs marker {match.group(0)!r}")


# ----------------------------------------------------------------- mkdocs events


def on_config(config: Any) -> Any:
    modules = reference_modules()
    entries: list[Any] = [{"Overview": "reference/index.md"}]
    entries += [{module: reference_uri(module)} for module in modules]
    for item in config["nav"] or []:
        if isinstance(item, dict) and REFERENCE_SECTION in item:
            item[REFERENCE_SECTION] = entries
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File  # noqa: PLC0415 - mkdocs is there when this runs

    modules = reference_modules()
    generated = {reference_uri(module): _reference_page(module) for module in modules}
    generated["reference/index.md"] = _reference_index(modules)
    for uri, text in PLACEHOLDERS.items():
        if files.get_file_from_path(uri) is None:
            generated[uri] = text
    for uri, text in generated.items():
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, uri, content=text))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return _MARKER.sub(_replace_marker, markdown)
