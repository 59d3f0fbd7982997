"""An awaited call on a socket with an error pending (``POLLERR``) waits as usual:
without spinning, and without losing its registration with the loop.

uvloop (libuv's ``uv_poll``) stops watching a descriptor it reports with
``POLLERR``; a socket that has had an error (a datagram refused by ICMP) must still
be woken by what comes later.

A socket with a pending error queue (``IP_RECVERR`` reports of ICMP errors,
``MSG_ZEROCOPY`` completions) has ``POLLERR`` until the queue is read with
`MsgFlag.ERRQUEUE`, and the loop reports it readable and writable all that time.
An awaited receive (send) that only waited for the loop again would try, find
nothing, and wait again as fast as the CPU goes; these tests bound the CPU time
such a wait takes, and check that data (room) coming later still ends it, on
asyncio's loop and on uvloop.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from conftest import free_port
from sockkit import (
    AddressFamily,
    ConnectionRefused,
    IPOption,
    Message,
    MsgFlag,
    ReadMode,
    SocketOption,
    SocketType,
    WouldBlock,
)
from sockkit.aio import AsyncSocket
from test_aio import AWAITED_RECEIVES, LOOPS, run_on

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="IP_RECVERR and MSG_ZEROCOPY are Linux's"
)

WINDOW = 0.4  # seconds each waiting call is given before it is cancelled
# A spinning wait takes all of a CPU for the window; a paused one a few per cent.
CPU_BOUND = WINDOW / 4


def _events(sock: AsyncSocket) -> int:
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | select.POLLOUT)
    ready = poller.poll(0)
    return ready[0][1] if ready else 0


async def _cpu_while_waiting(call: Awaitable[Any]) -> float:
    """CPU seconds the loop's thread (this one) spent while ``call`` waited for the
    window (it must not finish): a spinning loop spends them here, and other threads'
    work (a suite under load) is left out."""
    started = time.thread_time()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(call, WINDOW)
    return time.thread_time() - started


@pytest.mark.parametrize("loop", LOOPS)
def test_a_socket_that_had_an_error_is_still_woken_by_what_comes_later(loop: str) -> None:
    async def main() -> None:
        port = free_port(kind=socket.SOCK_DGRAM)
        sock = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        async with sock:
            sock.bind(("127.0.0.1", 0))
            await sock.connect(("127.0.0.1", port))
            for _ in range(3):  # each round: an error while waiting, then data
                waiting = asyncio.ensure_future(sock.recv(100))
                await asyncio.sleep(0.02)
                await sock.send(b"to nobody")  # refused: ICMP port unreachable
                with pytest.raises(ConnectionRefused):
                    await asyncio.wait_for(waiting, 5.0)
                peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                with peer:
                    peer.bind(("127.0.0.1", port))
                    waiting = asyncio.ensure_future(sock.recv(100))
                    await asyncio.sleep(0.02)
                    assert not waiting.done()
                    peer.sendto(b"late", ("127.0.0.1", sock.local_address.port))
                    assert await asyncio.wait_for(waiting, 5.0) == b"late"

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_an_error_cleared_before_the_loop_reports_it_loses_no_wake_up(loop: str) -> None:
    """uvloop lets go of a descriptor on the POLLERR its epoll saw; a callback that
    runs first in the same batch and reads the error (SO_ERROR) hides it from the
    report.  The wake-up that then finds nothing makes the registration anew."""

    async def main() -> None:
        port = free_port(kind=socket.SOCK_DGRAM)
        running = asyncio.get_running_loop()
        sock = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        first, second = socket.socketpair()
        cleared: list[int] = []

        def clear_first() -> None:  # reported before the refused socket: sent first
            first.recv(100)
            cleared.append(int(sock.socket.get_option_raw(socket.SOL_SOCKET, socket.SO_ERROR)))

        async with sock:
            sock.bind(("127.0.0.1", 0))
            await sock.connect(("127.0.0.1", port))
            running.add_reader(first.fileno(), clear_first)
            try:
                waiting = asyncio.ensure_future(sock.recv(100))
                await asyncio.sleep(0.02)
                second.send(b"!")
                sock.socket.send(b"to nobody")  # refused: ICMP port unreachable
                time.sleep(0.02)  # both ready before the loop looks again
                await asyncio.sleep(0.05)
                assert cleared
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
                    peer.bind(("127.0.0.1", port))
                    peer.sendto(b"late", ("127.0.0.1", sock.local_address.port))
                    if cleared[0] == 0:  # the report came first: the receive raised
                        with pytest.raises(ConnectionRefused):
                            await asyncio.wait_for(waiting, 5.0)
                        waiting = asyncio.ensure_future(sock.recv(100))
                    assert await asyncio.wait_for(waiting, 5.0) == b"late"
                    assert await asyncio.wait_for(sock.send(b"more"), 5.0) == 4
            finally:
                running.remove_reader(first.fileno())
                first.close()
                second.close()

    run_on(loop, main)


async def _udp_with_error_report() -> AsyncSocket:
    """A UDP socket on 127.0.0.1 with ``IP_RECVERR`` and one ICMP report queued (the
    reported error itself already raised), so only its error queue is ready."""
    sock = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
    sock.set_option(IPOption.RECVERR, True)
    sock.bind(("127.0.0.1", 0))
    await sock.sendto(b"to nobody", ("127.0.0.1", free_port(kind=socket.SOCK_DGRAM)))
    for _ in range(200):  # bounded: the ICMP error comes back at once on loopback
        if _events(sock) & select.POLLERR:
            break
        await asyncio.sleep(0.005)
    with pytest.raises(ConnectionRefused):
        await sock.recv(100)
    assert _events(sock) & (select.POLLERR | select.POLLIN) == select.POLLERR
    return sock


# A line read is for streams: the TCP test below has it.
RECEIVES = {name: receive for name, receive in AWAITED_RECEIVES.items() if name != "read NORMAL"}


def _payload(result: Any) -> bytes:
    if isinstance(result, tuple):
        return bytes(result[0])
    if isinstance(result, list):
        return _payload(result[0])
    if isinstance(result, Message):
        return result.data
    return bytes(result)


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("name", list(RECEIVES))
def test_an_awaited_receive_with_only_an_error_queue_waits_without_spinning(
    loop: str, name: str
) -> None:
    async def main() -> None:
        sock = await _udp_with_error_report()
        peer = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        async with sock, peer:
            assert await _cpu_while_waiting(RECEIVES[name](sock)) < CPU_BOUND
            # A datagram that comes while the task waits still ends the wait.
            waiting = asyncio.ensure_future(RECEIVES[name](sock))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            await peer.sendto(b"late", sock.local_address)
            result = await asyncio.wait_for(waiting, 5.0)
            if name == "recv_into":
                assert result == 4
            else:
                assert _payload(result) == b"late"

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_reading_the_error_queue_clears_it_and_an_awaited_receive_waits_as_usual(
    loop: str,
) -> None:
    async def main() -> None:
        sock = await _udp_with_error_report()
        async with sock:
            report = sock.socket.recvmsg(100, 512, MsgFlag.ERRQUEUE)
            assert report.data == b"to nobody"  # the datagram the error is about
            assert report.control  # its sock_extended_err
            assert not _events(sock) & select.POLLERR
            with pytest.raises(WouldBlock):
                sock.socket.recvmsg(100, 512, MsgFlag.ERRQUEUE | MsgFlag.DONTWAIT)
            assert await _cpu_while_waiting(sock.recv(100)) < CPU_BOUND

    run_on(loop, main)


async def _tcp_pair_with_completions() -> tuple[AsyncSocket, AsyncSocket]:
    """A connected TCP pair on 127.0.0.1 whose sender has ``SO_ZEROCOPY``, one
    ``MSG_ZEROCOPY`` completion unread in its error queue, and a full send buffer."""
    listener = AsyncSocket(AddressFamily.INET, SocketType.STREAM)
    async with listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        sender = AsyncSocket(AddressFamily.INET, SocketType.STREAM)
        sender.set_option(SocketOption.ZEROCOPY, True)
        sender.set_option(SocketOption.SNDBUF, 4096)
        accepting = asyncio.ensure_future(listener.accept())
        await sender.connect(listener.local_address)
        receiver, _ = await accepting
    sender.socket.send(b"z" * 1000, MsgFlag.ZEROCOPY)
    for _ in range(200):  # bounded: loopback acknowledges at once
        if _events(sender) & select.POLLERR:
            break
        await asyncio.sleep(0.005)
    for _ in range(10):  # bounded: the buffers fill within a few rounds
        for _sends in range(10_000):
            try:
                sender.socket.send(bytes(65536))
            except WouldBlock:
                break
        await asyncio.sleep(0.02)
        if not _events(sender) & select.POLLOUT:
            break
    assert _events(sender) & (select.POLLERR | select.POLLOUT) == select.POLLERR
    return sender, receiver


SENDS: dict[str, Callable[[AsyncSocket], Awaitable[Any]]] = {
    "send": lambda s: s.send(b"y" * 65536),
    "sendmsg": lambda s: s.sendmsg(Message([b"y" * 65536])),
    "write": lambda s: s.write(b"y" * 65536),
    "write_all": lambda s: s.write_all(b"y" * 200_000),
    "sendfile": lambda s: _sendfile(s),
}


async def _sendfile(sock: AsyncSocket) -> int:
    with tempfile.TemporaryFile() as file:
        file.write(b"f" * 200_000)
        file.flush()
        return await sock.sendfile(file)


async def _drain(sock: AsyncSocket, done: asyncio.Future[Any]) -> None:
    """Receive until ``done`` is done and nothing more is queued."""
    for _ in range(100_000):  # bounded: ends when the send has gone out
        if done.done() and not _events(sock) & select.POLLIN:
            return
        receiving = asyncio.ensure_future(sock.recv(1 << 16))
        await asyncio.wait((receiving, done), return_when=asyncio.FIRST_COMPLETED)
        if not receiving.done():
            receiving.cancel()  # the send ended first: nothing was taken
            with contextlib.suppress(asyncio.CancelledError):
                await receiving
    raise AssertionError("the receiver never drained the connection")


async def _send_repeatedly(sock: AsyncSocket, name: str) -> None:
    """Send again and again: the connection's window may open a little by itself
    (the receiver's buffer tuned), so one send may end while the buffer stays full."""
    for _ in range(100_000):  # bounded: cancelled at the end of the window long before
        await SENDS[name](sock)


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("name", list(SENDS))
def test_an_awaited_send_with_only_an_error_queue_waits_without_spinning(
    loop: str, name: str
) -> None:
    async def main() -> None:
        sender, receiver = await _tcp_pair_with_completions()
        async with sender, receiver:
            assert await _cpu_while_waiting(_send_repeatedly(sender, name)) < CPU_BOUND
            # Room made while the task waits ends the wait (write_all and sendfile,
            # cancelled part-way above, sent an unknown part: the drain takes it too).
            sending = asyncio.ensure_future(SENDS[name](sender))
            await asyncio.wait_for(_drain(receiver, sending), 10.0)
            result = await sending
            assert result is None if name == "write_all" else result > 0

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_line_read_with_only_an_error_queue_waits_without_spinning(loop: str) -> None:
    async def main() -> None:
        sender, receiver = await _tcp_pair_with_completions()
        async with sender, receiver:
            # The sender's own receive side: nothing comes, the completion stays.
            assert await _cpu_while_waiting(sender.read(100, ReadMode.NORMAL)) < CPU_BOUND
            await receiver.write_all(b"line\n")
            assert await asyncio.wait_for(sender.read(100, ReadMode.NORMAL), 5.0) == b"line\n"

    run_on(loop, main)
