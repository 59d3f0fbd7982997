"""sockkit.aio: AsyncSocket on the default asyncio loop and on uvloop, with real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import select
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from conftest import free_port, is_open, needs_ipv6, open_fds
from sockkit import (
    BrokenPipe,
    BusyError,
    ConnectionRefused,
    InetAddress,
    LookupFailed,
    Message,
    MsgFlag,
    ReadMode,
    Rights,
    Socket,
    SocketClosedError,
    SocketOption,
    TimedOut,
    UnixAddress,
    WouldBlock,
    aio,
    cmsg_space,
)
from sockkit.aio import AsyncSocket
from sockkit.socket import _recv_into_nowait, _recv_nowait, _send_nowait

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is in the test extra where it installs
    uvloop = None

T = TypeVar("T")
LOOPS = ["asyncio"] + (["uvloop"] if uvloop is not None else [])
RIGHTS_SPACE = cmsg_space(socket.SOL_SOCKET, socket.SCM_RIGHTS, 2)
# Every test's coroutine runs under this bound: a regression fails, it never hangs.
TEST_LIMIT = 60.0
# Every awaited receive, by name, as the tests that go through them all call it.
AWAITED_RECEIVES: dict[str, Callable[[AsyncSocket], Awaitable[Any]]] = {
    "recv": lambda s: s.recv(100),
    "recv_into": lambda s: s.recv_into(bytearray(100)),
    "recvfrom": lambda s: s.recvfrom(100),
    "recvmsg": lambda s: s.recvmsg(100),
    "recv_batch": lambda s: s.recv_batch(4, 100),
    "read": lambda s: s.read(100),
    "read NORMAL": lambda s: s.read(100, ReadMode.NORMAL),
}


def _new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        assert uvloop is not None
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
    return asyncio.new_event_loop()


def run_on(kind: str, main: Callable[[], Awaitable[T]], limit: float = TEST_LIMIT) -> T:
    """Run ``main()`` on a new loop of ``kind``, bounded in time; tidy the loop up after."""
    loop = _new_loop(kind)

    async def bounded() -> T:
        return await asyncio.wait_for(main(), limit)

    try:
        return loop.run_until_complete(bounded())
    finally:
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        if hasattr(loop, "shutdown_default_executor"):
            loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


@pytest.fixture(scope="module", autouse=True)
def _loops_warmed_up() -> None:
    """uvloop keeps two descriptors of its own from its first loop on: open them before
    any test counts descriptors."""
    for kind in LOOPS:
        run_on(kind, lambda: asyncio.sleep(0))


@pytest.fixture(params=LOOPS)
def run(request: pytest.FixtureRequest) -> Callable[..., Any]:
    kind: str = request.param
    return lambda main, limit=TEST_LIMIT: run_on(kind, main, limit)


@pytest.fixture
def fd_check() -> Iterator[None]:
    before = open_fds()
    yield
    assert open_fds() == before, "descriptor leak"


async def within(seconds: float, awaitable: Awaitable[T]) -> T:
    """``asyncio.timeout`` where Python has it (3.11+), ``asyncio.wait_for`` on 3.10."""
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)


async def echo(conn: AsyncSocket) -> None:
    async with conn:
        while True:
            data = await conn.recv(65536)
            if not data:
                return
            await conn.write_all(data)


async def exchange(conn: AsyncSocket, payload: bytes) -> bytes:
    """Send ``payload`` and half-close while reading until the peer closes."""

    async def send() -> None:
        await conn.write_all(payload)
        conn.shutdown(socket.SHUT_WR)

    sender = asyncio.create_task(send())
    parts = []
    while chunk := await conn.recv(65536):
        parts.append(chunk)
    await sender
    return b"".join(parts)


def fill_send_buffer(sock: AsyncSocket) -> int:
    """Write to the non-blocking socket until the kernel takes no more."""
    sock.set_option(SocketOption.SNDBUF, 4096)
    total = 0
    raw = sock.socket
    for _ in range(100_000):
        try:
            total += raw.send(b"x" * 65536)
        except BlockingIOError:
            return total
    raise AssertionError("the send buffer never filled")


@contextlib.contextmanager
def stalled_listener() -> Iterator[int]:
    """A loopback listener with a full accept queue: a new connect to it stays pending."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        fillers: list[socket.socket] = []
        try:
            for _ in range(8):
                filler = socket.socket()
                fillers.append(filler)
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
                if not select.select([], [filler], [], 0.3)[1]:
                    break  # this connect stalls: so will the next
            else:
                raise AssertionError("could not fill the accept queue")
            yield port
        finally:
            for filler in fillers:
                filler.close()


