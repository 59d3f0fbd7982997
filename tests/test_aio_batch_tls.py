"""AsyncSocket's batches and TLS: send_batch/recv_batch and start_tls, awaited.

Real peers only: UDP on 127.0.0.1 between two AsyncSockets, and asyncio's own TLS
server (``asyncio.start_server(ssl=...)``) on the other end of start_tls.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from typing import Any

import pytest
import trustme

from conftest import open_fds
from sockkit import AddressFamily, BusyError, Message, ReadMode, SocketClosedError, SocketType
from sockkit.aio import AsyncSocket
from test_aio import LOOPS, run_on


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture(scope="module")
def cert(ca: Any) -> Any:
    return ca.issue_cert("localhost", "127.0.0.1")


@pytest.fixture(autouse=True, scope="module")
def _loops_warmed_up() -> None:
    """uvloop keeps two descriptors from its first loop on: open it before any count."""

    async def nothing() -> None:
        pass

    for kind in LOOPS:
        run_on(kind, nothing)


async def udp_pair() -> tuple[AsyncSocket, AsyncSocket]:
    receiver = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
    sender = AsyncSocket(AddressFamily.INET, SocketType.DGRAM)
    receiver.bind(("127.0.0.1", 0))
    await sender.connect(receiver.local_address)
    return sender, receiver


@pytest.mark.parametrize("loop", LOOPS)
def test_batches_are_awaited_and_arrive_in_order(loop: str) -> None:
    async def main() -> None:
        sender, receiver = await udp_pair()
        with sender.socket, receiver.socket:
            waiting = asyncio.ensure_future(receiver.recv_batch(16, 2048))
            await asyncio.sleep(0.05)
            assert not waiting.done()  # nothing queued: it waits
            payloads = [b"datagram %d" % i for i in range(40)]
            sent = 0
            while sent < len(payloads):
                sent += await sender.send_batch(payloads[sent:])
            got = [m.data for m in await asyncio.wait_for(waiting, 5)]
            while len(got) < len(payloads):
                got += [m.data for m in await asyncio.wait_for(receiver.recv_batch(16, 2048), 5)]
            assert got == payloads
            assert all(isinstance(m, Message) for m in await _none_left(receiver))

    before = open_fds()
    run_on(loop, main)
    assert open_fds() == before


async def _none_left(receiver: AsyncSocket) -> list[Message]:
    try:
        return await asyncio.wait_for(receiver.recv_batch(4, 64), 0.05)
    except asyncio.TimeoutError:
        return []


@pytest.mark.parametrize("loop", LOOPS)
def test_a_second_batch_receiver_is_busy_and_close_wakes_the_first(loop: str) -> None:
    async def main() -> None:
        sender, receiver = await udp_pair()
        with sender.socket:
            first = asyncio.ensure_future(receiver.recv_batch(8, 2048))
            await asyncio.sleep(0.05)
            with pytest.raises(BusyError):
                await receiver.recv_batch(8, 2048)
            closer = threading.Thread(target=receiver.close)  # from another thread
            closer.start()
            with pytest.raises(SocketClosedError):
                await asyncio.wait_for(first, 5)
            closer.join(5)  # the count below must not race the closing thread
            assert not closer.is_alive()

    before = open_fds()
    run_on(loop, main)
    assert open_fds() == before


@pytest.mark.parametrize("loop", LOOPS)
def test_start_tls_against_asyncio_tls_server(loop: str, ca: Any, cert: Any) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)

    async def main() -> None:
        handlers_done = asyncio.Event()

        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while line := await reader.readline():
                    writer.write(b"echo " + line)
                    await writer.drain()
            finally:
                writer.close()
                with contextlib.suppress(OSError, ssl.SSLError):
                    await writer.wait_closed()  # the transport is closed before the loop is
                handlers_done.set()

        server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        try:
            plain = await AsyncSocket.create_connection(("127.0.0.1", port), timeout=5)
            tls = await plain.start_tls(client_context, server_hostname="localhost")
            try:
                assert tls.version in ("TLSv1.2", "TLSv1.3")
                for word in (b"one", b"two"):
                    await tls.write_all(word + b"\n")
                    assert await tls.read(100, ReadMode.NORMAL) == b"echo " + word + b"\n"
            finally:
                await tls.aclose()
            await asyncio.wait_for(handlers_done.wait(), 5)
        finally:
            server.close()
            await server.wait_closed()

    before = open_fds()
    run_on(loop, main)
    assert open_fds() == before


@pytest.mark.parametrize("loop", LOOPS)
def test_a_failed_async_handshake_closes_the_socket(loop: str, cert: Any) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    stranger = ssl.create_default_context()  # trusts no test CA

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: w.close(), "127.0.0.1", 0, ssl=server_context
        )
        port = server.sockets[0].getsockname()[1]
        try:
            plain = await AsyncSocket.create_connection(("127.0.0.1", port), timeout=5)
            with pytest.raises(ssl.SSLCertVerificationError):
                await plain.start_tls(stranger, server_hostname="localhost")
            assert plain.socket.closed
        finally:
            server.close()
            await server.wait_closed()

    before = open_fds()
    run_on(loop, main)
    assert open_fds() == before
