"""socket_import_stream / socket_export_stream: sharing a connection safely."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path

import pytest

from sockkit.compat import (
    AF_UNIX,
    SO_TYPE,
    SOCK_STREAM,
    SOL_SOCKET,
    Socket,
    silenced,
    socket_close,
    socket_export_stream,
    socket_get_option,
    socket_import_stream,
    socket_last_error,
    socket_read,
    socket_set_nonblock,
    socket_write,
)
from sockkit.errors import SocketClosedError

from .helpers import exact, php_warning


def test_export_gives_one_unbuffered_binary_file(pair: list[Socket]) -> None:
    stream = socket_export_stream(pair[0])
    assert stream is not False
    assert socket_export_stream(pair[0]) is stream
    assert stream.write(b"line\n") == 5  # unbuffered: already sent
    assert socket_read(pair[1], 100) == b"line\n"
    socket_write(pair[1], "one\ntwo\n")
    assert stream.readline() == b"one\n"
    # Nothing was read ahead: the rest is still there for socket_read.
    assert socket_read(pair[0], 100) == b"two\n"


def test_socket_close_closes_the_exported_stream(pair: list[Socket]) -> None:
    stream = socket_export_stream(pair[0])
    assert stream is not False
    socket_close(pair[0])
    assert stream.closed
    assert socket_read(pair[1], 10) == b""  # the descriptor is really closed


def test_closing_the_export_closes_the_socket(pair: list[Socket]) -> None:
    stream = socket_export_stream(pair[0])
    assert stream is not False
    stream.close()
    assert pair[0].closed
    with pytest.raises(SocketClosedError, match="has already been closed"):
        socket_write(pair[0], "x")
    assert socket_read(pair[1], 10) == b""  # the descriptor is really closed


def test_importing_the_export_gives_back_its_socket(pair: list[Socket]) -> None:
    stream = socket_export_stream(pair[0])
    assert stream is not False
    before = len(os.listdir("/proc/self/fd"))
    assert socket_import_stream(stream) is pair[0]  # no second owner of the descriptor
    assert len(os.listdir("/proc/self/fd")) == before
    stream.close()
    with pytest.raises(TypeError, match="not a valid stream resource"):
        socket_import_stream(stream)


def test_import_duplicates_a_python_socket() -> None:
    left, right = socket.socketpair()
    try:
        sock = socket_import_stream(left)
        assert isinstance(sock, Socket)
        assert sock.fileno() != left.fileno()
        assert socket_get_option(sock, SOL_SOCKET, SO_TYPE) == SOCK_STREAM
        socket_write(sock, "shared")
        assert right.recv(10) == b"shared"
        left.close()  # the caller closes its descriptor...
        assert not sock.closed  # ...and the Socket keeps its own, working
        socket_write(sock, "x")
        assert right.recv(10) == b"x"
        socket_close(sock)
    finally:
        left.close()
        right.close()


def test_socket_close_closes_the_imported_python_socket() -> None:
    left, right = socket.socketpair()
    try:
        sock = socket_import_stream(left)
        assert isinstance(sock, Socket)
        socket_close(sock)
        assert left.fileno() == -1
        assert right.recv(10) == b""
    finally:
        left.close()
        right.close()


def test_import_a_makefile_object() -> None:
    left, right = socket.socketpair()
    file = left.makefile("rwb", buffering=0)
    try:
        sock = socket_import_stream(file)
        assert isinstance(sock, Socket)
        socket_write(sock, "via makefile")
        assert right.recv(20) == b"via makefile"
        assert socket_export_stream(sock) is file  # PHP hands back the stream it came from
        socket_close(sock)
        assert file.closed
    finally:
        file.close()
        left.close()
        right.close()


def test_import_a_buffered_makefile_object() -> None:
    left, right = socket.socketpair()
    file = left.makefile("rb")
    try:
        sock = socket_import_stream(file)
        assert isinstance(sock, Socket)
        right.sendall(b"buffered")
        assert socket_read(sock, 20) == b"buffered"
        socket_close(sock)
    finally:
        file.close()
        left.close()
        right.close()


class _FdOwner:
    """Anything with fileno(): compat duplicates its descriptor."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()


def test_import_anything_with_a_socket_fileno_duplicates_it() -> None:
    left, right = socket.socketpair()
    try:
        left.setblocking(False)
        sock = socket_import_stream(_FdOwner(left))
        assert isinstance(sock, Socket)
        assert sock.fileno() != left.fileno()
        assert sock.blocking is False  # O_NONBLOCK is shared with the original
        socket_write(sock, "dup")
        assert right.recv(10) == b"dup"
        socket_close(sock)
        left.send(b"still open")  # the original keeps its own descriptor
        assert right.recv(20) == b"still open"
    finally:
        left.close()
        right.close()


def test_import_something_that_is_not_a_socket(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"data")
    with path.open("rb") as file:
        before = len(os.listdir("/proc/self/fd"))
        with php_warning(
            "socket_import_stream(): Cannot represent a stream of type STDIO as a Socket Descriptor"
        ):
            assert socket_import_stream(file) is False
        assert len(os.listdir("/proc/self/fd")) == before


def test_import_type_errors(pair: list[Socket]) -> None:
    with pytest.raises(
        TypeError,
        match=exact(
            "socket_import_stream(): Argument #1 ($stream) must be of type resource, int given"
        ),
    ):
        socket_import_stream(5)
    with pytest.raises(
        TypeError,
        match=exact(
            "socket_import_stream(): Argument #1 ($stream) must be of type resource, Socket given"
        ),
    ):
        socket_import_stream(pair[0])
    closed = io.BytesIO()
    closed.close()
    with pytest.raises(TypeError):
        socket_import_stream(closed)
    left, right = socket.socketpair()
    left.close()
    right.close()
    with pytest.raises(
        TypeError,
        match=exact("socket_import_stream(): supplied resource is not a valid stream resource"),
    ):
        socket_import_stream(left)


def test_import_keeps_non_blocking_state_silent(pair: list[Socket]) -> None:
    socket_set_nonblock(pair[0])
    stream = socket_export_stream(pair[0])
    assert stream is not False
    again = socket_import_stream(stream)
    assert isinstance(again, Socket)
    with silenced():
        assert socket_read(again, 10) is False
    assert socket_last_error(again) == 11
    socket_close(again)  # its own descriptor (and the stream it came from)


def test_import_of_a_unix_server() -> None:
    left, right = socket.socketpair(AF_UNIX, SOCK_STREAM)
    with left, right:
        sock = socket_import_stream(left)
        assert isinstance(sock, Socket)
        assert int(sock.family) == AF_UNIX
        socket_close(sock)
