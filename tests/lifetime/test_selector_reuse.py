"""Selectors learn of closes: no select reports a closed socket or a reused number.

Descriptor numbers are reused on purpose: a registered socket is closed, and new
sockets are opened until one gets the old number.  The old file is kept alive
with data to read (a copy in flight over ``SCM_RIGHTS``), the worst case: the
kernel would go on reporting it if the selector still watched it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from faults.helpers import Call
from sockkit import Event, Message, Rights, Selector, Socket, SocketClosedError, cmsg_space

RIGHTS_SPACE = cmsg_space(socket.SOL_SOCKET, socket.SCM_RIGHTS, 1)


class Reuse:
    """Opens socket pairs until one of them gets a given descriptor number (bounded)."""

    def __init__(self) -> None:
        self.pairs: list[tuple[Socket, Socket]] = []

    def number(self, fd: int) -> tuple[Socket, Socket]:
        """A new connected pair ``(reused, peer)`` where ``reused.fileno() == fd``."""
        for _ in range(64):
            left, right = Socket.pair()
            self.pairs.append((left, right))
            if left.fileno() == fd:
                return left, right
            if right.fileno() == fd:
                return right, left
        raise AssertionError(f"descriptor {fd} was not reused by 64 new pairs")

    def close(self) -> None:
        for left, right in self.pairs:
            left.close()
            right.close()


@pytest.fixture
def reuse() -> Iterator[Reuse]:
    opened = Reuse()
    try:
        yield opened
    finally:
        opened.close()


class InFlight:
    """Keeps a socket's file alive after its close: a copy sent over SCM_RIGHTS, unread."""

    def __init__(self, sock: Socket) -> None:
        self.channel, self.receiver = Socket.pair()
        self.channel.sendmsg(Message([b"x"], [Rights([sock])]))

    def close(self) -> None:
        self.receiver.timeout = 5.0
        with self.receiver.recvmsg(1, RIGHTS_SPACE):  # closes the copy it brings
            pass
        self.channel.close()
        self.receiver.close()


@pytest.fixture
def old() -> Iterator[tuple[Socket, Socket]]:
    """``(writer, sock)``: ``sock`` is readable, and a copy of it is in flight."""
    writer, sock = Socket.pair()
    writer.write_all(b"for the old socket")
    flight = InFlight(sock)
    try:
        yield writer, sock
    finally:
        flight.close()
        writer.close()
        sock.close()


def _data(ready: list[tuple[object, Event]]) -> list[tuple[object, Event]]:
    return [(key.data, events) for key, events in ready]  # type: ignore[attr-defined]


def test_registration_reports_neither_the_closed_socket_nor_a_reused_number(
    old: tuple[Socket, Socket], reuse: Reuse
) -> None:
    writer, sock = old
    with Selector() as selector:
        selector.register(sock, Event.READ, "old")
        assert _data(selector.select(0)) == [("old", Event.READ)]
        number = sock.fileno()
        sock.close()
        writer.write_all(b"more")  # the old file lives on (in flight) and is readable
        assert selector.select(0) == []
        assert len(selector) == 0
        reused, peer = reuse.number(number)
        assert selector.select(0) == []
        selector.register(reused, Event.READ, "new")
        assert selector.select(0) == [], "the new socket reported with no data for it"
        peer.write_all(b"for the new socket")
        assert _data(selector.select(0)) == [("new", Event.READ)]
        with pytest.raises(SocketClosedError):
            selector.modify(sock, Event.WRITE)
        with pytest.raises(KeyError):
            selector.unregister(sock)
        assert selector.get_key(reused).data == "new"  # untouched by the calls above
        assert reused.recv(100) == b"for the new socket"
        assert selector.select(0) == []


def test_modify_and_unregister_of_a_closed_socket_without_reuse() -> None:
    left, right = Socket.pair()
    with left, Selector() as selector:
        selector.register(right, Event.READ)
        right.close()
        with pytest.raises(SocketClosedError):
            selector.modify(right, Event.READ)
        with pytest.raises(KeyError):
            selector.unregister(right)
        with pytest.raises(SocketClosedError):
            selector.register(right, Event.READ)


