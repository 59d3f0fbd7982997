"""Sends that wait for room which ``poll(2)`` says is there, when it is not, wait
without spinning.

A datagram sent to an unconnected Unix datagram socket whose queue is full finds no
room, while ``poll(2)`` calls the sender writable (writability is the sender's own
buffer, and it has room): a send that only polled and tried again would take all of
a CPU for as long as it waits (a blocking one, until the receiver reads).  The batch
paths and the awaited sends pause between such tries instead (50 µs, growing to
10 ms), and still see room, the timeout and a close when they come.
"""

from __future__ import annotations

import asyncio
import errno
import select
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import later, woken_by_close
from sockkit import (
    AddressFamily,
    BusyError,
    Message,
    MsgFlag,
    SocketClosedError,
    SocketOption,
    SocketType,
    TimedOut,
    WouldBlock,
    batch,
)
from sockkit.aio import AsyncSocket
from sockkit.socket import Socket
from test_aio import LOOPS, _loops_warmed_up, run_on  # noqa: F401 - uvloop's own descriptors

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Linux's poll() of a Unix datagram sender"
)

WINDOW = 0.4  # seconds a call is left waiting
CPU_BOUND = WINDOW / 4  # a spin takes all of WINDOW; a paused wait a few per cent
# (CPU of the waiting thread, where a spin would run: a draining thread's work is left out)
PATHS = [pytest.param(True, id="native"), pytest.param(False, id="loop")]


def _fill(sender: Socket, path: str) -> int:
    """Send to ``path`` until its queue is full; how many datagrams went."""
    sender.timeout = 0.0
    for sent in range(100_000):  # bounded: a Unix queue holds a few hundred at most
        try:
            sender.sendto(b"queued", path)
        except WouldBlock:
            return sent
    raise AssertionError("the receiver's queue never filled")


@pytest.fixture
def full(tmp_path: Path) -> Iterator[tuple[Socket, Socket, str]]:
    """(sender, receiver, receiver's path): an unconnected sender whose datagrams to
    the bound receiver find its queue full (of b"queued"), while poll() calls the
    sender writable."""
    with (
        Socket(AddressFamily.UNIX, SocketType.DGRAM) as sender,
        Socket(AddressFamily.UNIX, SocketType.DGRAM) as receiver,
    ):
        path = str(tmp_path / "receiver")
        receiver.bind(path)
        assert _fill(sender, path) > 0
        poller = select.poll()
        poller.register(sender.fileno(), select.POLLOUT)
        assert poller.poll(0) == [(sender.fileno(), select.POLLOUT)]  # what makes it spin
        yield sender, receiver, path


def _drain(receiver: Socket) -> None:
    """Receive what `_fill` queued (and only that: what the send under test sends
    after it stays queued)."""
    for _ in range(100_000):  # bounded: the queue holds what _fill sent
        try:
            if receiver.recv(100, MsgFlag.PEEK | MsgFlag.DONTWAIT) != b"queued":
                return
        except WouldBlock:
            return
        receiver.recv(100)
    raise AssertionError("the receiver's queue never emptied")


def _batch(path: str) -> list[Message]:
    return [Message([b"one"], address=path), Message([b"two"], address=path)]


@pytest.mark.parametrize("native", PATHS)
def test_a_timed_send_batch_waits_without_spinning(
    full: tuple[Socket, Socket, str], native: bool
) -> None:
    sender, _receiver, path = full
    sender.timeout = WINDOW
    started, cpu = time.monotonic(), time.thread_time()
    with pytest.raises(TimedOut):
        batch.send_batch(sender, _batch(path), native=native)
    assert time.thread_time() - cpu < CPU_BOUND
    assert time.monotonic() - started >= WINDOW * 0.9  # it did wait the timeout


@pytest.mark.parametrize("native", PATHS)
def test_a_blocking_send_batch_sends_once_the_receiver_reads(
    full: tuple[Socket, Socket, str], native: bool
) -> None:
    sender, receiver, path = full
    sender.timeout = 10.0  # bounds a regression; the room comes after WINDOW
    thread = later(lambda: _drain(receiver), WINDOW)
    cpu = time.thread_time()
    assert batch.send_batch(sender, _batch(path), native=native) == 2
    assert time.thread_time() - cpu < CPU_BOUND
    thread.join(5.0)
    receiver.timeout = 5.0
    assert [message.data for message in receiver.recv_batch(4, 100)] == [b"one", b"two"]


