"""sockkit.compat against PHP itself: each scenario runs as PHP and as its Python port.

A scenario is ``scenarios/NAME.php`` plus its line-by-line port ``scenarios/NAME.py``.
Both get a free loopback port and a private temporary directory as ``argv[1]`` and
``argv[2]`` (each run its own: a port may sit in TIME_WAIT after the first run), print
warnings to stdout as ``Warning: <message>`` (see the ``_prelude`` files), and must
print the same bytes.  A scenario never prints a port number or the directory.

Skipped, with the reason shown, where ``php`` or its sockets extension is missing.
"""

from __future__ import annotations

import difflib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
SRC = HERE.parent.parent / "src"
TIMEOUT = 20

NAMES = sorted(path.stem for path in SCENARIOS.glob("*.php") if not path.stem.startswith("_"))

# Scenarios that need an IPv6 loopback address.
NEEDS_IPV6 = {name for name in NAMES if "ipv6" in name}


def _php_problem() -> str | None:
    php = shutil.which("php")
    if php is None:
        return "php-cli not installed: install Debian's php-cli (it ships the sockets extension)"
    result = subprocess.run(
        [php, "-r", 'echo extension_loaded("sockets") ? "yes" : "no";'],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if result.stdout.strip() != "yes":
        return "php-cli has no sockets extension: php -m does not list it"
    return None


PHP_PROBLEM = _php_problem()


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def run_scenario(command: list[str]) -> bytes:
    """Run one side of a scenario in a fresh directory; return its stdout."""
    with tempfile.TemporaryDirectory(prefix="sockkit-conf-") as directory:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(SCENARIOS)])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        result = subprocess.run(
            [*command, str(free_port()), directory],
            cwd=directory,  # a relative path a scenario binds lands in its own directory
            env=env,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    assert result.returncode == 0, (
        f"{command} exited with {result.returncode}\n"
        f"stdout:\n{result.stdout.decode(errors='replace')}\n"
        f"stderr:\n{result.stderr.decode(errors='replace')}"
    )
    assert not result.stderr, (
        f"{command} wrote to stderr:\n{result.stderr.decode(errors='replace')}"
    )
    return result.stdout


@pytest.mark.php
@pytest.mark.parametrize("name", NAMES)
def test_scenario(name: str) -> None:
    if PHP_PROBLEM is not None:
        pytest.skip(PHP_PROBLEM)
    if name in NEEDS_IPV6 and not _has_ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback address (::1)")
    php = run_scenario(["php", str(SCENARIOS / f"{name}.php")])
    python = run_scenario([sys.executable, "-X", "dev", str(SCENARIOS / f"{name}.py")])
    if php != python:
        diff = difflib.unified_diff(
            php.decode(errors="replace").splitlines(),
            python.decode(errors="replace").splitlines(),
            "php",
            "python",
            lineterm="",
        )
        pytest.fail(f"scenario {name}: outputs differ\n" + "\n".join(diff))


def test_scenarios_are_paired() -> None:
    ports = {path.stem for path in SCENARIOS.glob("*.py") if not path.stem.startswith("_")}
    assert ports == set(NAMES), "every scenario needs a .php and a .py"
    assert len(NAMES) >= 40


@pytest.mark.php
def test_constants_match_php() -> None:
    """Every constant PHP's sockets extension defines here has the same value in compat."""
    if PHP_PROBLEM is not None:
        pytest.skip(PHP_PROBLEM)
    script = 'foreach (get_defined_constants(true)["sockets"] as $k => $v) echo "$k=$v\\n";'
    output = subprocess.run(
        ["php", "-r", script], capture_output=True, text=True, timeout=TIMEOUT, check=True
    ).stdout
    import sockkit.compat as compat  # noqa: PLC0415

    php = dict(line.split("=", 1) for line in output.splitlines())
    ours = {name: str(int(getattr(compat, name))) for name in php if hasattr(compat, name)}
    assert set(ours) == set(php), f"missing in compat: {sorted(set(php) - set(ours))}"
    assert ours == php
