"""Sends on a socket with a timeout try first and wait in sockkit only when full.

The socket module waits for readiness before every send on a socket with a
timeout: one ``poll(2)`` more per call, though a send almost always has room.
sockkit makes the try first (the system call alone) and waits between tries only
when the socket is full: the data still goes when the peer makes room, the wait
still ends with `TimedOut` at the timeout without spinning, and a close from
another thread still wakes it.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sockkit.socket as socket_module
from conftest import later, woken_by_close
from sockkit import (
    BrokenPipe,
    Message,
    MsgFlag,
    Socket,
    SocketClosedError,
    TimedOut,
    WouldBlock,
)

from .helpers import tcp_pair

WINDOW = 0.4  # seconds a send is left waiting
CPU_BOUND = WINDOW / 4  # a spin takes all of WINDOW; a paused wait a few per cent
CHUNK = b"s" * 4096

SENDS: dict[str, Callable[[Socket, bytes], Any]] = {
    "send": lambda sock, data: sock.send(data),
    "send-flags": lambda sock, data: sock.send(data, MsgFlag.NOSIGNAL),
    "write": lambda sock, data: sock.write(data),
    "write_all": lambda sock, data: sock.write_all(data) or len(data),
    "sendmsg": lambda sock, data: sock.sendmsg(Message([data])),
    "stdlib-send": lambda sock, data: sock.to_stdlib().send(data),
}
CALLS = [pytest.param(call, id=name) for name, call in SENDS.items()]


@pytest.fixture(params=["unix", "tcp"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[Socket, Socket]]:
    """A connected stream pair (sender, receiver), Unix or TCP on 127.0.0.1."""
    left, right = Socket.pair() if request.param == "unix" else tcp_pair()
    with left, right:
        yield left, right


def _fill(sock: Socket) -> int:
    """Send until ``sock`` has no room (its buffer and its peer's are full); the count
    of bytes sent."""
    queued = 0
    with pytest.raises(WouldBlock):
        for _ in range(100_000):
            queued += sock.send(CHUNK, MsgFlag.DONTWAIT)
    return queued


def _drain(sock: Socket, total: int) -> None:
    """Receive ``total`` bytes from ``sock`` (timeout 5 s per receive)."""
    sock.timeout = 5.0
    got = 0
    while got < total:
        data = sock.recv(1 << 16)
        assert data, "end of stream before all was received"
        got += len(data)


@pytest.mark.parametrize("call", CALLS)
def test_a_timed_send_with_room_goes_at_once(
    pair: tuple[Socket, Socket], call: Callable[[Socket, bytes], Any]
) -> None:
    sender, receiver = pair
    sender.timeout = receiver.timeout = 5.0
    started = time.monotonic()
    assert call(sender, b"hello") == 5
    assert receiver.recv(16) == b"hello"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("shape", ["items of 4 bytes", "2 rows"])
def test_a_timed_write_all_larger_than_the_buffers_sends_everything(
    pair: tuple[Socket, Socket], shape: str
) -> None:
    """The first try sends part; the rest waits for room, and all arrives in order.
    The part is counted in bytes, whatever the buffer's items or shape."""
    sender, receiver = pair
    sender.timeout = 5.0
    data = bytes(range(256)) * 16384  # 4 MiB: more than both buffers hold
    received = bytearray()

    def read_all() -> None:
        receiver.timeout = 5.0
        while len(received) < len(data):
            chunk = receiver.recv(1 << 16)
            assert chunk
            received.extend(chunk)

    reader = later(read_all, 0.1)
    whole = memoryview(data)
    sender.write_all(
        whole.cast("I") if shape == "items of 4 bytes" else whole.cast("B", (2, len(data) // 2))
    )
    reader.join(10)
    assert not reader.is_alive()
    assert received == data


def test_a_timed_write_all_of_nothing_sends_an_empty_datagram(
    udp_pair: tuple[Socket, Socket],
) -> None:
    """As the socket module's sendall: one send, also of nothing."""
    sender, receiver = udp_pair
    sender.connect(receiver.local_address)
    sender.write_all(b"")
    sender.write_all(bytearray(b"after"))
    assert receiver.recv(16) == b""
    assert receiver.recv(16) == b"after"


def test_a_timed_write_all_refuses_text_before_sending() -> None:
    with Socket.pair() as (left, right):
        left.timeout = 5.0
        with pytest.raises(TypeError, match="data"):
            left.write_all("text")  # type: ignore[arg-type]
        right.timeout = 0.0
        with pytest.raises(WouldBlock):
            right.recv(16)


def test_a_timed_sendto_goes_and_keeps_its_address(udp_pair: tuple[Socket, Socket]) -> None:
    sender, receiver = udp_pair
    for number in range(3):
        assert sender.sendto(b"datagram %d" % number, receiver.local_address) == 10
    received = [receiver.recvfrom(64)[0] for _ in range(3)]
    assert received == [b"datagram 0", b"datagram 1", b"datagram 2"]


@pytest.mark.parametrize("call", CALLS)
def test_a_full_timed_send_times_out_without_spinning(
    pair: tuple[Socket, Socket], call: Callable[[Socket, bytes], Any]
) -> None:
    sender, _receiver = pair
    _fill(sender)
    sender.timeout = WINDOW
    started, cpu = time.monotonic(), time.thread_time()
    with pytest.raises(TimedOut):
        call(sender, CHUNK)
    spent, waited = time.thread_time() - cpu, time.monotonic() - started
    assert WINDOW * 0.9 <= waited < WINDOW + 2.0
    assert spent < CPU_BOUND, f"{spent:.2f} s of CPU in a wait of {waited:.2f} s"


@pytest.mark.parametrize("call", CALLS)
def test_a_full_timed_send_goes_once_the_reader_makes_room(
    pair: tuple[Socket, Socket], call: Callable[[Socket, bytes], Any]
) -> None:
    sender, receiver = pair
    queued = _fill(sender)
    sender.timeout = 5.0
    reader = later(lambda: _drain(receiver, queued), 0.2)
    started = time.monotonic()
    assert call(sender, CHUNK) > 0
    assert 0.1 < time.monotonic() - started < 5.0
    reader.join(10)
    assert not reader.is_alive()


@pytest.mark.parametrize("call", CALLS)
def test_a_close_from_another_thread_wakes_a_full_timed_send(
    pair: tuple[Socket, Socket], call: Callable[[Socket, bytes], Any]
) -> None:
    sender, _receiver = pair
    _fill(sender)
    sender.timeout = 30.0
    outcome = woken_by_close(lambda: call(sender, CHUNK), sender.close, after=0.2, within=2.0)
    assert isinstance(outcome, SocketClosedError), outcome


def test_a_timed_send_names_the_callers_method_when_closed_meanwhile(
    pair: tuple[Socket, Socket],
) -> None:
    sender, _receiver = pair
    _fill(sender)
    sender.timeout = 30.0
    outcome = woken_by_close(lambda: sender.write(CHUNK), sender.close, after=0.2)
    assert isinstance(outcome, SocketClosedError)
    assert "write" in str(outcome)


@pytest.mark.parametrize("call", CALLS)
def test_a_timed_send_to_a_closed_peer_is_a_broken_pipe(
    call: Callable[[Socket, bytes], Any],
) -> None:
    """MSG_NOSIGNAL is kept on the try: no SIGPIPE (which would end the process)."""
    sender, receiver = Socket.pair()
    with sender:
        receiver.close()
        sender.timeout = 5.0
        with pytest.raises(BrokenPipe):
            call(sender, b"to nobody")


@pytest.mark.parametrize("changed", [None, 0.0])
@pytest.mark.parametrize("call", CALLS)
def test_a_timeout_changed_during_the_first_try_is_kept_as_the_send_began(
    pair: tuple[Socket, Socket],
    call: Callable[[Socket, bytes], Any],
    changed: float | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The send reads the timeout as it starts.  Another thread changing it while the
    first try runs (white-box: the try changes it) neither makes the send wait for
    ever (None) nor end before its time (0.0): it ends at the timeout it began with."""
    sender, _receiver = pair
    _fill(sender)

    class ChangingView(socket_module._NoWaitView):
        __slots__ = ()

        def send(self, *args: Any) -> int:
            sender.timeout = changed
            return super().send(*args)

        def sendmsg(self, *args: Any) -> int:
            sender.timeout = changed
            return super().sendmsg(*args)

    monkeypatch.setattr(socket_module, "_NoWaitView", ChangingView)
    sender._nowait = None  # made again, of the changing kind (white-box)
    sender.timeout = WINDOW
    started = time.monotonic()
    backstop = threading.Timer(WINDOW + 1.5, sender.close)  # ends a send waiting for ever
    backstop.start()
    try:
        with pytest.raises(TimedOut):
            call(sender, CHUNK)
    finally:
        backstop.cancel()
        backstop.join(5)
    assert WINDOW * 0.9 <= time.monotonic() - started < WINDOW + 1.5


def test_a_send_with_room_goes_though_poll_calls_the_socket_full() -> None:
    """poll(2) calls a Unix stream socket writable only while at most a quarter of its
    send buffer is in use, yet a send has room until the buffer is full: the try
    comes first, so a small send goes at once (the socket module, polling first,
    waits until the peer reads, or times out)."""
    with Socket.pair() as (sender, _receiver):
        size = sender.to_stdlib().getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        sender.send(b"x" * (size // 3), MsgFlag.DONTWAIT)
        poller = select.poll()
        poller.register(sender.fileno(), select.POLLOUT)
        assert poller.poll(0) == [], "this kernel calls the socket writable"
        sender.timeout = WINDOW
        started = time.monotonic()
        for call in SENDS.values():
            assert call(sender, b"y") == 1
        assert time.monotonic() - started < WINDOW / 2


def test_dontwait_on_a_full_timed_socket_answers_at_once(pair: tuple[Socket, Socket]) -> None:
    sender, _receiver = pair
    _fill(sender)
    sender.timeout = 5.0
    started = time.monotonic()
    for call in (
        lambda: sender.send(CHUNK, MsgFlag.DONTWAIT),
        lambda: sender.sendmsg(Message([CHUNK]), MsgFlag.DONTWAIT),
        lambda: sender.to_stdlib().send(CHUNK, socket.MSG_DONTWAIT),
    ):
        with pytest.raises(WouldBlock):
            call()
    assert time.monotonic() - started < 1.0


def test_the_stdlib_views_sends_take_every_form_the_socket_module_takes(
    udp_pair: tuple[Socket, Socket],
) -> None:
    sender, receiver = udp_pair
    view, to = sender.to_stdlib(), ("127.0.0.1", receiver.local_address.port)
    assert view.sendto(b"one", to) == 3
    assert view.sendto(b"two", 0, to) == 3
    assert view.sendmsg([b"thr", b"ee"], [], 0, to) == 5
    assert [receiver.recv(16) for _ in range(3)] == [b"one", b"two", b"three"]
    sender.connect(to)
    assert view.send(b"four") == 4
    assert view.send(b"five", 0) == 4
    assert view.sendmsg([b"six"]) == 3
    assert view.sendmsg((b"sev", b"en"), ()) == 5
    assert [receiver.recv(16) for _ in range(4)] == [b"four", b"five", b"six", b"seven"]


class _Flags:
    """Flags that are an integer only through ``__index__``, as the socket module
    accepts them."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def test_the_stdlib_views_flags_may_be_any_integer(pair: tuple[Socket, Socket]) -> None:
    sender, _receiver = pair
    _fill(sender)
    sender.timeout = 5.0
    started = time.monotonic()
    with pytest.raises(WouldBlock):
        sender.to_stdlib().send(CHUNK, _Flags(int(socket.MSG_DONTWAIT)))  # type: ignore[arg-type]
    assert time.monotonic() - started < 1.0


def test_a_full_timed_stdlib_sendmsg_of_iterators_sends_all_of_them(
    pair: tuple[Socket, Socket],
) -> None:
    """The socket module reads sendmsg's iterables once; a send that tries again must
    not find them used up by its first try."""
    sender, receiver = pair
    queued = _fill(sender)
    sender.timeout = 5.0
    got = bytearray()

    def read_all() -> None:
        receiver.timeout = 5.0
        while len(got) < queued + 11:
            got.extend(receiver.recv(1 << 16))

    reader = later(read_all, 0.2)
    assert sender.to_stdlib().sendmsg(iter([b"hello", b" world"]), iter(())) == 11
    reader.join(10)
    assert not reader.is_alive()
    assert got[queued:] == b"hello world"


def test_a_timed_stdlib_recvmsg_into_of_an_iterator_fills_its_buffer(
    udp_pair: tuple[Socket, Socket],
) -> None:
    sender, receiver = udp_pair
    buffer = bytearray(16)
    later(lambda: sender.sendto(b"late", receiver.local_address), 0.2)
    count, _control, flags, _address = receiver.to_stdlib().recvmsg_into(iter([buffer]))
    assert (count, flags, bytes(buffer[:count])) == (4, 0, b"late")


@pytest.mark.parametrize("timeout", [None, 5.0])
def test_what_the_callers_iterable_raises_the_caller_gets(timeout: float | None) -> None:
    """The view reads sendmsg's and recvmsg_into's iterables once, itself: an error
    the iterable raises is the call's, as with the socket module (never a send of
    nothing, never a receive that looks like the end of data)."""

    def buffers() -> Iterator[bytes]:
        yield b"abc"
        raise TypeError("the caller's")

    def spaces() -> Iterator[bytearray]:
        yield bytearray(3)
        raise TypeError("the caller's")

    with Socket.pair() as (left, right):
        left.timeout = right.timeout = timeout
        with pytest.raises(TypeError, match="the caller's"):
            left.to_stdlib().sendmsg(buffers())
        left.send(b"kept")
        with pytest.raises(TypeError, match="the caller's"):
            right.to_stdlib().recvmsg_into(spaces())
        assert right.recv(16) == b"kept"


def test_a_timed_write_all_of_nothing_on_a_full_datagram_pair_times_out() -> None:
    """An empty datagram is a datagram: with no room it waits, and at the timeout
    raises, as a send of something does (it is not dropped)."""
    with Socket.pair(type=socket.SOCK_DGRAM) as (sender, receiver):
        with pytest.raises(WouldBlock):
            for _ in range(100_000):
                sender.send(b"d" * 100, MsgFlag.DONTWAIT)
        sender.timeout = WINDOW
        started = time.monotonic()
        with pytest.raises(TimedOut):
            sender.write_all(b"")
        assert WINDOW * 0.9 <= time.monotonic() - started < WINDOW + 2.0
        receiver.timeout = 0.0
        with pytest.raises(WouldBlock):
            for _ in range(100_000):
                assert receiver.recv(200) == b"d" * 100  # no empty datagram among them