def resolver_for(*entries: tuple[str, int]) -> Any:
    """A resolver returning ``entries`` in order, whatever it is asked."""
    calls: list[tuple[Any, ...]] = []

    def resolve(
        host: str | None, port: int | str, family: int, kind: int, proto: int, flags: int
    ) -> Sequence[tuple[int, int, int, str, Any]]:
        calls.append((host, port, family, kind, proto, flags, threading.get_ident()))
        result: list[tuple[int, int, int, str, Any]] = []
        for address, number in entries:
            if ":" in address:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, number, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, number)))
        return result

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


# ---------------------------------------------------------------------- echo and interop


def test_echo_over_tcp(run: Any, fd_check: None) -> None:
    async def main() -> None:
        async with await AsyncSocket.create_server(("127.0.0.1", 0)) as server:
            port = server.local_address.port
            serving = asyncio.create_task(_serve_once(server))
            async with await AsyncSocket.create_connection(("127.0.0.1", port)) as client:
                assert client.peer_address.port == port
                payload = os.urandom(3 * 1024 * 1024)
                assert await exchange(client, payload) == payload
            await serving

    run(main)


async def _serve_once(server: AsyncSocket) -> None:
    conn, _peer = await server.accept()
    await echo(conn)


def test_echo_over_unix(run: Any, tmp_path: Path, fd_check: None) -> None:
    path = str(tmp_path / "echo.sock")

    async def main() -> None:
        async with await AsyncSocket.create_server(path) as server:
            serving = asyncio.create_task(_serve_once(server))
            async with AsyncSocket(socket.AF_UNIX) as client:
                await client.connect(path)
                payload = os.urandom(1024 * 1024)
                assert await exchange(client, payload) == payload
            await serving

    run(main)


def test_thousand_concurrent_connections(run: Any, fd_check: None) -> None:
    count = 1000
    rng = random.Random(1000)
    payloads = [rng.randbytes(rng.randrange(1, 4096)) for _ in range(count)]

    async def main() -> float:
        started = time.monotonic()
        async with await AsyncSocket.create_server(("127.0.0.1", 0), backlog=count) as server:
            port = server.local_address.port
            handlers: list[asyncio.Task[None]] = []

            async def serve() -> None:
                for _ in range(count):
                    conn, _peer = await server.accept()
                    handlers.append(asyncio.create_task(echo(conn)))

            accepting = asyncio.create_task(serve())
            connected = asyncio.Event()
            opened = 0

            async def client(payload: bytes) -> str:
                nonlocal opened
                async with await AsyncSocket.create_connection(("127.0.0.1", port)) as conn:
                    opened += 1
                    if opened == count:
                        connected.set()
                    await connected.wait()  # all 1,000 are open at once
                    return hashlib.sha256(await exchange(conn, payload)).hexdigest()

            digests = await asyncio.gather(*(client(payload) for payload in payloads))
            await accepting
            await asyncio.gather(*handlers)
        assert digests == [hashlib.sha256(payload).hexdigest() for payload in payloads]
        return time.monotonic() - started

    elapsed = run(main)
    assert elapsed < 30, f"1,000 connections took {elapsed:.1f} s"


def test_interop_with_asyncio_streams_server(run: Any, fd_check: None) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            writer.write(line.upper())
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with await AsyncSocket.create_connection(("127.0.0.1", port)) as conn:
                for word in (b"alpha\n", b"beta\n", b"gamma\n"):
                    await conn.write_all(word)
                    assert await conn.read(100, ReadMode.NORMAL) == word.upper()
                conn.shutdown(socket.SHUT_WR)
                assert await conn.read(100, ReadMode.NORMAL) == b""
        finally:
            server.close()
            await server.wait_closed()

    run(main)


def test_interop_with_asyncio_streams_client(run: Any, fd_check: None) -> None:
    async def main() -> None:
        async with await AsyncSocket.create_server(("127.0.0.1", 0)) as server:
            port = server.local_address.port
            serving = asyncio.create_task(_serve_once(server))
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            payload = os.urandom(200_000)
            writer.write(payload)
            await writer.drain()
            writer.write_eof()
            assert await reader.read() == payload
            writer.close()
            await writer.wait_closed()
            await serving

    run(main)


