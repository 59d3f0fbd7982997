"""The socket_* functions: PHP's conventions, and every deviation from PHP 8.2."""

from __future__ import annotations

import contextlib
import errno
import inspect
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sockkit.compat as compat
from sockkit import SocketClosedError, set_resolver
from sockkit.compat import (
    AF_INET,
    AF_INET6,
    AF_UNIX,
    MSG_OOB,
    PHP_NORMAL_READ,
    SO_RCVTIMEO,
    SOCK_DGRAM,
    SOCK_STREAM,
    SOL_SOCKET,
    Ref,
    Socket,
    silenced,
    socket_accept,
    socket_atmark,
    socket_bind,
    socket_close,
    socket_connect,
    socket_create,
    socket_create_listen,
    socket_create_pair,
    socket_getpeername,
    socket_getsockname,
    socket_last_error,
    socket_listen,
    socket_read,
    socket_recv,
    socket_recvfrom,
    socket_send,
    socket_sendto,
    socket_set_nonblock,
    socket_set_option,
    socket_shutdown,
    socket_write,
    strict_types,
)
from sockkit.compat._messages import NOT_BY_REFERENCE_HINT

from .helpers import exact, no_warning, php_warning

RESET = "socket_read(): unable to read from socket [104]: Connection reset by peer"


def _port(sock: Socket) -> int:
    port = Ref()
    assert socket_getsockname(sock, Ref(), port)
    assert isinstance(port.value, int)
    return port.value


def _tcp(family: int = AF_INET) -> Socket:
    sock = socket_create(family, SOCK_STREAM, 0)
    assert isinstance(sock, Socket)
    return sock


# --------------------------------------------------------------------- signatures

# PHP 8.2's parameter names and defaults (reference/php82-functions.txt), plus atmark (8.3).
PHP_SIGNATURES = {
    "socket_create_listen": "(port, backlog=128)",
    "socket_accept": "(socket)",
    "socket_set_nonblock": "(socket)",
    "socket_set_block": "(socket)",
    "socket_listen": "(socket, backlog=0)",
    "socket_close": "(socket)",
    "socket_write": "(socket, data, length=None)",
    "socket_read": "(socket, length, mode=2)",
    "socket_getsockname": "(socket, address, port=None)",
    "socket_getpeername": "(socket, address, port=None)",
    "socket_create": "(domain, type, protocol)",
    "socket_connect": "(socket, address, port=None)",
    "socket_strerror": "(error_code)",
    "socket_bind": "(socket, address, port=0)",
    "socket_recv": "(socket, data, length, flags)",
    "socket_send": "(socket, data, length, flags)",
    "socket_recvfrom": "(socket, data, length, flags, address, port=None)",
    "socket_sendto": "(socket, data, length, flags, address, port=None)",
    "socket_get_option": "(socket, level, option)",
    "socket_getopt": "(socket, level, option)",
    "socket_set_option": "(socket, level, option, value)",
    "socket_setopt": "(socket, level, option, value)",
    "socket_create_pair": "(domain, type, protocol, pair)",
    "socket_shutdown": "(socket, mode=2)",
    "socket_last_error": "(socket=None)",
    "socket_clear_error": "(socket=None)",
    "socket_import_stream": "(stream)",
    "socket_export_stream": "(socket)",
    "socket_atmark": "(socket)",
}


@pytest.mark.parametrize("name", sorted(PHP_SIGNATURES))
def test_signature_is_phps(name: str) -> None:
    function = getattr(compat, name)
    parameters = inspect.signature(function).parameters.values()
    shown = ", ".join(
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in parameters
    )
    assert f"({shown})" == PHP_SIGNATURES[name]
    assert f"PHP: ``{name}(" in (function.__doc__ or "") or "PHP 8.3: ``" in function.__doc__
    assert name in compat.__all__


# --------------------------------------------------------------------- argument errors


def test_int_parameters_are_strict_in_strict_mode() -> None:
    with (
        strict_types(True),
        pytest.raises(
            TypeError,
            match=exact("socket_create(): Argument #3 ($protocol) must be of type int, bool given"),
        ),
    ):
        socket_create(AF_INET, SOCK_STREAM, True)  # type: ignore[arg-type]
    with (
        strict_types(True),
        pytest.raises(
            TypeError,
            match=exact(
                "socket_create(): Argument #3 ($protocol) must be of type int, string given"
            ),
        ),
    ):
        socket_create(AF_INET, SOCK_STREAM, "6")  # type: ignore[arg-type]


def test_a_closed_socket_is_phps_error(pair: list[Socket]) -> None:
    socket_close(pair[0])
    with pytest.raises(
        SocketClosedError,
        match=exact("socket_write(): Argument #1 ($socket) has already been closed"),
    ):
        socket_write(pair[0], "x")


