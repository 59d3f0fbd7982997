"""The command line, run as a real subprocess."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import needs_ipv6
from sockkit.errors import CATALOG
from sockkit.options import all_options

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


SUBCOMMANDS = ("demo", "serve", "strerror", "errors", "options", "lookup")


def test_help_on_every_new_subcommand() -> None:
    for command in SUBCOMMANDS:
        result = run(command, "--help")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: sockkit {command}")
    listing = run("--help").stdout
    for command in SUBCOMMANDS:
        assert command in listing


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("sockkit ")


# ------------------------------------------------------------------ strerror


def test_strerror_by_errno() -> None:
    result = run("strerror", str(errno.EADDRINUSE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "EADDRINUSE: Address already in use"
    assert f"  errno    {errno.EADDRINUSE}" in lines
    assert "  winsock  10048 WSAEADDRINUSE" in lines
    assert "  class    sockkit.AddressInUse (SocketError)" in lines
    assert result.stderr == ""


def test_strerror_by_winsock_code_and_symbols() -> None:
    by_code = run("strerror", "10061")
    assert by_code.returncode == 0
    assert by_code.stdout.startswith("ECONNREFUSED: Connection refused\n")
    assert "sockkit.ConnectionRefused (SocketError, ConnectionRefusedError)" in by_code.stdout
    for spelling in ("ECONNREFUSED", "econnrefused", "WSAECONNREFUSED", "SOCKET_ECONNREFUSED"):
        assert run("strerror", spelling).stdout == by_code.stdout, spelling


def test_strerror_aliases_and_winsock_only_codes() -> None:
    again = run("strerror", "EAGAIN")
    assert "(also EWOULDBLOCK)" in again.stdout
    assert "sockkit.WouldBlock (SocketError, BlockingIOError)" in again.stdout
    discon = run("strerror", "10101")
    assert discon.returncode == 0
    assert discon.stdout.startswith("WSAEDISCON: Graceful shutdown in progress")
    assert "  errno    none on this OS" in discon.stdout


def test_strerror_json() -> None:
    result = run("strerror", "ETIMEDOUT", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data == {
        "symbol": "ETIMEDOUT",
        "errno": errno.ETIMEDOUT,
        "winsock": 10060,
        "winsock_name": "WSAETIMEDOUT",
        "class": "TimedOut",
        "bases": ["SocketError", "TimeoutError"],
        "description": "Connection timed out",
    }


def test_strerror_unknown_number_exits_one() -> None:
    result = run("strerror", "4000")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "4000 is not in the error catalog" in result.stderr


def test_strerror_bad_argument_exits_two() -> None:
    result = run("strerror", "ENOSUCHTHING")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "neither a number nor a symbol" in result.stderr
    assert run("strerror").returncode == 2  # CODE is required


# ------------------------------------------------------------------ errors


def test_errors_table_lists_the_catalog() -> None:
    result = run("errors")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SYMBOL", "ERRNO", "WINSOCK", "CLASS", "DESCRIPTION"]
    assert len(lines) == len(CATALOG) + 1
    row = next(line for line in lines if line.startswith("ECONNRESET "))
    assert row.split()[:4] == ["ECONNRESET", str(errno.ECONNRESET), "10054", "ConnectionReset"]
    # Columns are aligned: every CLASS cell starts at the same offset.
    offset = lines[0].index("CLASS")
    assert all(line[offset - 2 : offset] == "  " for line in lines)


def test_errors_json() -> None:
    result = run("errors", "--json")
    rows = json.loads(result.stdout)
    assert [row["symbol"] for row in rows] == [entry.symbol for entry in CATALOG]


# ------------------------------------------------------------------ options


def test_options_table_lists_every_option() -> None:
    result = run("options")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["OPTION", "C", "NAME", "LEVEL", "VALUE", "TYPE", "GET", "SET"]
    assert len(lines) == len(all_options()) + 1
    nodelay = next(line for line in lines if line.startswith("TCPOption.NODELAY "))
    assert nodelay.split() == [
        "TCPOption.NODELAY",
        "TCP_NODELAY",
        "IPPROTO_TCP",
        "1",
        "bool",
        "yes",
        "yes",
    ]
    so_type = next(line for line in lines if line.startswith("SocketOption.TYPE "))
    assert so_type.split()[-2:] == ["yes", "no"]  # read-only


def test_options_by_level() -> None:
    result = run("options", "--level", "tcp")
    assert result.returncode == 0
    rows = result.stdout.splitlines()[1:]
    assert rows
    assert all(row.startswith("TCPOption.") for row in rows)
    data = json.loads(run("options", "--level", "ip", "--json").stdout)
    assert all(row["level"] == "IPPROTO_IP" for row in data)
    join = next(row for row in data if row["c_name"] == "IP_ADD_MEMBERSHIP")
    assert (join["get"], join["set"], join["type"]) == (False, True, "GroupRequest")


def test_options_bad_level_exits_two() -> None:
    result = run("options", "--level", "sctp")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


# ------------------------------------------------------------------ lookup


def test_lookup_numeric_ipv4_table() -> None:
    result = run("lookup", "127.0.0.1", "80", "--type", "stream")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["FAMILY", "TYPE", "PROTOCOL", "ADDRESS", "CANONNAME"]
    assert lines[1].split() == ["INET", "STREAM", "TCP", "127.0.0.1:80"]
    assert len(lines) == 2


def test_lookup_localhost_service_name() -> None:
    result = run("lookup", "localhost", "http", "--family", "inet", "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert records
    assert {r["host"] for r in records} == {"127.0.0.1"}
    assert {r["port"] for r in records} == {80}
    assert {r["family"] for r in records} == {"INET"}


@needs_ipv6
def test_lookup_ipv6_json() -> None:
    result = run("lookup", "::1", "443", "--type", "dgram", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "family": "INET6",
            "type": "DGRAM",
            "protocol": "UDP",
            "canonname": "",
            "host": "::1",
            "port": 443,
            "flowinfo": 0,
            "scope_id": 0,
            "flags": 0,
        }
    ]


def test_lookup_failure_is_one_line_and_exit_one() -> None:
    result = run("lookup", "not-numeric", "--numeric")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("sockkit lookup: getaddrinfo(not-numeric")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback() -> None:
    result = run("--debug", "lookup", "not-numeric", "--numeric")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "LookupFailed" in result.stderr


def test_lookup_bad_family_exits_two() -> None:
    result = run("lookup", "127.0.0.1", "--family", "ipx")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
