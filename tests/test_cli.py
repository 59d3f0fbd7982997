"""The command line, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "sockkit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_demo_prints_the_conversation_and_exits_zero() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("talkback server listening on 127.0.0.1:")
    assert "server> Welcome to the sockkit talkback server." in lines
    assert "client> hello" in lines
    assert "server> You said 'hello'." in lines
    assert "server> You said 'sockets are fun'." in lines
    assert "client> quit" in lines
    assert lines[-1] == "connection closed; demo finished"
    assert result.stderr == ""


def test_help_on_every_subcommand() -> None:
    for args in (["--help"], ["demo", "--help"], ["serve", "--help"]):
        result = run(*args)
        assert result.returncode == 0
        assert "usage: sockkit" in result.stdout


def test_usage_error_exits_two() -> None:
    result = run("no-such-command")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_socket_failure_is_one_line_and_exit_one() -> None:
    result = run("serve", "--host", "127.0.0.1", "--port", "99999")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "port" in result.stderr
    assert "Traceback" not in result.stderr
