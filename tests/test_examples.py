"""Every program in examples/ runs for real on loopback, as a bounded subprocess."""

from __future__ import annotations

import contextlib
import http.server
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import HAS_IPV6, free_port

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SRC = str(ROOT / "src")
TIMEOUT = 30.0

# Every example and the test that runs it; test_every_example_is_tested keeps this honest.
TESTED = {
    "talkback_server.py": "test_talkback_server",
    "http_head_client.py": "test_http_head_client",
    "socket_pair_ipc.py": "test_socket_pair_ipc",
    "udp_ping.py": "test_udp_ping",
    "udp_blast.py": "test_udp_blast",
    "unix_datagram.py": "test_unix_datagram",
    "pass_fd.py": "test_pass_fd",
    "select_chat_server.py": "test_select_chat_server",
    "prefork_server.py": "test_prefork_server",
    "multicast_loopback.py": "test_multicast_loopback",
    "async_echo_server.py": "test_async_echo_server_and_client",
    "async_echo_client.py": "test_async_echo_server_and_client",
    "tls_echo.py": "test_tls_echo",
    "starttls.py": "test_starttls",
    "php_port/talkback_server.py": "test_php_port_talkback_server",
    "php_port/http_head_client.py": "test_php_port_http_head_client",
    "php_port/socket_pair_ipc.py": "test_php_port_socket_pair_ipc",
}


def example_programs() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*.py") if "__pycache__" not in p.parts)


def _env() -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
        PYTHONUNBUFFERED="1",
    )


def _command(name: str, *args: str) -> list[str]:
    return [sys.executable, "-W", "error::ResourceWarning", str(EXAMPLES / name), *args]