def test_udp_sendto_recvfrom(run: Any, fd_check: None) -> None:
    async def main() -> None:
        async with (
            AsyncSocket(socket.AF_INET, socket.SOCK_DGRAM) as one,
            AsyncSocket(socket.AF_INET, socket.SOCK_DGRAM) as two,
        ):
            one.bind(("127.0.0.1", 0))
            two.bind(("127.0.0.1", 0))
            receiving = asyncio.create_task(two.recvfrom(100))
            await asyncio.sleep(0.01)
            assert await one.sendto(b"datagram", two.local_address) == 8
            data, sender = await receiving
            assert (data, sender) == (b"datagram", one.local_address)

    run(main)


# ---------------------------------------------------------------------- line reads


def test_normal_read_waits_for_the_rest_of_the_line(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            reading = asyncio.create_task(right.read(100, ReadMode.NORMAL))
            for piece in (b"he", b"ll", b"o\r\nworld\nrest"):
                await asyncio.sleep(0.02)
                assert not reading.done()
                await left.write_all(piece)
            assert await reading == b"hello\r"
            assert await right.read(100, ReadMode.NORMAL) == b"\n"
            assert await right.read(100, ReadMode.NORMAL) == b"world\n"
            assert await right.read(2, ReadMode.NORMAL) == b"re"  # the length limits
            # Never over-read: what follows a line stays in the socket for any reader.
            await left.write_all(b"st\nnext")
            assert await right.read(100, ReadMode.NORMAL) == b"stst\n"
            assert await right.recv(100) == b"next"
            await left.write_all(b"partial")
            left.shutdown(socket.SHUT_WR)
            assert await right.read(100, ReadMode.NORMAL) == b"partial"  # only at the end
            assert await right.read(100, ReadMode.NORMAL) == b""

    run(main)


def test_binary_read_and_recv_into(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            reading = asyncio.create_task(right.read(100))
            await asyncio.sleep(0.01)
            assert await left.write(b"abc\ndef", 5) == 5
            assert await reading == b"abc\nd"
            buffer = bytearray(10)
            await left.send(b"xyz")
            assert await right.recv_into(buffer, 2) == 2
            assert buffer[:2] == b"xy"
            assert await right.recv(10) == b"z"

    run(main)


# ---------------------------------------------------------------------- descriptors


def test_descriptor_passing(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            with Socket.pair() as (mine, theirs):
                receiving = asyncio.create_task(right.recvmsg(16, RIGHTS_SPACE))
                await asyncio.sleep(0.01)
                assert await left.sendmsg(Message([b"fd"], [Rights([theirs])])) == 2
                message = await receiving
                assert message.data == b"fd"
                [rights] = message.control
                assert isinstance(rights, Rights)
                [passed] = rights.sockets()
                async with AsyncSocket.from_socket(passed) as passed_async:
                    mine.send(b"through the passed socket")
                    assert await passed_async.recv(100) == b"through the passed socket"

    run(main)


def test_sendfile(run: Any, tmp_path: Path, fd_check: None) -> None:
    content = os.urandom(5 * 1024 * 1024 + 17)
    path = tmp_path / "data.bin"
    path.write_bytes(content)

    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            with path.open("rb") as file:

                async def drain(size: int) -> bytes:
                    parts = []
                    while size:
                        chunk = await right.recv(min(size, 65536))
                        parts.append(chunk)
                        size -= len(chunk)
                    return b"".join(parts)

                receiving = asyncio.create_task(drain(len(content)))
                assert await left.sendfile(file) == len(content)
                assert await receiving == content
                receiving = asyncio.create_task(drain(1000))
                assert await left.sendfile(file, 100, 1000) == 1000
                assert await receiving == content[100:1100]
                assert file.tell() == 1100

    run(main)


# ---------------------------------------------------------------------- Happy Eyeballs


def test_happy_eyeballs_stalled_first_attempt_next_starts_after_the_delay(
    run: Any, fd_check: None
) -> None:
    async def main() -> None:
        with stalled_listener() as stalled, Socket.create_server(("127.0.0.1", 0)) as good:
            port = good.local_address.port
            resolve = resolver_for(("127.0.0.1", stalled), ("127.0.0.1", port))
            started = time.monotonic()
            conn = await aio._create_connection(
                AsyncSocket, ("name.test", 1), delay=0.3, resolver=resolve
            )
            elapsed = time.monotonic() - started
            async with conn:
                assert conn.peer_address.port == port
            assert 0.25 <= elapsed < 5, elapsed
            # A name is looked up in the executor, not on the loop's thread.
            assert resolve.calls[0][0] == "name.test"
            assert resolve.calls[0][-1] != threading.get_ident()

    run(main)


def test_happy_eyeballs_failure_starts_the_next_attempt_at_once(run: Any, fd_check: None) -> None:
    async def main() -> None:
        with Socket.create_server(("127.0.0.1", 0)) as good:
            port = good.local_address.port
            resolve = resolver_for(("127.0.0.1", free_port()), ("127.0.0.1", port))
            started = time.monotonic()
            async with await aio._create_connection(
                AsyncSocket, ("127.0.0.1", 1), delay=10, resolver=resolve
            ) as conn:
                assert conn.peer_address.port == port
            assert time.monotonic() - started < 5

    run(main)


def test_happy_eyeballs_every_attempt_fails(run: Any, fd_check: None) -> None:
    async def main() -> None:
        ports = (free_port(), free_port())
        resolve = resolver_for(*(("127.0.0.1", port) for port in ports))
        with pytest.raises(ConnectionRefused) as caught:
            await aio._create_connection(AsyncSocket, ("127.0.0.1", 1), resolver=resolve)
        attempts = caught.value.attempts  # type: ignore[attr-defined]
        assert [type(error) for error in attempts] == [ConnectionRefused, ConnectionRefused]
        assert attempts[-1] is caught.value
        assert [error.address[1] for error in attempts] == list(ports)

    run(main)


def test_happy_eyeballs_timeout_covers_every_attempt(run: Any, fd_check: None) -> None:
    async def main() -> None:
        with stalled_listener() as one, stalled_listener() as two:
            resolve = resolver_for(("127.0.0.1", one), ("127.0.0.1", two))
            started = time.monotonic()
            with pytest.raises(TimedOut) as caught:
                await aio._create_connection(
                    AsyncSocket, ("127.0.0.1", 1), timeout=0.4, delay=0.1, resolver=resolve
                )
            assert time.monotonic() - started < 5
            assert len(caught.value.attempts) == 2  # type: ignore[attr-defined]

    run(main)


def test_happy_eyeballs_cancelled_closes_every_attempt(run: Any, fd_check: None) -> None:
    async def main() -> None:
        with stalled_listener() as stalled:
            before = open_fds()
            resolve = resolver_for(("127.0.0.1", stalled), ("127.0.0.1", stalled))
            with pytest.raises(asyncio.TimeoutError):
                await within(
                    0.4,
                    aio._create_connection(
                        AsyncSocket, ("127.0.0.1", 1), delay=0.1, resolver=resolve
                    ),
                )
            assert open_fds() == before

    run(main)


def test_create_connection_resolves_localhost(run: Any, fd_check: None) -> None:
    async def main() -> None:
        async with await AsyncSocket.create_server(("127.0.0.1", 0)) as server:
            port = server.local_address.port
            async with await AsyncSocket.create_connection(("localhost", port), timeout=5) as conn:
                assert conn.peer_address.port == port
            with pytest.raises(LookupFailed):
                await aio._create_connection(
                    AsyncSocket, ("name.test", 1), resolver=lambda *args: []
                )

    run(main)


@needs_ipv6
def test_create_server_and_connection_over_ipv6(run: Any, fd_check: None) -> None:
    async def main() -> None:
        async with await AsyncSocket.create_server(("::1", 0)) as server:
            port = server.local_address.port
            serving = asyncio.create_task(_serve_once(server))
            async with await AsyncSocket.create_connection(("::1", port)) as conn:
                assert await exchange(conn, b"six") == b"six"
            await serving

    run(main)


def test_create_server_takes_every_address_form(run: Any, tmp_path: Path, fd_check: None) -> None:
    async def main() -> None:
        for address in (
            ("127.0.0.1", 0),
            ("localhost", 0),
            InetAddress("127.0.0.1", 0),
            str(tmp_path / "a.sock"),
            tmp_path / "b.sock",
            UnixAddress(str(tmp_path / "c.sock")),
            b"\0sockkit-aio-test-%d" % os.getpid(),
        ):
            async with await AsyncSocket.create_server(address) as server:
                assert server.get_option(SocketOption.ACCEPTCONN)

    run(main)


# ---------------------------------------------------------------------- close wakes awaiters


@pytest.mark.parametrize("how", ["async-close", "socket-close"])
def test_close_from_another_task_wakes_every_awaiter(run: Any, how: str, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            fill_send_buffer(right)
            receiver = asyncio.create_task(right.recv(10))
            sender = asyncio.create_task(right.write_all(b"y" * 1_000_000))
            await asyncio.sleep(0.05)

            async def closer() -> None:
                (right.close if how == "async-close" else right.socket.close)()

            results = await asyncio.gather(receiver, sender, closer(), return_exceptions=True)
            assert isinstance(results[0], SocketClosedError), results
            assert isinstance(results[1], SocketClosedError), results
            assert right.closed and right.fileno() == -1

    run(main)


def test_close_from_another_thread_wakes_the_awaiter(run: Any, fd_check: None) -> None:
    async def main() -> None:
        async with await AsyncSocket.create_server(("127.0.0.1", 0)) as server:
            accepting = asyncio.create_task(server.accept())
            await asyncio.sleep(0.05)
            closer = threading.Timer(0.05, server.close)
            started = time.monotonic()
            closer.start()
            with pytest.raises(SocketClosedError):
                await accepting
            woke = time.monotonic() - started
            closer.join(5)
            assert woke < 2, woke

    run(main)


def test_closed_socket_refuses_every_call(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        left.close()
        left.close()  # idempotent
        right.close()
        for call in (left.recv(1), left.send(b"x"), left.read(1, ReadMode.NORMAL), left.accept()):
            with pytest.raises(SocketClosedError):
                await call

    run(main)


# ---------------------------------------------------------------------- cancellation


async def _prepared(kind: str, stack: contextlib.AsyncExitStack, tmp: Path) -> Any:
    """An awaitable that will wait forever, and a check that the socket still works."""
    left, right = AsyncSocket.pair()
    await stack.enter_async_context(left)
    await stack.enter_async_context(right)
    if kind == "accept":
        server = await stack.enter_async_context(
            await AsyncSocket.create_server(str(tmp / "accept.sock"))
        )

        async def accept_check() -> None:
            with Socket(socket.AF_UNIX) as peer:
                peer.connect(str(tmp / "accept.sock"))
                conn, _ = await server.accept()
                conn.close()

        return server.accept(), accept_check
    if kind == "connect":
        stalled = stack.enter_context(stalled_listener())
        client = await stack.enter_async_context(AsyncSocket())
        return client.connect(("127.0.0.1", stalled)), None
    if kind == "create_connection":
        stalled = stack.enter_context(stalled_listener())
        return AsyncSocket.create_connection(("127.0.0.1", stalled)), None
    receivers = {
        "recv": lambda: right.recv(10),
        "recv_into": lambda: right.recv_into(bytearray(10)),
        "recvfrom": lambda: right.recvfrom(10),
        "read": lambda: right.read(10),
        "read-normal": lambda: right.read(10, ReadMode.NORMAL),
        "recvmsg": lambda: right.recvmsg(10, RIGHTS_SPACE),
    }
    if kind in receivers:
        if kind == "read-normal":
            await left.write_all(b"par")  # a partial line is taken, then the wait cancelled

        async def receive_check() -> None:
            await left.write_all(b"tial\n")
            got = await receivers[kind]()
            if kind == "recv_into":
                assert got == 5
            elif kind == "recvfrom":
                assert got[0] == b"tial\n"
            elif kind == "recvmsg":
                assert got.data == b"tial\n"
            else:
                assert got == (b"partial\n" if kind == "read-normal" else b"tial\n")

        return receivers[kind](), receive_check
    fill_send_buffer(left)
    file = stack.enter_context((tmp / "file").open("w+b"))
    file.write(os.urandom(1_000_000))
    senders = {
        "send": lambda: left.send(b"z" * 100_000),
        "write": lambda: left.write(b"z" * 100_000),
        "write_all": lambda: left.write_all(b"z" * 100_000),
        "sendmsg": lambda: left.sendmsg(Message([b"z" * 100_000])),
        "sendfile": lambda: left.sendfile(file),
    }

    async def send_check() -> None:
        drained = asyncio.create_task(_drain(right))
        result = await senders[kind]()
        assert result is None or result > 0
        drained.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drained

    return senders[kind](), send_check


async def _drain(sock: AsyncSocket) -> None:
    while await sock.recv(1 << 20):
        pass


CANCEL_POINTS = [
    "accept",
    "connect",
    "create_connection",
    "recv",
    "recv_into",
    "recvfrom",
    "read",
    "read-normal",
    "recvmsg",
    "send",
    "write",
    "write_all",
    "sendmsg",
    "sendfile",
]


@pytest.mark.parametrize("kind", CANCEL_POINTS)
def test_cancellation_leaves_the_socket_usable_and_leaks_nothing(
    run: Any, kind: str, tmp_path: Path
) -> None:
    async def main() -> None:
        before = open_fds()
        async with contextlib.AsyncExitStack() as stack:
            waiting, check = await _prepared(kind, stack, tmp_path)
            with pytest.raises(asyncio.TimeoutError):
                await within(0.2, waiting)
            if check is not None:
                await within(10, check())
        assert open_fds() == before

    run(main)


def test_task_cancel_during_recv(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            task = asyncio.create_task(right.recv(10))
            await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await left.send(b"after")
            assert await right.recv(10) == b"after"

    run(main)


def test_cancelled_recvmsg_leaves_the_descriptors_queued(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            with pytest.raises(asyncio.TimeoutError):
                await within(0.05, right.recvmsg(10, RIGHTS_SPACE))
            with Socket.pair() as (one, two):
                await left.sendmsg(Message([b"m"], [Rights([one, two])]))
            message = await right.recvmsg(10, RIGHTS_SPACE)
            with message:
                assert len(message.control[0]) == 2

    run(main)


def test_held_line_bytes_go_to_the_next_receive(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            await left.write_all(b"abcdef")
            with pytest.raises(asyncio.TimeoutError):
                await within(0.05, right.read(100, ReadMode.NORMAL))
            assert await right.recv(2) == b"ab"
            assert await right.read(2, ReadMode.NORMAL) == b"cd"
            await left.write_all(b"\n")
            assert await right.read(100, ReadMode.NORMAL) == b"ef\n"

    run(main)


# ---------------------------------------------------------------------- BusyError


def test_second_receiver_and_second_sender_are_busy(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            first = asyncio.create_task(right.recv(10))
            await asyncio.sleep(0.01)
            for second in (right.recv(1), right.read(1, ReadMode.NORMAL), right.recvmsg(1)):
                with pytest.raises(BusyError, match="receiving"):
                    await second
            fill_send_buffer(right)
            sending = asyncio.create_task(right.write_all(b"q" * 100_000))
            await asyncio.sleep(0.01)
            with pytest.raises(BusyError, match="sending"):
                await right.send(b"x")
            with pytest.raises(BusyError, match="sending"):
                await right.write_all(b"x")  # would not block, busy all the same
            # One receiver and one sender at once is the normal case.
            await left.send(b"ok")
            assert await first == b"ok"
            sending.cancel()
            with pytest.raises(asyncio.CancelledError):
                await sending

    run(main)


WAITING_SENDS: dict[str, Callable[[AsyncSocket], Awaitable[Any]]] = {
    "send": lambda sock: sock.send(b"q" * 100_000),
    "write": lambda sock: sock.write(b"q" * 100_000),
    "sendmsg": lambda sock: sock.sendmsg(Message([b"q" * 100_000])),
    "write_all": lambda sock: sock.write_all(b"q" * 100_000),
}


@pytest.mark.parametrize("name", list(WAITING_SENDS))
def test_a_send_waiting_for_room_makes_every_other_sender_busy(
    run: Any, fd_check: None, name: str
) -> None:
    """The first try of a send takes no turn (no other task can run before it ends);
    a send that waits for room holds the turn until it has sent."""

    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            fill_send_buffer(right)
            sending = asyncio.create_task(WAITING_SENDS[name](right))
            await asyncio.sleep(0.01)
            assert not sending.done()  # waiting for room
            for second in (right.send(b"x"), right.sendmsg(Message([b"x"])), right.write(b"x")):
                with pytest.raises(BusyError, match="sending"):
                    await second
            for _ in range(10_000):  # bounded: each read makes room for the waiting send
                if sending.done():
                    break
                assert await within(5, left.recv(65536))
            result = await sending
            assert result is None if name == "write_all" else result > 0
            # The turn is free again: a try that finds no room says so, never busy.
            with contextlib.suppress(WouldBlock):
                assert await right.send(b"x", MsgFlag.DONTWAIT) == 1

    run(main)


# ---------------------------------------------------------------------- the non-raising tries


def test_non_raising_tries_answer_none_only_where_the_call_would_block(fd_check: None) -> None:
    with Socket.pair() as (left, right):
        right.blocking = False
        left.blocking = False
        buffer = bytearray(8)
        assert _recv_nowait(right, 8) is None
        assert _recv_into_nowait(right, buffer) is None
        assert _send_nowait(left, b"abc") == 3
        assert _recv_nowait(right, 2) == b"ab"
        assert _recv_into_nowait(right, buffer) == 1 and buffer[:1] == b"c"
        with pytest.raises(ValueError, match="length"):
            _recv_nowait(right, -1)
        with pytest.raises(ValueError, match="nbytes"):
            _recv_into_nowait(right, buffer, -1)
        with pytest.raises(TypeError, match="data"):
            _send_nowait(left, "text")  # type: ignore[arg-type]
        for _ in range(100_000):
            if _send_nowait(left, b"x" * 65536) is None:
                break
        assert _send_nowait(left, b"x") is None
        right.close()
        with pytest.raises(BrokenPipe):  # every other error stays typed
            _send_nowait(left, b"x")
        left.close()
        with pytest.raises(SocketClosedError):
            _recv_nowait(left, 1)


def test_non_raising_receive_passes_the_line_readers_gate(fd_check: None) -> None:
    with Socket.pair() as (left, right):
        left.write_all(b"ab\ncd")
        assert right.read(100, ReadMode.NORMAL) == b"ab\n"  # looks ahead: state kept
        right.blocking = False
        assert _recv_nowait(right, 100) == b"cd"
        assert _recv_nowait(right, 100) is None


# ---------------------------------------------------------------------- construction


def test_loop_without_add_reader_is_refused_with_the_fix(fd_check: None) -> None:
    class NoReaders(asyncio.SelectorEventLoop):
        add_reader = asyncio.AbstractEventLoop.add_reader  # as Windows' proactor loop

    async def main() -> None:
        before = open_fds()
        with pytest.raises(RuntimeError, match="SelectorEventLoop"):
            AsyncSocket()
        with pytest.raises(RuntimeError, match="add_reader"):
            AsyncSocket.pair()
        with pytest.raises(RuntimeError, match="add_reader"):
            await AsyncSocket.create_server(("127.0.0.1", 0))
        assert open_fds() == before

    loop = NoReaders()
    try:
        loop.run_until_complete(asyncio.wait_for(main(), TEST_LIMIT))
    finally:
        loop.close()


def test_argument_errors_before_any_system_call(run: Any, fd_check: None) -> None:
    async def main() -> None:
        with socket.socket() as plain, pytest.raises(TypeError, match="sock"):
            AsyncSocket.from_socket(plain)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="timeout"):
            await AsyncSocket.create_connection(("127.0.0.1", 1), timeout="1")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="happy_eyeballs_delay"):
            await AsyncSocket.create_connection(("127.0.0.1", 1), happy_eyeballs_delay=-1)
        with pytest.raises(ValueError, match="port"):
            await AsyncSocket.create_connection(("127.0.0.1", 70000))
        left, right = AsyncSocket.pair()
        async with left, right:
            with pytest.raises(ValueError, match="length"):
                await right.read(-1, ReadMode.NORMAL)
            with pytest.raises(TypeError, match="data"):
                await left.write_all("text")  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="offset"):
                await left.sendfile(None, -1)  # type: ignore[arg-type]

    run(main)


def test_from_socket_takes_ownership(run: Any, fd_check: None) -> None:
    async def main() -> None:
        sock = Socket()
        asock = AsyncSocket.from_socket(sock)
        assert asock.socket is sock and not sock.blocking
        assert asock.fileno() == sock.fileno() >= 0
        assert "AsyncSocket" in repr(asock)
        asock.close()
        assert sock.closed
        with pytest.raises(SocketClosedError):
            AsyncSocket.from_socket(sock)

    run(main)


# ---------------------------------------------------------------------- kept registrations


async def _until_released(number: int) -> None:
    """Let the loop run until ``number`` is closed (at most a second)."""
    for _ in range(100):
        if not is_open(number):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the loop never let go of the descriptor")


async def _wait_once(receiver: AsyncSocket, sender: AsyncSocket) -> None:
    """Make ``receiver`` wait for readability once: its registration is kept afterwards."""
    task = asyncio.create_task(receiver.recv(10))
    await asyncio.sleep(0.01)
    assert not task.done()
    await sender.write_all(b"x")
    assert await within(5, task) == b"x"


def test_an_idle_kept_registration_does_not_spin_the_loop(run: Any, fd_check: None) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            await _wait_once(right, left)
            await left.write_all(b"unread")  # readable, and nobody waits
            started = time.thread_time()  # the loop's thread: other threads' work left out
            await asyncio.sleep(0.3)
            spent = time.thread_time() - started
            assert spent < 0.1, f"the loop spun for an unread socket: {spent:.3f} s of CPU"
            assert await within(5, right.recv(10)) == b"unread"
            await _wait_once(right, left)  # registers again

    run(main)


def test_close_in_the_loop_releases_at_once_and_the_number_serves_again(
    run: Any, fd_check: None
) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left:
            await _wait_once(right, left)
            number = right.fileno()
            right.close()  # the close callback ends the registration here and now
            assert not is_open(number)
            # The lowest free number: the new pair's first socket reuses it on purpose.
            again, peer = AsyncSocket.pair()
            async with again, peer:
                assert again.fileno() == number
                receiving = asyncio.create_task(again.recv(10))
                await asyncio.sleep(0.02)
                await peer.write_all(b"fresh")
                assert await within(5, receiving) == b"fresh"
                await _wait_once(again, peer)

    run(main)


def test_close_from_another_thread_keeps_the_number_until_the_loop_lets_go(
    run: Any, fd_check: None
) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left:
            await _wait_once(right, left)
            number = right.fileno()
            seen: dict[str, Any] = {}

            def close_elsewhere() -> None:
                right.close()
                seen["open after close"] = is_open(number)
                try:
                    left.socket.recv(1, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    seen["shut down"] = False
                else:
                    seen["shut down"] = True

            # The loop's thread is blocked in join(): the loop cannot end the
            # registration before the other thread has looked.
            closer = threading.Thread(target=close_elsewhere)
            closer.start()
            closer.join(10)
            assert seen == {"open after close": True, "shut down": False}
            await _until_released(number)
            assert await within(5, left.recv(1)) == b""

    run(main)


def test_detach_elsewhere_with_a_kept_registration_hands_over_a_duplicate(
    run: Any, fd_check: None
) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left:
            await _wait_once(right, left)
            number = right.fileno()
            detached: list[int] = []
            closer = threading.Thread(target=lambda: detached.append(right.socket.detach()))
            closer.start()
            closer.join(10)
            assert detached and detached[0] != number
            with socket.socket(fileno=detached[0]) as handed:
                await _until_released(number)
                handed.sendall(b"still connected")
                assert await within(5, left.recv(100)) == b"still connected"

    run(main)


def test_a_waiter_woken_by_a_close_elsewhere_leaves_nothing_registered(
    run: Any, fd_check: None
) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left:
            receiving = asyncio.create_task(right.recv(10))
            await asyncio.sleep(0.02)
            closer = threading.Thread(target=right.close)
            closer.start()
            closer.join(10)
            with pytest.raises(SocketClosedError):
                await within(5, receiving)
            # Its number is free again, and a new socket on it waits normally.
            again, peer = AsyncSocket.pair()
            async with again, peer:
                await _wait_once(again, peer)

    run(main)


def test_a_socket_closed_after_its_loop_ended_releases_its_descriptor(fd_check: None) -> None:
    for kind in LOOPS:
        holder: list[AsyncSocket] = []

        async def main(holder: list[AsyncSocket] = holder) -> None:
            left, right = AsyncSocket.pair()
            holder.extend((left, right))
            await _wait_once(right, left)

        run_on(kind, main)  # the loop is closed with the registration still kept
        for sock in holder:
            sock.close()
            assert sock.fileno() == -1


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_write_all_after_a_partial_first_send_sends_each_byte_once(
    run: Any, kind: type, fd_check: None
) -> None:
    payload = random.Random(7).randbytes(3_000_000)

    async def main() -> None:
        left, right = AsyncSocket.pair()
        async with left, right:
            left.set_option(SocketOption.SNDBUF, 4096)  # the first send takes a part only
            sender = asyncio.create_task(left.write_all(kind(payload)))
            received = bytearray()
            while len(received) < len(payload):
                chunk = await within(10, right.recv(65536))
                assert chunk, "end of stream before the whole payload"
                received += chunk
            await within(10, sender)
            assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()

    run(main)