def test_by_reference_arguments_need_a_value_attribute(pair: list[Socket]) -> None:
    with pytest.raises(
        TypeError,
        match=exact("socket_recv(): Argument #2 ($data) " + NOT_BY_REFERENCE_HINT),
    ):
        socket_recv(pair[0], None, 10, 0)
    with pytest.raises(
        TypeError,
        match=exact(
            "socket_create_pair(): Argument #4 ($pair) must be of type array, string given"
        ),
    ):
        socket_create_pair(AF_UNIX, SOCK_STREAM, 0, "pair")


def test_type_minus_one_is_refused_as_the_os_would() -> None:
    # Python's socket() reads -1 as "the default"; PHP passes it to the OS: EINVAL.
    with php_warning("socket_create(): Unable to create socket [22]: Invalid argument"):
        assert socket_create(AF_INET, -1, 0) is False
    with php_warning("socket_create(): Unable to create socket [22]: Invalid argument"):
        assert socket_create(AF_INET, SOCK_STREAM, -1) is False


# --------------------------------------------------------------------- deviations: ports


@pytest.mark.parametrize("port", [-1, 65536, 70000])
def test_port_out_of_range_is_a_value_error(port: int) -> None:
    sock = _tcp()
    udp = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(udp, Socket)
    try:
        with pytest.raises(
            ValueError,
            match=exact("socket_bind(): Argument #3 ($port) must be between 0 and 65535"),
        ):
            socket_bind(sock, "127.0.0.1", port)
        with pytest.raises(
            ValueError,
            match=exact("socket_connect(): Argument #3 ($port) must be between 0 and 65535"),
        ):
            socket_connect(sock, "127.0.0.1", port)
        with pytest.raises(
            ValueError,
            match=exact("socket_sendto(): Argument #6 ($port) must be between 0 and 65535"),
        ):
            socket_sendto(udp, "x", 1, 0, "127.0.0.1", port)
        with pytest.raises(
            ValueError,
            match=exact("socket_create_listen(): Argument #1 ($port) must be between 0 and 65535"),
        ):
            socket_create_listen(port)
    finally:
        sock.close()
        udp.close()


# --------------------------------------------------------------------- deviations: NORMAL read


def test_normal_read_returns_a_partial_line_at_end_of_stream(pair: list[Socket]) -> None:
    socket_write(pair[0], "whole\npartial")
    socket_shutdown(pair[0], 1)
    with no_warning():
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"whole\n"
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"partial"
    with php_warning(RESET):
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) is False
    assert socket_last_error(pair[1]) == socket_last_error() == errno.ECONNRESET


def test_normal_read_non_blocking_returns_what_has_arrived(pair: list[Socket]) -> None:
    assert socket_set_nonblock(pair[1])
    with no_warning():
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) is False
    assert socket_last_error(pair[1]) == errno.EAGAIN
    socket_write(pair[0], "par")
    with no_warning():
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"par"
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) is False
    socket_write(pair[0], "tial\nnext")
    assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"tial\n"
    assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"next"
    socket_close(pair[0])
    with no_warning():
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b""


def test_normal_read_timeout_returns_what_was_read(pair: list[Socket]) -> None:
    assert socket_set_option(pair[1], SOL_SOCKET, SO_RCVTIMEO, {"sec": 0, "usec": 50_000})
    started = time.monotonic()
    with no_warning():
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) is False
    assert socket_last_error(pair[1]) == errno.EAGAIN
    socket_write(pair[0], "no newline yet")
    with no_warning():
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"no newline yet"
    assert time.monotonic() - started < 5


def test_normal_read_mid_line_on_a_blocking_socket_waits_for_the_rest(pair: list[Socket]) -> None:
    def finish() -> None:
        time.sleep(0.05)
        socket_write(pair[0], "rest\n")

    socket_write(pair[0], "first ")
    thread = threading.Thread(target=finish)
    thread.start()
    try:
        assert socket_read(pair[1], 100, PHP_NORMAL_READ) == b"first rest\n"
    finally:
        thread.join(5)


def test_read_length_not_positive_is_false_and_records_nothing(pair: list[Socket]) -> None:
    with no_warning():
        assert socket_read(pair[1], 0) is False
        assert socket_read(pair[1], -1, PHP_NORMAL_READ) is False
    assert socket_last_error(pair[1]) == 0


# --------------------------------------------------------------------- data


def test_write_takes_str_as_utf8_and_any_buffer(pair: list[Socket]) -> None:
    assert socket_write(pair[0], "é") == 2
    assert socket_write(pair[0], bytearray(b"ab")) == 2
    assert socket_write(pair[0], memoryview(b"cdef"), 2) == 2
    assert socket_read(pair[1], 100) == "é".encode() + b"abcd"