def run_example(
    name: str, *args: str, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(name, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
        check=False,
    )


class Running:
    """An example running in the background whose output is read line by line."""

    def __init__(self, name: str, *args: str) -> None:
        self.process = subprocess.Popen(
            _command(name, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_env(),
            start_new_session=True,  # its own process group: stop() ends its children too
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> re.Match[str]:
        """Wait for an output line matching ``pattern``; fail on timeout or exit."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r} within {timeout}s: {self.seen}")
            if line is None:
                pytest.fail(f"exited before printing {pattern!r}: {self.seen}")
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def address(self) -> tuple[str, int]:
        match = self.expect(r"listening on (\S+):(\d+)")
        return match.group(1), int(match.group(2))

    def wait(self, timeout: float = TIMEOUT) -> int:
        code = self.process.wait(timeout)
        self._reader.join(timeout)
        while True:
            line = self.lines.get_nowait() if not self.lines.empty() else None
            if line is None:
                break
            self.seen.append(line)
        return code

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the example and any worker it forked
        self.process.wait(TIMEOUT)
        self._reader.join(TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def background() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for running in started:
        running.stop()


def start(background: list[Running], name: str, *args: str) -> Running:
    running = Running(name, *args)
    background.append(running)
    return running


def connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=TIMEOUT)


def _line(sock: socket.socket) -> bytes:
    """Read one line from ``sock`` (byte by byte: the test must not over-read)."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return bytes(data)


# --------------------------------------------------------------------- generic


def test_every_example_is_tested() -> None:
    names = {p.relative_to(EXAMPLES).as_posix() for p in example_programs()}
    untested = names - set(TESTED)
    assert not untested, f"examples without a test: {sorted(untested)}"
    for test_name in TESTED.values():
        assert test_name in globals(), test_name


@pytest.mark.parametrize("path", example_programs(), ids=lambda p: p.name)
def test_example_is_a_program_with_help(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert 'if __name__ == "__main__":' in source
    result = run_example(path.relative_to(EXAMPLES).as_posix(), "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
    assert "``" not in result.stdout, "--help shows reStructuredText markup"


# --------------------------------------------------------------------- one test per example


def _talk_to_talkback_server(server: Running) -> tuple[str, int]:
    """The manual's conversation: greeting, answers, quit, an idle client, shutdown.

    Returns the address the server listened on.
    """
    address = server.address()
    with connect(address) as client:
        welcome = b""
        while b"shutdown" not in welcome:
            welcome += _line(client)
        assert b"Welcome to the sockkit talkback server." in welcome
        client.sendall(b"hello\n")
        assert _line(client) == b"You said 'hello'.\n"
        client.sendall(b"sockets\r\n")
        assert _line(client) == b"You said 'sockets'.\n"
        client.sendall(b"quit\n")
        assert client.recv(100) == b""
    with connect(address) as idle:  # says nothing: dropped after the idle timeout
        assert b"Welcome" in idle.recv(4096)
        idle.settimeout(TIMEOUT)
        while idle.recv(4096):
            pass
    with connect(address) as client:
        client.sendall(b"shutdown\n")
        server.expect("server shut down")
    assert server.wait() == 0
    return address


def test_talkback_server(background: list[Running]) -> None:
    server = start(background, "talkback_server.py", "--port", "0", "--idle-timeout", "0.5")
    _talk_to_talkback_server(server)
    assert any("was idle too long" in line for line in server.seen)


def test_php_port_talkback_server(background: list[Running]) -> None:
    server = start(background, "php_port/talkback_server.py", "--port", "0", "--idle-timeout", "1")
    _host, port = _talk_to_talkback_server(server)
    assert "hello" in server.seen  # the PHP script echoes each line on the console
    # Connections the server closed sit in TIME_WAIT; SO_REUSEADDR lets it start again.
    again = start(background, "php_port/talkback_server.py", "--port", str(port))
    assert again.address()[1] == port


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_port(tmp_path: Path) -> Iterator[int]:
    """A local HTTP server (Python's http.server) on 127.0.0.1; yields its port."""
    (tmp_path / "index.html").write_text("<p>hello</p>")

    def handler(*args: Any, **kwargs: Any) -> _QuietHandler:
        return _QuietHandler(*args, directory=str(tmp_path), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(TIMEOUT)


def test_http_head_client(http_port: int) -> None:
    result = run_example("http_head_client.py", "127.0.0.1", "--port", str(http_port))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("HTTP/1.0 200 OK")
    assert "Content-Length: 12" in result.stdout
    assert "<p>" not in result.stdout  # HEAD: headers only
    assert f"connected to 127.0.0.1:{http_port}" in result.stderr


def test_php_port_http_head_client(http_port: int) -> None:
    result = run_example("php_port/http_head_client.py", "127.0.0.1", "--port", str(http_port))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Attempting to connect to '127.0.0.1' on port '{http_port}'...\nOK." in result.stdout
    assert "Reading response:\n\nHTTP/1.0 200 OK" in result.stdout
    assert "Content-Length: 12" in result.stdout
    assert result.stdout.endswith("Closing socket...\nOK.\n")


def test_http_head_client_refused_is_one_line() -> None:
    result = run_example("http_head_client.py", "127.0.0.1", "--port", str(free_port()))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: connect(127.0.0.1:")
    assert "Connection refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_pair_ipc() -> None:
    result = run_example("socket_pair_ipc.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^child \d+ received b'Message From Parent.\\n'$", result.stdout, re.M)
    assert re.search(r"^parent \d+ received b'Message From Child.\\n'$", result.stdout, re.M)
    assert "child exited with status 0" in result.stdout


def test_php_port_socket_pair_ipc() -> None:
    result = run_example("php_port/socket_pair_ipc.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(result.stdout.splitlines()) == [
        "Received Message From Child.",
        "Received Message From Parent.",
    ]


def test_udp_ping(background: list[Running]) -> None:
    server = start(background, "udp_ping.py", "--serve", "--port", "0", "--count", "3")
    host, port = server.address()
    result = run_example("udp_ping.py", "--host", host, "--port", str(port), "--count", "3")
    assert result.returncode == 0, result.stdout
    assert len(re.findall(r"6 bytes from 127\.0\.0\.1:\d+: seq=\d ok", result.stdout)) == 3
    assert "3 sent, 3 answered" in result.stdout
    assert server.wait() == 0


def test_udp_blast() -> None:
    result = run_example("udp_blast.py", "--count", "300", "--batch", "16", "--size", "200")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("one call per datagram: 300 sent, ")
    assert lines[1].startswith("batches of 16: 300 sent, ")
    # Loopback with a large receive buffer loses nothing at this size.
    assert all(" 300 received, " in line and "loss 0.0%" in line for line in lines)


def test_udp_ping_without_responder() -> None:
    port = free_port(kind=socket.SOCK_DGRAM)
    result = run_example("udp_ping.py", "--port", str(port), "--count", "1", "--timeout", "2")
    assert result.returncode == 1
    assert re.search(r"seq=0 (port unreachable|timed out)", result.stdout)


@pytest.mark.skipif(not HAS_IPV6, reason="this machine has no ::1")
def test_udp_ping_ipv6(background: list[Running]) -> None:
    server = start(
        background, "udp_ping.py", "--serve", "--host", "::1", "--port", "0", "--count", "1"
    )
    match = server.expect(r"listening on \[::1\]:(\d+)")
    result = run_example("udp_ping.py", "--host", "::1", "--port", match.group(1), "--count", "1")
    assert result.returncode == 0, result.stdout
    assert "from [::1]:" in result.stdout
    assert server.wait() == 0


def test_unix_datagram(tmp_path: Path) -> None:
    result = run_example("unix_datagram.py", "--dir", str(tmp_path), "ping", "pong")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "client got b'PING'" in result.stdout
    assert "client got b'PONG'" in result.stdout
    assert re.search(r"server got b'ping' from /\S+/client\.sock", result.stdout)
    assert list(tmp_path.iterdir()) == []  # the temporary directory is gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract names are Linux-only")
def test_unix_datagram_abstract() -> None:
    result = run_example("unix_datagram.py", "--abstract", "hi")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"server got b'hi' from @sockkit-example-\d+-client", result.stdout)
    assert "client got b'HI'" in result.stdout


def test_pass_fd() -> None:
    result = run_example("pass_fd.py", "--port", "0", "--clients", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    workers = re.findall(r"^client \d: served by worker (\d+)$", result.stdout, re.M)
    assert len(workers) == 3
    assert len(set(workers)) == 1
    assert int(workers[0]) != os.getpid()
    assert "worker exited with status 0" in result.stdout


def test_select_chat_server(background: list[Running]) -> None:
    server = start(background, "select_chat_server.py", "--port", "0", "--idle-timeout", "20")
    address = server.address()
    with connect(address) as alice, connect(address) as bob, connect(address) as carol:
        assert _line(alice) == b"welcome, guest-1: 1 online\n"
        assert _line(bob) == b"welcome, guest-2: 2 online\n"
        assert _line(carol) == b"welcome, guest-3: 3 online\n"
        assert _line(alice) == b"* guest-2 joined\n"
        assert _line(alice) == b"* guest-3 joined\n"
        assert _line(bob) == b"* guest-3 joined\n"
        alice.sendall(b"hello, ")  # a line in two pieces
        alice.sendall(b"everyone\n")
        assert _line(bob) == b"guest-1: hello, everyone\n"
        assert _line(carol) == b"guest-1: hello, everyone\n"
        bob.sendall(b"/quit\n")
        assert bob.recv(100) == b""
        assert _line(alice) == b"* guest-2 quit\n"
        assert _line(carol) == b"* guest-2 quit\n"
        carol.close()
        assert _line(alice) == b"* guest-3 left\n"
        alice.sendall(b"/shutdown\n")
        assert _line(alice) == b"* server shutting down\n"
        assert alice.recv(100) == b""
    server.expect("server stopped")
    assert server.wait() == 0


def test_select_chat_server_stops_when_idle(background: list[Running]) -> None:
    server = start(background, "select_chat_server.py", "--port", "0", "--idle-timeout", "0.2")
    server.expect("idle for too long")
    assert server.wait() == 0


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="no SO_REUSEPORT")
def test_prefork_server() -> None:
    result = run_example("prefork_server.py", "--port", "0", "--workers", "3", "--connect", "40")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"listening on 127\.0\.0\.1:\d+ with 3 workers", result.stdout)
    counts = re.findall(r"^hello from worker (\d+): (\d+) connections$", result.stdout, re.M)
    assert sum(int(n) for _, n in counts) == 40
    assert len(counts) >= 2  # the kernel spread the connections
    assert "stopped 3 workers" in result.stdout


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="no SO_REUSEPORT")
def test_prefork_server_stops_on_sigterm(background: list[Running]) -> None:
    server = start(background, "prefork_server.py", "--port", "0", "--workers", "2")
    address = server.address()
    with connect(address) as client:
        assert re.match(rb"hello from worker \d+\n", _line(client))
    server.process.send_signal(signal.SIGTERM)
    server.expect("stopped 2 workers")
    assert server.wait() == 0


@pytest.mark.parametrize("group", ["239.255.42.99", "ff12::5:1234"])
def test_multicast_loopback(group: str) -> None:
    if ":" in group and not HAS_IPV6:
        pytest.skip("this machine has no IPv6")
    result = run_example("multicast_loopback.py", "--group", group)
    assert result.returncode == 0, result.stdout + result.stderr
    if result.stdout.startswith("skipped:"):
        pytest.skip(result.stdout.strip())
    assert "received b'hello, group' from " in result.stdout
    assert f"via group {group}" in result.stdout


def test_multicast_loopback_bad_interface() -> None:
    result = run_example("multicast_loopback.py", "--interface", "no-such-interface0")
    assert result.returncode == 1
    assert "no interface" in result.stdout


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(
    "loop",
    [
        "asyncio",
        pytest.param(
            "uvloop", marks=pytest.mark.skipif(not _has_uvloop(), reason="uvloop not installed")
        ),
    ],
)
def test_async_echo_server_and_client(background: list[Running], loop: str) -> None:
    extra = ("--uvloop",) if loop == "uvloop" else ()
    server = start(background, "async_echo_server.py", "--port", "0", *extra)
    host, port = server.address()
    with connect((host, port)) as raw:  # a plain client, a line in two pieces
        raw.sendall(b"hel")
        raw.sendall(b"lo\n")
        assert _line(raw) == b"hello\n"
        result = run_example(
            "async_echo_client.py",
            *("--host", host, "--port", str(port), "--clients", "25"),
            *("--message", "one", "--message", "two words", "--shutdown"),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines() == [
            "got: one",
            "got: two words",
            "25 connections echoed 2 lines each",
            "server said: bye",
        ]
    server.expect("server stopped")
    assert server.wait() == 0


# --------------------------------------------------------------------- TLS


@pytest.fixture
def tls_files(tmp_path: Path) -> dict[str, str]:
    import trustme  # noqa: PLC0415 - the test extra installs it

    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    files = {
        "cert": tmp_path / "cert.pem",
        "key": tmp_path / "key.pem",
        "ca": tmp_path / "ca.pem",
        "other-ca": tmp_path / "other-ca.pem",  # a CA that signed nothing here
    }
    cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    cert.private_key_pem.write_to_path(str(files["key"]))
    ca.cert_pem.write_to_path(str(files["ca"]))
    trustme.CA().cert_pem.write_to_path(str(files["other-ca"]))
    return {name: str(path) for name, path in files.items()}


def test_tls_echo(background: list[Running], tls_files: dict[str, str]) -> None:
    server = start(
        background, "tls_echo.py", "--serve", "--port", "0", "--count", "1",
        "--cert", tls_files["cert"], "--key", tls_files["key"],
    )  # fmt: skip
    _host, port = server.address()
    result = run_example(
        "tls_echo.py", "--port", str(port), "--cafile", tls_files["ca"], "hello", "over TLS"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "connected: TLSv1.3" in result.stdout
    assert "echo: hello\necho: over TLS" in result.stdout
    assert server.wait() == 0
    assert any("TLSv1.3" in line for line in server.seen)


def test_tls_echo_untrusted_server(background: list[Running], tls_files: dict[str, str]) -> None:
    server = start(
        background, "tls_echo.py", "--serve", "--port", "0", "--count", "1",
        "--cert", tls_files["cert"], "--key", tls_files["key"],
    )  # fmt: skip
    _host, port = server.address()
    # Trusting another CA (not the server's own certificate: Python 3.13's default
    # context accepts a trusted leaf on its own, VERIFY_X509_PARTIAL_CHAIN).
    result = run_example("tls_echo.py", "--port", str(port), "--cafile", tls_files["other-ca"])
    assert result.returncode == 1
    assert "certificate verify failed" in result.stdout
    assert server.wait() == 0


def test_starttls(tls_files: dict[str, str]) -> None:
    result = run_example(
        "starttls.py", "--cert", tls_files["cert"], "--key", tls_files["key"],
        "--cafile", tls_files["ca"],
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "plain> 220 ready",
        "plain> 220 go ahead",
        "upgraded to TLSv1.3",
        "tls>   250 EHLO example",
        "tls>   250 NOOP",
        "tls>   200 plaintext from now on",
        "plain> 250 QUIT",
    ]