@pytest.mark.parametrize("native", PATHS)
def test_a_close_from_another_thread_ends_the_paused_send(
    full: tuple[Socket, Socket, str], native: bool
) -> None:
    sender, _receiver, path = full
    sender.timeout = 10.0  # only the close ends it in time; a regression times out
    thread = later(sender.close, WINDOW)
    started = time.monotonic()
    with pytest.raises(SocketClosedError):
        batch.send_batch(sender, _batch(path), native=native)
    assert time.monotonic() - started < 5.0
    thread.join(5.0)


# Socket's own sends, each (connected first?, the send): a connected sender's datagram
# waits on the destination's queue in the kernel too, where no close of the sender
# reaches it (poll() sees that queue for a connected sender: no false readiness).
SENDS: dict[str, tuple[bool, Callable[[Socket, str], object]]] = {
    "sendto": (False, lambda sock, path: sock.sendto(b"one", path)),
    "sendmsg": (False, lambda sock, path: sock.sendmsg(Message([b"one"], address=path))),
    "send": (True, lambda sock, _path: sock.send(b"one")),
    "write": (True, lambda sock, _path: sock.write(b"one")),
    "write_all": (True, lambda sock, _path: sock.write_all(b"one")),
    "connected sendmsg": (True, lambda sock, _path: sock.sendmsg(Message([b"one"]))),
}


@pytest.mark.parametrize("name", list(SENDS))
def test_a_timed_send_waits_without_spinning(full: tuple[Socket, Socket, str], name: str) -> None:
    sender, _receiver, path = full
    connect, send = SENDS[name]
    if connect:
        sender.connect(path)
    sender.timeout = WINDOW
    started, cpu = time.monotonic(), time.thread_time()
    with pytest.raises(TimedOut) as caught:
        send(sender, path)
    assert time.thread_time() - cpu < CPU_BOUND
    assert time.monotonic() - started >= WINDOW * 0.9  # it did wait the timeout
    assert caught.value.operation == name.rsplit(maxsplit=1)[-1]  # the method, not its send


@pytest.mark.parametrize("name", list(SENDS))
@pytest.mark.parametrize("timeout", [None, 10.0])
def test_a_close_from_another_thread_wakes_a_waiting_send(
    full: tuple[Socket, Socket, str], name: str, timeout: float | None
) -> None:
    """A blocking send waited in the kernel, on the destination's queue, where no
    close of the sender reaches it: it stayed blocked until the receiver read."""
    sender, _receiver, path = full
    connect, send = SENDS[name]
    if connect:
        sender.connect(path)
    sender.timeout = timeout
    result = woken_by_close(lambda: send(sender, path), sender.close, after=WINDOW, within=1.0)
    assert isinstance(result, SocketClosedError)
    assert result.operation == name.rsplit(maxsplit=1)[-1]  # "write", not "send"


@pytest.mark.parametrize("name", list(SENDS))
def test_a_blocking_send_sends_once_the_receiver_reads(
    full: tuple[Socket, Socket, str], name: str
) -> None:
    sender, receiver, path = full
    connect, send = SENDS[name]
    if connect:
        sender.connect(path)
    sender.timeout = None
    thread = later(lambda: _drain(receiver), WINDOW)
    cpu = time.thread_time()
    send(sender, path)
    assert time.thread_time() - cpu < CPU_BOUND
    thread.join(5.0)
    assert receiver.recv(100, MsgFlag.DONTWAIT) == b"one"


AWAITED_SENDS: dict[str, Callable[[AsyncSocket, str], Awaitable[Any]]] = {
    "sendto": lambda sock, path: sock.sendto(b"one", path),
    "sendmsg": lambda sock, path: sock.sendmsg(Message([b"one"], address=path)),
    "send_batch": lambda sock, path: sock.send_batch(_batch(path)),
}


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("name", list(AWAITED_SENDS))
def test_an_awaited_send_waits_without_spinning_and_sends_once_there_is_room(
    full: tuple[Socket, Socket, str], loop: str, name: str
) -> None:
    sender, receiver, path = full

    async def main() -> None:
        sock = AsyncSocket.from_socket(sender)
        started = time.thread_time()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(AWAITED_SENDS[name](sock, path), WINDOW)
        assert time.thread_time() - started < CPU_BOUND
        sending = asyncio.ensure_future(AWAITED_SENDS[name](sock, path))
        await asyncio.sleep(0.05)
        assert not sending.done()  # still waiting: the queue is full
        with pytest.raises(BusyError, match="sending"):
            await sock.sendto(b"two", path)  # the waiting send holds the turn
        _drain(receiver)
        assert await asyncio.wait_for(sending, 5.0) > 0

    run_on(loop, main)


