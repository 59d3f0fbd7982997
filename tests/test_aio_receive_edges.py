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
    Socket,
    SocketType,
    WouldBlock,
    aio,
)
from sockkit.aio import AsyncSocket
from test_aio import AWAITED_RECEIVES, LOOPS, run_on

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
            started = time.thread_time()
            assert await asyncio.wait_for(waiting, 2.0) == end
            assert time.thread_time() - started < 0.5  # no spinning until then
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
            # Bad arguments are refused before the kept bytes are handed over, as they
            # are without them (the kept bytes stay for the next good call).
            for bad, error in (((0, 100), ValueError), ((4, 100, -1), ValueError)):
                with pytest.raises(error):
                    await asyncio.wait_for(right.recv_batch(*bad), 2.0)
            with pytest.raises(TypeError, match="count"):
                await asyncio.wait_for(right.recv_batch(1.5, 100), 2.0)  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="WAITALL"):
                await asyncio.wait_for(right.recv_batch(4, 100, 0, MsgFlag.WAITALL), 2.0)
            with pytest.raises(ValueError, match="ancbufsize"):
                await asyncio.wait_for(right.recvmsg(100, -1), 2.0)
            first = await asyncio.wait_for(right.recv_batch(4, 100), 2.0)
            assert [(m.data, m.nbytes) for m in first] == [(b"abc", 3)]
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


class IndexFlags:
    """Flags that are an integer without being an int (as NumPy's are)."""

    def __init__(self, value: int) -> None:
        self.value = int(value)

    def __index__(self) -> int:
        return self.value


@pytest.mark.parametrize("loop", LOOPS)
def test_flags_are_any_integer_and_checked_first_as_in_the_sync_layer(loop: str) -> None:
    async def main() -> None:
        left = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        right = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        with left.socket, right.socket:
            right.socket.bind(("127.0.0.1", 0))
            left.socket.connect(right.socket.local_address)  # sendto names it all the same
            dontwait = IndexFlags(MsgFlag.DONTWAIT)
            receives: dict[str, Callable[[Any], Awaitable[object]]] = {
                "recv": lambda flags: right.recv(10, flags),
                "recv_into": lambda flags: right.recv_into(bytearray(10), 0, flags),
                "recvfrom": lambda flags: right.recvfrom(10, flags),
                "recvmsg": lambda flags: right.recvmsg(10, 0, flags),
                "recv_batch": lambda flags: right.recv_batch(4, 10, 0, flags),
            }
            sends: dict[str, Callable[[Any], Awaitable[object]]] = {
                "send": lambda flags: left.send(b"x", flags),
                "sendto": lambda flags: left.sendto(b"x", right.socket.local_address, flags),
                "sendmsg": lambda flags: left.sendmsg(Message([b"x"]), flags),
                "send_batch": lambda flags: left.send_batch([b"x"], flags),
            }
            for call in {**receives, **sends}.values():
                for wrong in ("DONTWAIT", 1.5, None):
                    with pytest.raises(TypeError, match="flags must be an int"):
                        await asyncio.wait_for(call(wrong), 1.0)
            for receive in receives.values():
                with pytest.raises(WouldBlock):  # not a TypeError from "flags & DONTWAIT"
                    await asyncio.wait_for(receive(dontwait), 1.0)
            for name, send in sends.items():
                await asyncio.wait_for(send(dontwait), 1.0)
                assert await right.recv(10, dontwait) == b"x", name

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


ARRIVALS = AWAITED_RECEIVES


@pytest.mark.parametrize("name", list(ARRIVALS))
def test_a_datagram_that_comes_with_the_hang_up_is_received(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A datagram arrives between a try that found nothing and the question whether
    the socket is shut down for reading: it is returned, not the end of data."""
    receive = ARRIVALS[name]
    arrive: list[Callable[[], object]] = []
    real = aio._poll_now

    def poll_as_a_datagram_arrives(sock: Any, events: int) -> int:
        while arrive:
            arrive.pop()()
        return real(sock, events)

    monkeypatch.setattr(aio, "_poll_now", poll_as_a_datagram_arrives)

    async def main() -> None:
        sock = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
        with sock.socket, Socket(AddressFamily.INET, SocketType.DGRAM) as peer:
            sock.bind(("127.0.0.1", 0))
            peer.bind(("127.0.0.1", 0))
            sock.socket.connect(peer.local_address)
            peer.connect(sock.local_address)
            sock.shutdown(Shutdown.READ)
            arrive.append(lambda: peer.send(b"LAST\n"))
            result = await asyncio.wait_for(receive(sock), 2.0)
            assert not arrive  # the question was asked as the datagram came
            if isinstance(result, int):
                assert result == 5
            elif isinstance(result, list):
                assert [m.data for m in result] == [b"LAST\n"]
            elif isinstance(result, Message):
                assert result.data == b"LAST\n"
            else:
                assert (result[0] if isinstance(result, tuple) else result) == b"LAST\n"

    run_on("asyncio", main)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_stream_receive_never_asks_whether_it_is_shut_down(
    loop: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream's receive gives the end of data itself: asking the socket would only
    cost a system call per wait, and open a window where the last bytes, arriving
    with the peer's shutdown after a try found nothing, were taken for the end."""
    asked: list[int] = []
    real = aio._poll_now

    def counted(sock: Any, events: int) -> int:
        asked.append(events)
        return real(sock, events)

    monkeypatch.setattr(aio, "_poll_now", counted)

    async def main() -> None:
        left, right = AsyncSocket.pair(AddressFamily.UNIX, SocketType.STREAM)
        with left.socket, right.socket:

            async def echo() -> None:
                while data := await right.recv(100):
                    await right.send(data)

            echoing = asyncio.ensure_future(echo())
            receives = (
                lambda: left.recv(100),
                lambda: left.recvfrom(100),
                lambda: left.read(100, ReadMode.NORMAL),
            )
            for index in range(300):  # each reply waited for, stale wake-ups among them
                request = b"%d\n" % index
                await left.send(request)
                got = await asyncio.wait_for(receives[index % 3](), 2.0)
                assert (got[0] if isinstance(got, tuple) else got) == request
            left.shutdown(Shutdown.WRITE)
            await asyncio.wait_for(echoing, 2.0)  # the echo saw the end of data
            right.shutdown(Shutdown.WRITE)
            assert await asyncio.wait_for(left.recv(100), 2.0) == b""
        assert asked == []

    run_on(loop, main)