def test_recv_at_end_of_stream_sets_null(pair: list[Socket]) -> None:
    buf = Ref("before")
    socket_close(pair[0])
    assert socket_recv(pair[1], buf, 10, 0) == 0
    assert buf.value is None


def test_recvfrom_needs_port_on_ip_sockets() -> None:
    udp = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(udp, Socket)
    try:
        with pytest.raises(TypeError, match=exact("Wrong parameter count for socket_recvfrom()")):
            socket_recvfrom(udp, Ref(), 10, 0, Ref())
    finally:
        udp.close()


def test_out_of_band_data_and_atmark(listener: Socket) -> None:
    client = _tcp()
    try:
        assert socket_connect(client, "127.0.0.1", _port(listener))
        conn = socket_accept(listener)
        assert isinstance(conn, Socket)
        try:
            assert socket_send(client, "ab", 2, 0) == 2
            assert socket_send(client, "c", 1, MSG_OOB) == 1
            time.sleep(0.1)
            assert socket_atmark(conn) is False
            assert socket_read(conn, 2) == b"ab"
            assert socket_atmark(conn) is True
            buf = Ref()
            assert socket_recv(conn, buf, 1, MSG_OOB) == 1
            assert buf.value == b"c"
        finally:
            conn.close()
    finally:
        client.close()


def test_atmark_failure_warns() -> None:
    udp = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(udp, Socket)
    try:
        with php_warning(
            "socket_atmark(): Unable to apply sockmark [25]: Inappropriate ioctl for device"
        ):
            assert socket_atmark(udp) is False
        assert socket_last_error(udp) == errno.ENOTTY
    finally:
        udp.close()


# --------------------------------------------------------------------- connections


def test_accept_does_not_record_on_the_listener() -> None:
    sock = _tcp()
    try:
        with php_warning(
            "socket_accept(): unable to accept incoming connection [22]: Invalid argument"
        ):
            assert socket_accept(sock) is False
        assert socket_last_error(sock) == 0
        assert socket_last_error() == errno.EINVAL
    finally:
        sock.close()


def test_listen_with_a_negative_backlog_asks_for_the_maximum() -> None:
    sock = _tcp()
    try:
        assert socket_bind(sock, "127.0.0.1", 0)
        with no_warning():
            assert socket_listen(sock, -1)
            assert socket_listen(sock, 2**40)
    finally:
        sock.close()


def test_create_listen_closes_its_socket_once_on_failure(listener: Socket) -> None:
    before = len(os.listdir("/proc/self/fd"))
    taken = _port(listener)
    with silenced():
        socket_set_option(listener, SOL_SOCKET, 2, 0)  # SO_REUSEADDR off: the port is taken
        assert socket_create_listen(taken) is False
    assert socket_last_error() == errno.EADDRINUSE
    assert len(os.listdir("/proc/self/fd")) == before


def test_create_listen_binds_every_ipv4_address() -> None:
    sock = socket_create_listen(0)
    assert isinstance(sock, Socket)
    try:
        address = Ref()
        assert socket_getsockname(sock, address)
        assert address.value == "0.0.0.0"
    finally:
        sock.close()


def test_shutdown_with_a_bad_mode_fails_as_the_os_does(pair: list[Socket]) -> None:
    with php_warning("socket_shutdown(): Unable to shutdown socket [22]: Invalid argument"):
        assert socket_shutdown(pair[0], 7) is False
    assert socket_last_error(pair[0]) == errno.EINVAL


def test_getsockname_leaves_port_alone_on_unix(tmp_path: Path) -> None:
    sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
    assert isinstance(sock, Socket)
    try:
        path = str(tmp_path / "s.sock")
        assert socket_bind(sock, path)
        address, port = Ref(), Ref("kept")
        assert socket_getsockname(sock, address, port)
        assert (address.value, port.value) == (path, "kept")
        with silenced():
            assert socket_getpeername(sock, address) is False
    finally:
        sock.close()


# --------------------------------------------------------------------- Unix paths