def test_a_socket_pairs_blocking_send_is_woken_by_a_close_too() -> None:
    """A pair's ends are each other's peer: a send waits in the kernel for room in its
    own buffer, where the close's shutdown wakes it (sockkit leaves the wait there)."""
    left, right = Socket.pair(AddressFamily.UNIX, SocketType.DGRAM)
    with left, right:
        left.timeout = 0.0
        for _ in range(100_000):  # bounded: a socket buffer holds a few hundred
            try:
                left.send(b"queued")
            except WouldBlock:
                break
        left.timeout = None
        result = woken_by_close(lambda: left.send(b"one"), left.close, after=WINDOW)
        assert isinstance(result, SocketClosedError)


def _ends_with_would_block(sock: Socket, call: Callable[[], object]) -> None:
    """``call`` on a blocking ``sock`` whose kernel timeout is WINDOW ends with
    WouldBlock once it runs out, without spinning (a regression that waits for
    ever is ended by closing the socket, and fails)."""
    watchdog = threading.Timer(5.0, sock.close)
    watchdog.start()
    started, cpu = time.monotonic(), time.thread_time()
    try:
        with pytest.raises(WouldBlock):
            call()
    finally:
        watchdog.cancel()
        watchdog.join(5.0)
    assert WINDOW * 0.9 <= time.monotonic() - started < 5.0
    assert time.thread_time() - cpu < CPU_BOUND
    assert sock.last_error == errno.EAGAIN


@pytest.mark.parametrize("connect", [False, True], ids=["sendto", "connected send"])
def test_a_blocking_send_keeps_the_kernels_send_timeout(
    full: tuple[Socket, Socket, str], connect: bool
) -> None:
    """SocketOption.SNDTIMEO ends a blocking send with WouldBlock, as the kernel's
    own wait does (PHP code sets it through socket_set_option)."""
    sender, _receiver, path = full
    if connect:
        sender.connect(path)
    sender.timeout = None
    sender.set_option(SocketOption.SNDTIMEO, WINDOW)
    if connect:
        _ends_with_would_block(sender, lambda: sender.send(b"one"))
    else:
        _ends_with_would_block(sender, lambda: sender.sendto(b"one", path))


@pytest.mark.parametrize("native", PATHS)
def test_a_blocking_send_batch_keeps_the_kernels_send_timeout(
    full: tuple[Socket, Socket, str], native: bool
) -> None:
    sender, _receiver, path = full
    sender.timeout = None
    sender.set_option(SocketOption.SNDTIMEO, WINDOW)
    _ends_with_would_block(sender, lambda: batch.send_batch(sender, _batch(path), native=native))


@pytest.mark.parametrize("native", PATHS)
def test_a_blocking_recv_batch_keeps_the_kernels_receive_timeout(native: bool) -> None:
    """As a blocking recvmsg waiting in the kernel (the loop's first receive waited
    there before it waited in sockkit, to see an error queue and a shutdown)."""
    with Socket(AddressFamily.INET, SocketType.DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.timeout = None
        receiver.set_option(SocketOption.RCVTIMEO, WINDOW)
        _ends_with_would_block(receiver, lambda: batch.recv_batch(receiver, 4, 100, native=native))


def test_a_socket_pair_end_sending_to_an_address_waits_in_sockkit(tmp_path: Path) -> None:
    """Only datagrams to the pair's other end wait in the kernel: one to an address
    waits on that destination's queue, so it waits here (no spin, woken by close)."""
    left, right = Socket.pair(AddressFamily.UNIX, SocketType.DGRAM)
    with left, right, Socket(AddressFamily.UNIX, SocketType.DGRAM) as receiver:
        path = str(tmp_path / "receiver")
        receiver.bind(path)
        assert _fill(left, path) > 0
        left.timeout = WINDOW
        cpu = time.thread_time()
        with pytest.raises(TimedOut):
            left.sendto(b"one", path)
        assert time.thread_time() - cpu < CPU_BOUND
        left.timeout = None
        thread = later(left.close, WINDOW)
        with pytest.raises(SocketClosedError):
            left.sendmsg(Message([b"one"], address=path))
        thread.join(5.0)