def test_wait_reports_neither_the_closed_socket_nor_a_reused_number(
    old: tuple[Socket, Socket], reuse: Reuse
) -> None:
    writer, sock = old
    with Socket.pair() as (other, other_peer):
        # This thread's registration now holds sock: the close must reach it.
        assert Selector.wait([sock, other_peer], timeout=0).read == [sock]
        number = sock.fileno()
        sock.close()
        writer.write_all(b"more")
        with pytest.raises(SocketClosedError):
            Selector.wait([sock], timeout=0)
        with pytest.raises(SocketClosedError):
            Selector.wait([other_peer], [sock], timeout=0)
        reused, peer = reuse.number(number)
        for _ in range(3):  # the same sets again: the kept registration must hold
            ready = Selector.wait([reused, other_peer], [], [reused], timeout=0)
            assert ready == ([], [], []), "the new socket reported with no data for it"
        peer.write_all(b"new")
        other.write_all(b"other")
        ready = Selector.wait([other_peer, reused], timeout=0)
        assert ready.read == [other_peer, reused]
        assert Selector.wait([reused], timeout=0).read == [reused]


def test_wait_in_another_thread_raises_when_a_socket_closes_and_its_number_returns(
    reuse: Reuse,
) -> None:
    with Socket.pair() as (writer, sock), Socket.pair() as (_other, other_peer):
        flight = InFlight(sock)
        try:
            number = sock.fileno()

            def wait() -> object:
                for _ in range(10):  # bounded: every round must raise, never report
                    Selector.wait([other_peer, sock], timeout=5.0)
                return "reported something"

            waiter = Call(wait)
            waiter.start()
            time.sleep(0.2)
            assert waiter.is_alive(), waiter.error
            closed_at = time.monotonic()
            sock.close()
            reused, peer = reuse.number(number)  # at once, while the waiter wakes
            peer.write_all(b"new")
            writer.write_all(b"old")
            waiter.finish(5.0)
            assert isinstance(waiter.error, SocketClosedError), waiter.error or waiter.result
            assert waiter.ended_at - closed_at < 1.0, "budget: 100 ms"
            assert reused.recv(100) == b"new"
        finally:
            flight.close()


def test_from_stdlib_then_the_caller_closing_its_socket_reports_no_reused_number(
    reuse: Reuse,
) -> None:
    std_peer, std = socket.socketpair()
    with std_peer:
        sock = Socket.from_stdlib(std)
        with sock:
            assert Selector.wait([sock], timeout=0).read == []
            number = sock.fileno()
            std.close()  # the caller's object: ownership moved, so the number stays ours
            assert sock.fileno() == number
            new, new_peer = Socket.pair()
            reuse.pairs.append((new, new_peer))
            assert number not in (new.fileno(), new_peer.fileno())
            assert Selector.wait([sock], timeout=0).read == []
            std_peer.sendall(b"mine")
            assert Selector.wait([sock], timeout=0).read == [sock]
            assert sock.recv(100) == b"mine"
        reused, peer = reuse.number(number)
        with pytest.raises(SocketClosedError):
            Selector.wait([sock], timeout=0)
        assert Selector.wait([reused], timeout=0).read == []
        peer.write_all(b"new")
        assert Selector.wait([reused], timeout=0).read == [reused]


def test_wait_on_stdlib_sockets_closed_by_their_caller_reports_no_reused_number(
    reuse: Reuse,
) -> None:
    std_peer, std = socket.socketpair()
    with std_peer:
        std_peer.sendall(b"old")
        assert Selector.wait([std], timeout=0).read == [std]
        number = std.fileno()
        std.close()
        with pytest.raises(SocketClosedError):
            Selector.wait([std], timeout=0)
        reused, peer = reuse.number(number)
        std_reused = reused.to_stdlib()
        assert Selector.wait([reused], timeout=0).read == []
        assert Selector.wait([std_reused], timeout=0).read == []
        assert Selector.wait([number], timeout=0).read == []
        peer.write_all(b"new")
        assert Selector.wait([reused], timeout=0).read == [reused]
