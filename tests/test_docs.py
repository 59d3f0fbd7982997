"""Every code block of the documentation site is checked.

Conventions for fenced code blocks in ``docs/**/*.md`` (anything else fails
``test_every_block_is_checked``):

* ```` ```python ```` — a complete program, run as a subprocess (loopback only,
  ``ResourceWarning`` is an error, 60 s at most). A block whose lines are all
  ``--8<-- "examples/FILE.py[:SECTION]"`` is an excerpt of an example instead:
  the file and the section must exist (the examples themselves are run by
  ``tests/test_examples.py``).
* ```` ```python ```` preceded by ``<!-- docs-test: server=talkback -->``: a
  talkback server (``sockkit serve``) is started on loopback first, and the port
  ``10000`` in the block is replaced by the server's real port.
* ```` ```console ```` — ``$ sockkit …`` or ``$ python …`` commands, each run, its
  output (stdout and stderr) compared with the lines shown under it: ``...`` in a
  line matches anything, a line that is only ``...`` matches any number of
  lines, and a last line ``[exit N]`` is the expected exit code (0 otherwise).
* ```` ```sh ```` — commands shown for people to type; each is checked without
  being run: ``sockkit`` arguments must parse, ``python examples/…`` files must
  exist and answer ``--help``, ``pip install '.[extra]'`` extras must exist.
* ```` ```php ```` — PHP source, syntax-checked with ``php -l`` where PHP is
  installed.

Examples in docstrings (the code blocks of the API reference) are run as doctests
with the public names of ``sockkit`` and its submodules and the modules
``socket``, ``struct`` and ``os`` in scope.
"""

from __future__ import annotations

import contextlib
import doctest
import errno
import importlib
import importlib.util
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sockkit.cli import build_parser, option_rows
from sockkit.errors import CATALOG
from sockkit.options import all_options

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SRC = str(ROOT / "src")
TIMEOUT = 60.0
SNIPPET = re.compile(r'^--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(?P<args>.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")
TALKBACK_PORT = "10000"

# Docstring examples known to fail, with the reason; each must really fail (strict).
KNOWN_BROKEN_DOCTESTS: dict[str, str] = {}


@dataclass
class Block:
    page: str
    line: int
    language: str
    code: str
    directive: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def _directive(text: str) -> dict[str, str]:
    args: dict[str, str] = {}
    for item in shlex.split(text):
        key, _, value = item.partition("=")
        args[key] = value
    return args


def doc_pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)


def blocks_of(page: Path) -> list[Block]:
    """The fenced code blocks of one page, with the directive right before each."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start = index
        indent, fence = match.group("indent"), match.group("fence")
        language = match.group("info").strip().split(" ")[0].lower()
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        index += 1
        previous = start - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        directive: dict[str, str] = {}
        if previous >= 0 and (found_directive := DIRECTIVE.match(lines[previous].strip())):
            directive = _directive(found_directive.group("args"))
        relative = page.relative_to(DOCS).as_posix()
        found.append(Block(relative, start + 1, language, "\n".join(body) + "\n", directive))
    return found


ALL_BLOCKS = [block for page in doc_pages() for block in blocks_of(page)]


def _is_excerpt(block: Block) -> bool:
    lines = [line for line in block.code.splitlines() if line.strip()]
    return bool(lines) and all(SNIPPET.match(line.strip()) for line in lines)


def _blocks(language: str, excerpt: bool | None = None) -> list[Block]:
    return [
        b
        for b in ALL_BLOCKS
        if b.language == language and (excerpt is None or _is_excerpt(b) == excerpt)
    ]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _ids(block: Block) -> str:
    return block.id


# --------------------------------------------------------------------- inventory


def test_docs_have_code_blocks() -> None:
    assert len(_blocks("python", excerpt=False)) >= 10
    assert len(_blocks("python", excerpt=True)) >= 5
    assert _blocks("console")


def test_every_block_is_checked() -> None:
    known = {"python", "console", "sh", "php"}
    unchecked = [
        f"{b.id} ({b.language or 'no language'})" for b in ALL_BLOCKS if b.language not in known
    ]
    assert not unchecked, f"code blocks no test checks: {unchecked}"


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [
        page.relative_to(DOCS).as_posix()
        for page in doc_pages()
        if page.relative_to(DOCS).as_posix() not in nav
    ]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"


# --------------------------------------------------------------------- python blocks


@pytest.mark.parametrize("block", _blocks("python", excerpt=True), ids=_ids)
def test_excerpt_points_at_an_example(block: Block) -> None:
    for line in block.code.splitlines():
        match = SNIPPET.match(line.strip())
        if not match:
            continue
        path = ROOT / match.group("path")
        assert path.is_file(), f"{block.id}: no file {match.group('path')}"
        assert path.resolve().is_relative_to(ROOT / "examples"), (
            f"{block.id}: excerpts come from examples/"
        )
        section = match.group("section")
        if section:
            text = path.read_text(encoding="utf-8")
            assert f"--8<-- [start:{section}]" in text, f"{block.id}: no section {section}"
            assert f"--8<-- [end:{section}]" in text, f"{block.id}: section {section} not closed"


class _Talkback:
    """``sockkit serve`` on a free loopback port, for blocks that need a server."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sockkit", "serve", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_env(),
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            self.close()
            pytest.fail(f"sockkit serve did not start: {line!r}")
        self.port = match.group(1)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.mark.parametrize("block", _blocks("python", excerpt=False), ids=_ids)
