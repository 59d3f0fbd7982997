"""socket_wsaprotocol_info_*: handing a socket to another real process by an id string."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import sockkit.compat as compat
from sockkit.compat import (
    Socket,
    socket_read,
    socket_write,
    socket_wsaprotocol_info_export,
    socket_wsaprotocol_info_import,
    socket_wsaprotocol_info_release,
)

from .helpers import exact, no_warning, php_warning

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the POSIX equivalent")

SRC = Path(__file__).resolve().parents[2] / "src"
TIMEOUT = 20

# The importing process: reads an id per line, imports it, reports on stdout.
CHILD = textwrap.dedent(
    """
    import sys, warnings
    from sockkit.compat import socket_wsaprotocol_info_import, socket_write, socket_read
    from sockkit.compat import socket_close
    warnings.simplefilter("always")
    warnings.showwarning = lambda message, *args, **kw: print("warning:", message, flush=True)
    for line in sys.stdin:
        sock = socket_wsaprotocol_info_import(line.strip())
        if sock is False:
            print("import failed", flush=True)
            continue
        print("imported", sock.family.name, sock.type.name, flush=True)
        socket_write(sock, "hello from the child\\n")
        print("read", socket_read(sock, 100, 1), flush=True)
        socket_close(sock)
    """
)


class Child:
    """A Python process that imports the ids written to it."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(SRC))
        self.process = subprocess.Popen(
            [sys.executable, "-X", "dev", "-c", CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        self.pid = self.process.pid
        self.stderr: str | None = None

    def send(self, info_id: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(info_id + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def close(self) -> str:
        """Close its stdin (it then exits) and return what it wrote to stderr."""
        if self.stderr is None:
            try:
                _out, self.stderr = self.process.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                _out, self.stderr = self.process.communicate(timeout=TIMEOUT)
        return self.stderr


@pytest.fixture
def child() -> Iterator[Child]:
    proc = Child()
    try:
        yield proc
    finally:
        proc.close()


def test_signatures() -> None:
    expected = {
        "socket_wsaprotocol_info_export": ["socket", "target_pid"],
        "socket_wsaprotocol_info_import": ["info_id"],
        "socket_wsaprotocol_info_release": ["info_id"],
    }
    for name, parameters in expected.items():
        function = getattr(compat, name)
        assert list(inspect.signature(function).parameters) == parameters
        assert f"``{name}(" in (function.__doc__ or "")
        assert name in compat.__all__


def test_export_to_another_process(pair: list[Socket], child: Child) -> None:
    info_id = socket_wsaprotocol_info_export(pair[0], child.pid)
    assert isinstance(info_id, str) and info_id.startswith("php_wsa_for_")
    assert child.send(info_id) == "imported UNIX STREAM"
    assert socket_read(pair[1], 100, 1) == b"hello from the child\n"
    socket_write(pair[1], "hello from the parent\n")
    assert child.line() == "read b'hello from the parent\\n'"
    # The exporter keeps its own socket: it still works after the child closed its copy.
    socket_write(pair[0], "still mine")
    assert socket_read(pair[1], 100) == b"still mine"
    # One import per id.
    assert child.send(info_id).startswith("warning: socket_wsaprotocol_info_import(): Unable to")
    assert child.line() == "import failed"
    assert socket_wsaprotocol_info_release(info_id) is True
    assert socket_wsaprotocol_info_release(info_id) is False
    assert child.send(info_id) == (
        "warning: socket_wsaprotocol_info_import(): Unable to open file mapping [0x00000002]"
    )
    assert child.line() == "import failed"
    assert child.close() == ""  # no ResourceWarning, no traceback


def test_a_listening_socket_can_be_handed_over(listener: Socket, child: Child) -> None:
    info_id = socket_wsaprotocol_info_export(listener, child.pid)
    assert isinstance(info_id, str)
    port = listener.local_address.port  # type: ignore[union-attr]
    try:
        with Socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            # The child accepts nothing, but its imported copy is the same listening socket.
            assert child.send(info_id) == "imported INET STREAM"
            conn, _peer = listener.accept()
            with conn:
                client.send(b"queued")
                assert conn.recv(6) == b"queued"
    finally:
        assert socket_wsaprotocol_info_release(info_id)


def test_an_id_is_valid_for_its_target_process_only(pair: list[Socket], child: Child) -> None:
    info_id = socket_wsaprotocol_info_export(pair[0], os.getppid())  # not the child
    assert isinstance(info_id, str)
    try:
        assert child.send(info_id) == (
            "warning: socket_wsaprotocol_info_import(): Unable to import WSA protocol info"
            " [0x00000001]: Operation not permitted"
        )
        assert child.line() == "import failed"
    finally:
        assert socket_wsaprotocol_info_release(info_id)


def test_import_in_the_same_process(pair: list[Socket], fd_guard: None) -> None:
    info_id = socket_wsaprotocol_info_export(pair[0], os.getpid())
    assert isinstance(info_id, str)
    imported = socket_wsaprotocol_info_import(info_id)
    assert isinstance(imported, Socket)
    with imported:
        assert imported.fileno() != pair[0].fileno()
        socket_write(imported, "same connection")
        assert socket_read(pair[1], 100) == b"same connection"
    assert socket_wsaprotocol_info_release(info_id)


def test_release_stops_the_server(pair: list[Socket], fd_guard: None) -> None:
    before = {thread.name for thread in threading.enumerate()}
    info_id = socket_wsaprotocol_info_export(pair[0], os.getpid())
    assert isinstance(info_id, str)
    assert info_id in {thread.name for thread in threading.enumerate()}
    assert socket_wsaprotocol_info_release(info_id)
    assert {thread.name for thread in threading.enumerate()} == before
    with php_warning("socket_wsaprotocol_info_import(): Unable to open file mapping [0x00000002]"):
        assert socket_wsaprotocol_info_import(info_id) is False


@pytest.mark.parametrize(
    ("pid", "text"),
    [
        (2**30, "[0x00000003]: No such process"),
        (0, "[0x00000016]: Invalid argument"),
        (-1, "[0x00000016]: Invalid argument"),
    ],
)
def test_export_to_no_such_process(pair: list[Socket], pid: int, text: str) -> None:
    message = f"socket_wsaprotocol_info_export(): Unable to export WSA protocol info {text}"
    with php_warning(message):
        assert socket_wsaprotocol_info_export(pair[0], pid) is False


@pytest.mark.parametrize("info_id", ["", "nonsense", "php_wsa_for_1_2_0123456789abcdef"])
def test_import_of_an_unknown_id(info_id: str) -> None:
    with php_warning("socket_wsaprotocol_info_import(): Unable to open file mapping [0x00000002]"):
        assert socket_wsaprotocol_info_import(info_id) is False


def test_argument_errors(pair: list[Socket]) -> None:
    with pytest.raises(
        TypeError,
        match=exact(
            "socket_wsaprotocol_info_export(): Argument #2 ($target_pid) must be of type int,"
            " string given"
        ),
    ):
        socket_wsaprotocol_info_export(pair[0], "one")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=exact(
            "socket_wsaprotocol_info_import(): Argument #1 ($info_id) must be of type string,"
            " array given"
        ),
    ):
        socket_wsaprotocol_info_import([])  # type: ignore[arg-type]
    with no_warning():
        assert socket_wsaprotocol_info_release("never exported") is False
    pair[0].close()
    with pytest.raises(Exception, match="has already been closed"):
        socket_wsaprotocol_info_export(pair[0], os.getpid())
