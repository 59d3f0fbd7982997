"""Closing a socket that another thread is using: a prompt SocketClosedError, never a hang.

Python's own ``close()`` does not wake a thread blocked in ``recv`` on Linux (the
kernel keeps the file alive for the call), so such a thread used to wait until
data arrived -- and then read it from a socket its owner had closed.  sockkit's
``close()`` shuts the socket down first when another thread is inside a call on it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest

from sockkit import (
    AddressFamily,
    Event,
    ReadMode,
    Selector,
    Socket,
    SocketClosedError,
    SocketOption,
    SocketType,
)

from .helpers import Call, tcp_pair

Blocker = Callable[[Socket], object]

BLOCKING_CALLS: dict[str, Blocker] = {
    "recv": lambda sock: sock.recv(100),
    "recv_into": lambda sock: sock.recv_into(bytearray(100)),
    "read binary": lambda sock: sock.read(100),
    "read normal": lambda sock: sock.read(100, ReadMode.NORMAL),
    "recvfrom": lambda sock: sock.recvfrom(100),
    "recvmsg": lambda sock: sock.recvmsg(100),
    "recvmsg_into": lambda sock: sock.recvmsg_into([bytearray(100)]),
}


def _close_while_blocked(sock: Socket, call: Blocker, *, timeout: float | None) -> Call:
    sock.timeout = timeout
    # The kernel's own limit, so that even a regression cannot hang the suite.
    sock.set_option(SocketOption.RCVTIMEO, 10.0)
    sock.set_option(SocketOption.SNDTIMEO, 10.0)
    waiter = Call(lambda: call(sock))
    waiter.start()
    time.sleep(0.1)  # let it block
    assert waiter.is_alive(), f"did not block: {waiter.error or waiter.result!r}"
    closed_at = time.monotonic()
    sock.close()
    waiter.finish(5.0)
    assert waiter.ended_at - closed_at < 1.0, "close() did not wake the blocked call"
    return waiter


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "with-timeout"])
@pytest.mark.parametrize("name", sorted(BLOCKING_CALLS))
def test_close_wakes_a_blocked_receive(name: str, timeout: float | None) -> None:
    left, right = Socket.pair()
    with left:
        waiter = _close_while_blocked(right, BLOCKING_CALLS[name], timeout=timeout)
        assert isinstance(waiter.error, SocketClosedError), waiter.error or waiter.result
        # The peer sees the close as end of stream.
        left.timeout = 5.0
        assert left.recv(10) == b""


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "with-timeout"])
def test_close_wakes_a_blocked_udp_recvfrom(timeout: float | None) -> None:
    sock = Socket(AddressFamily.INET, SocketType.DGRAM)
    sock.bind(("127.0.0.1", 0))
    waiter = _close_while_blocked(sock, lambda s: s.recvfrom(100), timeout=timeout)
    assert isinstance(waiter.error, SocketClosedError), waiter.error or waiter.result


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "with-timeout"])
def test_close_wakes_a_blocked_accept(timeout: float | None) -> None:
    listener = Socket.create_server(("127.0.0.1", 0))
    waiter = _close_while_blocked(listener, lambda s: s.accept(), timeout=timeout)
    assert isinstance(waiter.error, SocketClosedError), waiter.error or waiter.result


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "with-timeout"])
def test_close_wakes_a_blocked_write_all(timeout: float | None) -> None:
    client, server = tcp_pair()
    with server:
        waiter = _close_while_blocked(
            client, lambda s: s.write_all(b"x" * (64 << 20)), timeout=timeout
        )
        assert isinstance(waiter.error, SocketClosedError), waiter.error or waiter.result


def test_the_woken_reader_never_reads_from_a_reused_descriptor() -> None:
    left, right = Socket.pair()
    old_fd = right.fileno()
    waiter = _close_while_blocked(right, lambda s: s.recv(100), timeout=None)
    assert isinstance(waiter.error, SocketClosedError)
    # Open sockets until one gets the freed number (bounded), then use it.
    pairs: list[tuple[Socket, Socket]] = []
    try:
        for _ in range(64):
            pairs.append(Socket.pair())
            if old_fd in (pairs[-1][0].fileno(), pairs[-1][1].fileno()):
                break
        reused, other = pairs[-1]
        if other.fileno() == old_fd:
            reused, other = other, reused
        assert reused.fileno() == old_fd, "the descriptor number was not reused"
        other.write_all(b"for the new socket only")
        reused.timeout = 5.0
        assert reused.recv(100) == b"for the new socket only"
        with pytest.raises(SocketClosedError):
            right.recv(100)  # the closed Socket never reaches the OS again
        assert right.fileno() == -1
    finally:
        for pair in pairs:
            pair[0].close()
            pair[1].close()
        left.close()


def test_close_without_other_threads_does_not_shut_the_connection_down() -> None:
    # A forked child or a receiver of the descriptor may still use the connection:
    # close() alone must not shut it down for them.  Here a duplicate stands in for them.
    left, right = Socket.pair()
    duplicate = Socket.from_fd(os.dup(right.fileno()))
    with left, duplicate:
        right.close()
        left.write_all(b"still mine")
        duplicate.timeout = 5.0
        assert duplicate.recv(100) == b"still mine"


@pytest.mark.parametrize("shared", [False, True], ids=["unshared", "shared-with-to_stdlib"])
def test_close_with_idle_threads_around_does_not_shut_the_connection_down(shared: bool) -> None:
    # Other threads exist but none is inside a call on this socket: no shutdown.
    left, right = Socket.pair()
    duplicate = Socket.from_fd(os.dup(right.fileno()))
    stop = threading.Event()
    idle = [threading.Thread(target=stop.wait, args=(10.0,), daemon=True) for _ in range(3)]
    for thread in idle:
        thread.start()
    try:
        with left, duplicate:
            stdlib = right.to_stdlib() if shared else None  # a reference held elsewhere
            right.close()
            assert stdlib is None or stdlib.fileno() == -1
            left.write_all(b"still mine")
            duplicate.timeout = 5.0
            assert duplicate.recv(100) == b"still mine"
    finally:
        stop.set()
        for thread in idle:
            thread.join(5.0)


def test_closing_a_socket_while_another_thread_waits_in_selector_select() -> None:
    left, right = Socket.pair()
    other_left, other_right = Socket.pair()
    with left, other_left, other_right, Selector() as selector:
        selector.register(right, Event.READ, "closed one")
        selector.register(other_right, Event.READ, "other one")
        waits: list[list[str]] = []

        def wait() -> None:
            for _ in range(50):  # bounded: until the other socket's byte shows up
                ready = selector.select(timeout=5.0)
                waits.append([key.data for key, _ in ready])
                if ready:
                    return

        waiter = Call(wait)
        waiter.start()
        time.sleep(0.1)
        right.close()  # while the other thread is inside select()
        time.sleep(0.1)
        other_left.send(b"!")
        waiter.finish(10.0)
        assert waiter.error is None, waiter.error
        assert waits[-1] == ["other one"]  # never an event for the closed socket
        assert all("closed one" not in found for found in waits)
        # The closed socket left the selector by itself, and its number is reused safely.
        assert len(selector) == 1
        with pytest.raises(KeyError):
            selector.unregister(right)
        with Socket.pair() as (new_left, new_right):
            selector.register(new_right, Event.READ, "new one")
            new_left.send(b"?")
            ready = selector.select(timeout=5.0)
            assert sorted(key.data for key, _ in ready) == ["new one", "other one"]
            selector.unregister(new_right)
