"""The command line, run as a real subprocess."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import free_port, needs_ipv6
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


def test_serve_help_shows_the_defaults_and_concurrency() -> None:
    text = " ".join(run("serve", "--help").stdout.split())
    assert "address to listen on (default 127.0.0.1)" in text
    assert "port to listen on (default 10000)" in text
    assert "Selector" in text
    assert "(default 127.0.0.1)" in " ".join(run("demo", "--help").stdout.split())


def test_usage_error_exits_two() -> None:
    result = run("no-such-command")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_socket_failure_is_one_line_and_exit_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_usage_error_exits_two() -> None:
    for args, says in (
        (("serve", "--port", "99999"), "port must be 0-65535, got 99999"),
        (("serve", "--port", "-1"), "port must be 0-65535, got -1"),
        (("serve", "--port", "abc"), "not a port number"),
        (("lookup", "127.0.0.1", "99999"), "port must be 0-65535"),
        (("strerror",), "required"),
    ):
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert says in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


SUBCOMMANDS = ("demo", "serve", "strerror", "errors", "options", "lookup")


def test_help_on_every_new_subcommand() -> None:
    for command in SUBCOMMANDS:
        result = run(command, "--help")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: sockkit {command}")
        assert "``" not in result.stdout
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


def test_strerror_of_numbers_no_error_has() -> None:
    for number in ("99999999999999999999", "-5", "70000"):
        result = run("strerror", number)
        assert result.returncode == 1, result.stderr
        assert result.stderr == (
            f"sockkit strerror: {number} is neither an errno nor a Winsock code:"
            " no error has that number\n"
        )
    winsock = run("strerror", "10999")
    assert winsock.returncode == 1
    assert "Winsock code 10999 is not in the error catalog" in winsock.stderr


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


# ------------------------------------------------------------------ serve


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """``sockkit serve`` running in the background; its stdout is read line by line."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sockkit", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            # A shell's background job (CI may be one) ignores SIGINT, and a child would
            # inherit that: give the server the Ctrl-C a terminal would.
            preexec_fn=_default_sigint,  # noqa: PLW1509 - one signal() call before exec
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()
        assert "listening on" in self.first_line, self.process.communicate(timeout=30)

    def finish(self) -> tuple[int, str, str]:
        """Wait for the server to exit; return its code and the rest of its output."""
        stdout, stderr = self.process.communicate(timeout=30)
        return self.process.returncode, stdout, stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=30)


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


def _connect(address: object, family: int = socket.AF_INET) -> socket.socket:
    client = socket.socket(family, socket.SOCK_STREAM)
    client.settimeout(15)
    client.connect(address)
    return client


def _read_until(client: socket.socket, marker: bytes) -> bytes:
    data = b""
    deadline = time.monotonic() + 15
    while marker not in data:
        assert time.monotonic() < deadline, data
        chunk = client.recv(4096)
        assert chunk, data
        data += chunk
    return data


def test_serve_greets_without_an_empty_first_line(servers: list[Server]) -> None:
    port = free_port()
    servers.append(server := Server("--port", str(port)))
    with _connect(("127.0.0.1", port)) as client:
        greeting = _read_until(client, b"'shutdown'.\n")
        assert greeting.startswith(b"Welcome to the sockkit talkback server.\n")
        client.sendall(b"shutdown\n")
    assert server.finish()[0] == 0


def test_serve_talks_to_clients_at_once(servers: list[Server]) -> None:
    port = free_port()
    servers.append(server := Server("--port", str(port)))
    with _connect(("127.0.0.1", port)) as first, _connect(("127.0.0.1", port)) as second:
        # The second is greeted and answered while the first is still connected.
        _read_until(second, b"'shutdown'.\n")
        _read_until(first, b"'shutdown'.\n")
        second.sendall(b"from the second\n")
        assert _read_until(second, b"\n") == b"You said 'from the second'.\n"
        first.sendall(b"from the first\r\n")
        assert _read_until(first, b"\n") == b"You said 'from the first'.\n"
        # A line split over two sends is one line.
        second.sendall(b"spl")
        time.sleep(0.05)
        second.sendall(b"it\n")
        assert _read_until(second, b"\n") == b"You said 'split'.\n"
        first.sendall(b"quit\n")
        assert first.recv(100) == b""  # quit closes that connection only
        second.sendall(b"still here\n")
        assert _read_until(second, b"\n") == b"You said 'still here'.\n"
        second.sendall(b"shutdown\n")
        assert second.recv(100) == b""  # the server closed every connection
    code, stdout, stderr = server.finish()
    assert code == 0, stderr
    assert stdout.splitlines()[-1] == "stopped: a client asked for shutdown"


def test_serve_unix_removes_its_file_on_shutdown(tmp_path: Path, servers: list[Server]) -> None:
    path = str(tmp_path / "talkback.sock")
    for _ in range(2):  # the second run binds the same path again
        servers.append(server := Server("--unix", path))
        with _connect(path, socket.AF_UNIX) as client:
            _read_until(client, b"'shutdown'.\n")
            client.sendall(b"shutdown\n")
        code, stdout, stderr = server.finish()
        assert (code, stderr) == (0, "")
        assert stdout.splitlines()[-1] == "stopped: a client asked for shutdown"
        assert not os.path.exists(path)


def test_serve_unix_removes_its_file_on_ctrl_c(tmp_path: Path, servers: list[Server]) -> None:
    path = str(tmp_path / "talkback.sock")
    servers.append(server := Server("--unix", path))
    with _connect(path, socket.AF_UNIX) as client:  # a client still connected
        _read_until(client, b"'shutdown'.\n")
        server.process.send_signal(signal.SIGINT)
        code, stdout, stderr = server.finish()
        assert client.recv(100) == b""  # its connection was closed
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-1] == "stopped"
    assert not os.path.exists(path)


def test_serve_unix_explains_a_path_in_use(tmp_path: Path, servers: list[Server]) -> None:
    stale = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX) as left_behind:
        left_behind.bind(str(stale))  # closed without unlinking: a stale socket file
    result = run("serve", "--unix", str(stale))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no server listens on" in result.stderr
    assert f"rm {stale}" in result.stderr
    live = str(tmp_path / "live.sock")
    servers.append(Server("--unix", live))
    busy = run("serve", "--unix", live)
    assert busy.returncode == 1
    assert "a server is listening there" in busy.stderr
    assert os.path.exists(live)  # the failed run left the running server's file alone
    plain = tmp_path / "plain"
    plain.write_text("not a socket")
    not_socket = run("serve", "--unix", str(plain))
    assert not_socket.returncode == 1
    assert "is not a socket" in not_socket.stderr
    assert plain.read_text() == "not a socket"