def test_python_block_runs(block: Block, tmp_path: Path) -> None:
    code = block.code
    server = None
    if block.directive.get("server") == "talkback":
        server = _Talkback()
        assert TALKBACK_PORT in code, f"{block.id}: a talkback block connects to port 10000"
        code = code.replace(TALKBACK_PORT, server.port)
    elif block.directive:
        pytest.fail(f"{block.id}: unknown docs-test directive {block.directive}")
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "-W", "error::ResourceWarning", str(script)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=tmp_path,
            env=_env(),
            check=False,
        )
    finally:
        if server is not None:
            server.close()
    assert result.returncode == 0, f"{block.id} failed:\n{result.stdout}\n{result.stderr}"
    assert "Warning" not in result.stderr, f"{block.id} warned:\n{result.stderr}"


# --------------------------------------------------------------------- console and sh blocks


def _command_argv(command: str) -> list[str]:
    argv = shlex.split(command)
    if argv[0] == "sockkit":
        return [sys.executable, "-m", "sockkit", *argv[1:]]
    if argv[0] == "python":
        return [sys.executable, *argv[1:]]
    pytest.fail(f"console blocks run only sockkit and python commands, not {command!r}")


def _expected_pattern(lines: list[str]) -> re.Pattern[str]:
    parts = []
    for line in lines:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(piece) for piece in line.rstrip().split("...")]
            parts.append("[^\n]*?".join(pieces) + r"[ \t]*\n")
    return re.compile(
        "".join(parts) + r"\Z" if lines and lines[-1].strip() != "..." else "".join(parts)
    )


def _console_commands(block: Block) -> list[tuple[str, list[str], int]]:
    commands: list[tuple[str, list[str], int]] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], [], 0))
        elif commands:
            exit_code = re.fullmatch(r"\[exit (\d+)\]", line.strip())
            if exit_code:
                command, output, _ = commands[-1]
                commands[-1] = (command, output, int(exit_code.group(1)))
            else:
                commands[-1][1].append(line)
        elif line.strip():
            pytest.fail(f"{block.id}: output before the first $ command")
    return commands


