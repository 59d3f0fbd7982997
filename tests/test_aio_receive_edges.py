"""AsyncSocket's receives at the edges: a datagram socket shut down for reading, a
partial line a cancelled read kept, ``MsgFlag.DONTWAIT``, and send_batch's argument
checks - each the same as the sync layer says, on asyncio's loop and on uvloop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sockkit import (
    AddressFamily,
    Message,
    MsgFlag,
    ReadMode,
    Shutdown,
    SocketType,
    WouldBlock,
)
from sockkit.aio import AsyncSocket
from test_aio import LOOPS, run_on

# Each awaited receive, and what a blocking receive returns at the end of data.
RECEIVES: dict[str, tuple[Callable[[AsyncSocket], Awaitable[Any]], Any]] = {
    "recv": (lambda s: s.recv(100), b""),
    "recv_into": (lambda s: s.recv_into(bytearray(100)), 0),
    "recvfrom": (lambda s: s.recvfrom(100), (b"", None)),
    "recvmsg": (lambda s: s.recvmsg(100), Message([b""], nbytes=0)),
    "recv_batch": (lambda s: s.recv_batch(4, 100), []),
    "read": (lambda s: s.read(100), b""),
    "read NORMAL": (lambda s: s.read(100, ReadMode.NORMAL), b""),
}


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("name", list(RECEIVES))
def test_a_datagram_socket_shut_for_reading_ends_an_awaited_receive(loop: str, name: str) -> None:
    receive, end = RECEIVES[name]

    async def main() -> None:
        sock = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        with sock.socket:
            sock.bind(("127.0.0.1", 0))
            sock.socket.connect(sock.local_address)
            waiting = asyncio.ensure_future(receive(sock))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            sock.shutdown(Shutdown.READ)  # readable to the loop; its receive would block
            started = time.process_time()
            assert await asyncio.wait_for(waiting, 2.0) == end
            assert time.process_time() - started < 0.5  # no spinning until then
            # And once more, with the socket already shut down:
            assert await asyncio.wait_for(receive(sock), 2.0) == end

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_recv_batch_returns_a_partial_line_a_cancelled_read_kept(loop: str) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, SocketType.STREAM)
        with left.socket, right.socket:
            await left.write_all(b"abc")
            reading = asyncio.ensure_future(right.read(100, ReadMode.NORMAL))
            await asyncio.sleep(0.05)
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            await left.write_all(b"def\n")
            first = await asyncio.wait_for(right.recv_batch(4, 100), 2.0)
            assert [m.data for m in first] == [b"abc"]
            assert await asyncio.wait_for(right.recv(100), 2.0) == b"def\n"

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_dontwait_never_waits(loop: str) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, SocketType.DGRAM)
        with left.socket, right.socket:
            for receive in (
                right.recv(10, MsgFlag.DONTWAIT),
                right.recv_into(bytearray(10), 0, MsgFlag.DONTWAIT),
                right.recvfrom(10, MsgFlag.DONTWAIT),
                right.recvmsg(10, 0, MsgFlag.DONTWAIT),
                right.recv_batch(4, 10, 0, MsgFlag.DONTWAIT),
            ):
                with pytest.raises(WouldBlock):
                    await asyncio.wait_for(receive, 1.0)
            await left.send(b"x", MsgFlag.DONTWAIT)
            got = await right.recv_batch(4, 10, 0, MsgFlag.DONTWAIT)
            assert [m.data for m in got] == [b"x"]
            left.socket.timeout = 0.0
            with pytest.raises(WouldBlock):  # the peer's queue full: no wait for room
                for _ in range(10_000):
                    await asyncio.wait_for(
                        left.send_batch([b"y" * 512] * 32, MsgFlag.DONTWAIT), 1.0
                    )

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_send_batch_checks_its_argument_as_the_sync_call(loop: str) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, SocketType.DGRAM)
        with left.socket, right.socket:
            for wrong in (b"", bytearray(), Message([b"one"]), None, "text"):
                with pytest.raises(TypeError, match="messages must be a sequence") as caught:
                    await left.send_batch(wrong)  # type: ignore[arg-type]
                with pytest.raises(TypeError) as sync:
                    left.socket.send_batch(wrong)  # type: ignore[arg-type]
                assert str(caught.value) == str(sync.value)
            assert await left.send_batch(b"%d" % i for i in range(3)) == 3  # read once

    run_on(loop, main)
