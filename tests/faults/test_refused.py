"""Connecting where nothing listens: ConnectionRefused, blocking or not, and no socket left over."""

from __future__ import annotations

import errno

import pytest

from conftest import HAS_IPV6, free_port, needs_ipv6
from sockkit import (
    AddressFamily,
    ConnectionRefused,
    Event,
    InProgress,
    Selector,
    Socket,
    SocketOption,
)


@pytest.mark.parametrize(
    "family",
    [AddressFamily.INET, pytest.param(AddressFamily.INET6, marks=needs_ipv6)],
)
def test_blocking_connect_refused(family: AddressFamily) -> None:
    host = "::1" if family == AddressFamily.INET6 else "127.0.0.1"
    port = free_port(family)
    with Socket(family) as sock:
        sock.timeout = 5.0
        with pytest.raises(ConnectionRefused) as info:
            sock.connect((host, port))
        assert info.value.errno == errno.ECONNREFUSED
        assert info.value.operation == "connect"
        assert isinstance(info.value, ConnectionRefusedError)
        assert str(port) in str(info.value)  # the message names the address
        assert sock.last_error == errno.ECONNREFUSED


def test_nonblocking_connect_refused_reports_through_so_error() -> None:
    port = free_port()
    with Socket() as sock:
        sock.blocking = False
        try:
            sock.connect(("127.0.0.1", port))
        except InProgress as exc:
            assert exc.errno == errno.EINPROGRESS
            assert isinstance(exc, BlockingIOError)
            ready = Selector.wait(write=[sock], timeout=5.0)
            assert ready.write == [sock]
        except ConnectionRefused:
            return  # loopback may refuse at once: also a correct answer
        assert sock.get_option(SocketOption.ERROR) == errno.ECONNREFUSED
        assert sock.get_option(SocketOption.ERROR) == 0  # reading SO_ERROR clears it


def test_refused_then_the_same_socket_object_is_still_closable() -> None:
    port = free_port()
    sock = Socket()
    with pytest.raises(ConnectionRefused):
        sock.connect(("127.0.0.1", port))
    assert not sock.closed
    sock.close()
    sock.close()


def test_create_connection_refused_on_every_address() -> None:
    # "localhost" is the one name tests may resolve: ::1 and/or 127.0.0.1, both refused.
    port = free_port(AddressFamily.INET6 if HAS_IPV6 else AddressFamily.INET)
    with pytest.raises(ConnectionRefused) as info:
        Socket.create_connection(("localhost", port), timeout=5.0)
    attempts = info.value.attempts
    assert attempts, "the error lists the attempts"
    assert attempts[-1] is info.value
    assert all(isinstance(attempt, ConnectionRefused) for attempt in attempts)


def test_selector_sees_the_refusal_as_an_error_event() -> None:
    port = free_port()
    with Socket() as sock, Selector() as selector:
        sock.blocking = False
        with pytest.raises((InProgress, ConnectionRefused)):
            sock.connect(("127.0.0.1", port))
        selector.register(sock, Event.WRITE)
        ready = selector.select(timeout=5.0)
        assert [key.socket for key, _ in ready] == [sock]
        assert sock.get_option(SocketOption.ERROR) in (errno.ECONNREFUSED, 0)