@pytest.mark.parametrize("block", _blocks("console"), ids=_ids)
def test_console_block_output(block: Block) -> None:
    commands = _console_commands(block)
    assert commands, f"{block.id}: a console block shows $ commands"
    for command, expected, exit_code in commands:
        result = subprocess.run(
            _command_argv(command),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=ROOT,
            env=dict(_env(), COLUMNS="100"),
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == exit_code, f"{block.id}: $ {command}\n{output}"
        pattern = _expected_pattern(expected)
        assert pattern.match(output), (
            f"{block.id}: $ {command}\n--- shown\n"
            + "\n".join(expected)
            + f"\n--- actual\n{output}"
        )


def _extras() -> set[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    return set(re.findall(r"^(\w[\w-]*)\s*=", section, re.M))


def _check_shell_command(block: Block, command: str) -> None:
    argv = shlex.split(command)
    if argv[:3] == ["python", "-m", "pip"] or argv[0] == "pip":
        for target in argv:
            extras = re.fullmatch(r"\.\[([\w,-]+)\]", target)
            if extras:
                unknown = set(extras.group(1).split(",")) - _extras()
                assert not unknown, f"{block.id}: no extra {unknown} in pyproject.toml"
        assert "install" in argv
        return
    if argv[0] == "sockkit":
        try:
            build_parser().parse_args(argv[1:])
        except SystemExit:
            pytest.fail(f"{block.id}: sockkit cannot parse {command!r}")
        return
    if argv[0] == "python" and argv[1].startswith("examples/"):
        path = ROOT / argv[1]
        assert path.is_file(), f"{block.id}: no {argv[1]}"
        result = subprocess.run(
            [sys.executable, str(path), "--help"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=_env(),
            check=False,
        )
        assert result.returncode == 0, f"{block.id}: {argv[1]} --help failed"
        for option in (a.split("=")[0] for a in argv[2:] if a.startswith("--")):
            assert option in result.stdout, f"{block.id}: {argv[1]} has no option {option}"
        return
    if argv[0] in {"nc", "telnet", "mkdocs"} or argv[:3] == ["python", "-m", "pytest"]:
        return
    pytest.fail(f"{block.id}: no check for the command {command!r}")


@pytest.mark.parametrize("block", _blocks("sh"), ids=_ids)
def test_shell_block_commands_are_valid(block: Block) -> None:
    commands = [
        line.strip()
        for line in block.code.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands, f"{block.id}: an empty sh block"
    for command in commands:
        for part in command.split("&&"):
            _check_shell_command(block, part.strip())


@pytest.mark.parametrize("block", _blocks("php"), ids=_ids)
def test_php_block_is_valid_php(block: Block, tmp_path: Path) -> None:
    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed")
    script = tmp_path / "block.php"
    code = block.code if block.code.lstrip().startswith("<?php") else "<?php\n" + block.code
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [php, "-l", str(script)], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert result.returncode == 0, f"{block.id}: {result.stdout}{result.stderr}"


# --------------------------------------------------------------------- generated content


def _load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sockkit_docs_hook", DOCS / "_hooks" / "sockkit_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _load_hook()


def _doctest_globals() -> dict[str, Any]:
    names: dict[str, Any] = {"socket": socket, "struct": struct, "os": os}
    for module_name in HOOK.public_modules():
        if module_name.startswith("sockkit.compat"):
            continue  # compat's flat names would shadow the OO ones
        module = importlib.import_module(module_name)
        names.update({name: getattr(module, name) for name in getattr(module, "__all__", [])})
    return names


@pytest.mark.parametrize("module_name", HOOK.public_modules())
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures = []
    for test in finder.find(module, module_name, extraglobs=_doctest_globals()):
        if test.name.startswith(module_name) and test.examples:
            report: list[str] = []
            result = runner.run(test, out=report.append, clear_globs=True)
            if test.name in KNOWN_BROKEN_DOCTESTS:
                assert result.failed, f"{test.name} works now: remove it from KNOWN_BROKEN_DOCTESTS"
            elif result.failed:
                failures.append("".join(report))
    assert not failures, "\n".join(failures)


def test_option_table_examples_are_valid_values() -> None:
    scope = _doctest_globals()
    for row in option_rows():
        if not row.writable:
            continue
        example = HOOK.option_example(row)
        assert example, f"no example value for {row.name}"
        row.option.codec.encode(eval(example, scope))


def test_generated_tables_cover_every_row() -> None:
    options = HOOK.options_table()
    for option in all_options():
        assert f"`{type(option).__name__}.{option.name}`" in options
    errors = HOOK.errors_table()
    for entry in CATALOG:
        assert f"| `{entry.symbol}` |" in errors
    assert errors.count("\n") == len(CATALOG) + 2


def test_errors_table_is_in_number_order() -> None:
    rows = [line.split("|") for line in HOOK.errors_table().splitlines()[2:]]
    numbers = [int(cells[2]) for cells in rows if cells[2].strip() != "-"]
    assert numbers == sorted(numbers)
    symbols = [cells[1].strip() for cells in rows]
    # An alias sits beside the code it shares (EWOULDBLOCK is EAGAIN on Linux).
    if errno.EWOULDBLOCK == errno.EAGAIN:
        assert abs(symbols.index("`EWOULDBLOCK`") - symbols.index("`EAGAIN`")) == 1
    # Codes without an errno on this OS (Winsock's own) come last, by Winsock number.
    tail = [cells for cells in rows if cells[2].strip() == "-"]
    assert rows[-len(tail) :] == tail
    winsock = [int(cells[3].split()[0]) for cells in tail if cells[3].strip() != "-"]
    assert winsock == sorted(winsock)


def test_reference_pages_list_every_public_module() -> None:
    modules = HOOK.reference_modules()
    for required in ("sockkit", "sockkit.socket", "sockkit.errors", "sockkit.options"):
        assert required in modules
    assert not any(part.startswith("_") for m in modules for part in m.split("."))
    # The command line's own modules are not API: the reference leaves them out.
    assert "sockkit.cli" not in modules
    assert "sockkit.talkback" not in modules
    assert set(HOOK.public_modules()) - set(modules) == {"sockkit.cli", "sockkit.talkback"}


HAS_MKDOCS = importlib.util.find_spec("mkdocs") is not None
needs_mkdocs = pytest.mark.skipif(
    not HAS_MKDOCS, reason="mkdocs is not installed: pip install -e '.[test]'"
)


@needs_mkdocs
def test_site_builds_strict(tmp_path: Path) -> None:
    # This Python's own mkdocs: a `mkdocs` on PATH may belong to another interpreter.
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "reference" / "sockkit.socket" / "index.html").is_file()


# --------------------------------------------------------------------- README and CI

README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"
VENV = "python3 -m venv .venv && . .venv/bin/activate && "


def _readme_blocks(language: str, section: str | None = None) -> list[str]:
    text = README.read_text(encoding="utf-8")
    if section is not None:
        text = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def test_readme_setup_is_two_commands_each_in_a_virtual_environment() -> None:
    commands = [block.strip() for block in _readme_blocks("sh", "Set-up")]
    assert len(commands) == 2, commands
    demo, tests = commands
    for command in commands:
        assert "\n" not in command
        # PEP 668 systems (Debian 12) refuse pip outside a virtual environment.
        assert command.startswith(VENV), command
    assert demo.endswith("python -m pip install . && sockkit demo")
    assert tests.endswith("python -m pip install -e '.[test]' && python -m pytest -q")
    for command in commands:
        block = Block("README.md", 0, "sh", command, {})
        for part in command[len(VENV) :].split("&&"):
            _check_shell_command(block, part.strip())


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _readme_blocks("sh", "Set-up")[1].strip()
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(test_command + " ||") for line in lines), test_command
    assert "python -m nox" in lines


def test_readme_test_section_names_what_debian_packages_add() -> None:
    text = README.read_text(encoding="utf-8")
    assert "apt-get install php-cli" in text
    assert "apt-get install chromium" in text
    ci = CI_RUN.read_text(encoding="utf-8")
    assert "install_package php-cli php" in ci
    assert "install_package chromium chromium" in ci


def test_readme_compat_snippet_stops_when_bind_fails(tmp_path: Path) -> None:
    [snippet] = [block for block in _readme_blocks("python") if "sockkit.compat" in block]
    assert '"127.0.0.1", 10000' in snippet
    script = tmp_path / "snippet.py"
    script.write_text(snippet, encoding="utf-8")
    with socket.socket() as holder:
        with contextlib.suppress(OSError):  # taken already: the snippet's bind fails too
            holder.bind(("127.0.0.1", 10000))
            holder.listen(1)
        # Carrying on after the failed bind would block in socket_accept: the timeout.
        result = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=tmp_path,
            env=_env(),
            check=False,
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "socket_bind() failed: Address already in use" in result.stderr