def test_abstract_names_round_trip_byte_for_byte() -> None:
    name = f"\0sockkit-compat-{os.getpid()}"
    server = socket_create(AF_UNIX, SOCK_DGRAM, 0)
    client = socket_create(AF_UNIX, SOCK_DGRAM, 0)
    assert isinstance(server, Socket) and isinstance(client, Socket)
    try:
        assert socket_bind(server, name)
        address = Ref()
        assert socket_getsockname(server, address)
        assert address.value == name
        assert socket_bind(client, name + "-client")
        assert socket_sendto(client, "abstract", 8, 0, name) == 8
        buf, sender = Ref(), Ref()
        assert socket_recvfrom(server, buf, 100, 0, sender) == 8
        assert (buf.value, sender.value) == (b"abstract", name + "-client")
    finally:
        server.close()
        client.close()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a\0b", "socket_bind(): Argument #2 ($address) must not contain any null bytes"),
        ("", "socket_bind(): Argument #2 ($address) cannot be empty"),
        ("x" * 108, "socket_bind(): Argument #2 ($address) must be less than 108"),
        ("\0" + "x" * 107, "socket_bind(): Argument #2 ($address) must be less than 108"),
    ],
)
def test_unix_paths_php_would_truncate_are_refused(path: str, message: str) -> None:
    sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
    assert isinstance(sock, Socket)
    try:
        with pytest.raises(ValueError, match=exact(message)):
            socket_bind(sock, path)
    finally:
        sock.close()


def test_sendto_checks_unix_paths_like_bind() -> None:
    sock = socket_create(AF_UNIX, SOCK_DGRAM, 0)
    assert isinstance(sock, Socket)
    try:
        with pytest.raises(
            ValueError, match=exact("socket_sendto(): Argument #5 ($address) must be less than 108")
        ):
            socket_sendto(sock, "x", 1, 0, "/" + "y" * 150)
    finally:
        sock.close()


# --------------------------------------------------------------------- host lookups


@contextlib.contextmanager
def _failing_resolver(code: int, asked: list[object]) -> Iterator[None]:
    """Every lookup fails with ``code`` (the public resolver hook; no query leaves the machine)."""

    def resolve(host: object, *args: object) -> list[tuple[int, int, int, str, Any]]:
        asked.append(host)
        raise socket.gaierror(code, "scripted failure")

    previous = set_resolver(resolve)
    try:
        yield
    finally:
        set_resolver(previous)


@pytest.mark.parametrize(
    ("eai", "recorded", "text"),
    [
        (socket.EAI_NONAME, -10001, "Unknown host"),
        (socket.EAI_AGAIN, -10002, "Host name lookup failure"),
        (socket.EAI_FAIL, -10003, "Unknown server error"),
    ],
)
def test_lookup_failure_records_minus_10000_minus_h_errno(
    eai: int, recorded: int, text: str
) -> None:
    asked: list[object] = []
    sock = _tcp()
    with _failing_resolver(eai, asked), contextlib.ExitStack() as stack:
        stack.callback(sock.close)
        with php_warning(f"socket_connect(): Host lookup failed [{recorded}]: {text}"):
            assert socket_connect(sock, "db.internal", 80) is False
        assert asked == ["db.internal"]
        assert socket_last_error(sock) == socket_last_error() == recorded
        with php_warning(f"socket_bind(): Host lookup failed [{recorded}]: {text}"):
            assert socket_bind(sock, "db.internal", 0) is False


def test_numeric_addresses_are_never_looked_up() -> None:
    asked: list[object] = []
    udp = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(udp, Socket)
    with _failing_resolver(socket.EAI_NONAME, asked), contextlib.ExitStack() as stack:
        stack.callback(udp.close)
        assert socket_bind(udp, "127.0.0.1", 0) is True
        assert socket_sendto(udp, "x", 1, 0, "127.0.0.1", _port(udp)) == 1
    assert asked == []


def test_names_idna_cannot_encode_are_unknown_hosts() -> None:
    # "a..b" fails in Python's IDNA codec before any query is sent.
    sock = _tcp(AF_INET6)
    try:
        with php_warning("socket_connect(): Host lookup failed [-10001]: Unknown host"):
            assert socket_connect(sock, "a..b", 80) is False
    finally:
        sock.close()


def test_localhost_resolves(listener: Socket) -> None:
    client = _tcp()
    try:
        assert socket_connect(client, "localhost", _port(listener))
    finally:
        client.close()


def test_ipv4_address_on_an_ipv6_socket_is_mapped() -> None:
    sock = _tcp(AF_INET6)
    try:
        if not socket_bind(sock, "127.0.0.1", 0):
            pytest.skip("no IPv4-mapped IPv6 here")
        address = Ref()
        assert socket_getsockname(sock, address)
        assert address.value == "::ffff:127.0.0.1"
    finally:
        sock.close()


def test_ipv6_scope_by_interface_name() -> None:
    sock = socket_create(AF_INET6, SOCK_DGRAM, 0)
    assert isinstance(sock, Socket)
    try:
        with php_warning('socket_bind(): No interface with name "nosuchif0" could be found'):
            socket_bind(sock, "::1%nosuchif0", 0)
    finally:
        sock.close()
