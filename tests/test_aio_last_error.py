"""An awaited call's `last_error` is the blocking call's: a try that would block and
is followed by a wait is not a failure of the call, so only what the call raises is
recorded - on asyncio's loop and on uvloop.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sockkit import (
    AddressFamily,
    ConnectionRefused,
    Message,
    MsgFlag,
    SocketType,
    WouldBlock,
)
from sockkit.aio import AsyncSocket
from test_aio import AWAITED_RECEIVES, LOOPS, run_on

EARLIER = errno.ENOPROTOOPT  # a failure of the caller's, made before the awaited call


def _fail_earlier(sock: AsyncSocket) -> None:
    with pytest.raises(OSError, match="Protocol not available"):
        sock.socket.set_option_raw(socket.SOL_SOCKET, 12345, 0)
    assert sock.socket.last_error == EARLIER


RECEIVES = AWAITED_RECEIVES  # each, over a stream pair and over a datagram pair


CASES = [
    pytest.param(kind, name, id=f"{kind.name}-{name}")
    for kind in (SocketType.STREAM, SocketType.DGRAM)
    for name in RECEIVES
    if (kind, name) != (SocketType.DGRAM, "read NORMAL")  # a line read is for streams
]


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_an_awaited_receive_that_waited_leaves_last_error_alone(
    loop: str, kind: SocketType, name: str
) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, kind)
        async with left, right:
            _fail_earlier(right)
            waiting = asyncio.ensure_future(RECEIVES[name](right))
            await asyncio.sleep(0.05)  # the first try would block: the task waits
            assert not waiting.done()
            await left.send(b"line\n")
            assert await asyncio.wait_for(waiting, 5.0)
            assert right.socket.last_error == EARLIER

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_an_awaited_receive_with_dontwait_records_would_block(loop: str) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, SocketType.DGRAM)
        async with left, right:
            _fail_earlier(right)
            with pytest.raises(WouldBlock):
                await right.recv_batch(4, 100, flags=MsgFlag.DONTWAIT)
            assert right.socket.last_error == errno.EAGAIN

    run_on(loop, main)


def _fill(sock: AsyncSocket) -> int:
    """Send until the socket would block; how many sends went out."""
    for sent in range(1_000_000):  # bounded: a full buffer comes long before
        try:
            sock.socket.send(bytes(4096))
        except WouldBlock:
            return sent
    raise AssertionError("the send buffer never filled")


async def _drain(sock: AsyncSocket, sends: int) -> None:
    for _ in range(sends + 1):
        await sock.recv(1 << 16)


SENDS: dict[str, Callable[[AsyncSocket], Awaitable[Any]]] = {
    "send": lambda s: s.send(b"x"),
    "sendmsg": lambda s: s.sendmsg(Message([b"x"])),
    "send_batch": lambda s: s.send_batch([b"x", b"y"]),
    "write": lambda s: s.write(b"x"),
    "write_all": lambda s: s.write_all(b"x" * 100_000),
}


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("name", list(SENDS))
def test_an_awaited_send_that_waited_leaves_last_error_alone(loop: str, name: str) -> None:
    kind = SocketType.STREAM if name == "write_all" else SocketType.DGRAM

    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, kind)
        async with left, right:
            sends = _fill(left)
            _fail_earlier(left)
            waiting = asyncio.ensure_future(SENDS[name](left))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            draining = asyncio.ensure_future(_drain(right, sends))
            await asyncio.wait_for(waiting, 5.0)
            draining.cancel()
            assert left.socket.last_error == EARLIER

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_an_awaited_accept_and_connect_leave_last_error_alone(loop: str) -> None:
    async def main() -> None:
        listener = AsyncSocket(AddressFamily.INET, SocketType.STREAM)
        client = AsyncSocket(AddressFamily.INET, SocketType.STREAM)
        async with listener, client:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            _fail_earlier(listener)
            _fail_earlier(client)
            accepting = asyncio.ensure_future(listener.accept())
            await asyncio.sleep(0.05)
            await client.connect(listener.local_address)  # in progress, then done
            conn, _ = await asyncio.wait_for(accepting, 5.0)
            conn.close()
            assert listener.socket.last_error == EARLIER
            assert client.socket.last_error == EARLIER

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_an_awaited_connect_refused_records_its_failure(loop: str) -> None:
    async def main() -> None:
        closed = AsyncSocket(AddressFamily.INET, SocketType.STREAM)
        client = AsyncSocket(AddressFamily.INET, SocketType.STREAM)
        async with closed, client:
            closed.bind(("127.0.0.1", 0))  # bound, not listening: connections refused
            _fail_earlier(client)
            with pytest.raises(ConnectionRefused):
                await client.connect(closed.local_address)
            assert client.socket.last_error == errno.ECONNREFUSED

    run_on(loop, main)
