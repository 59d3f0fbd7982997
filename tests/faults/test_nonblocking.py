"""Waiting that cannot finish: WouldBlock at once, TimedOut on time, and full send buffers."""

from __future__ import annotations

import errno
import hashlib
import random
import time

import pytest

from sockkit import (
    Event,
    ReadMode,
    Selector,
    Socket,
    SocketOption,
    TimedOut,
    WouldBlock,
)

from .helpers import Call, tcp_pair


def test_accept_nonblocking_with_nothing_pending() -> None:
    with Socket.create_server(("127.0.0.1", 0)) as listener:
        listener.blocking = False
        for _ in range(3):  # and again: the listener stays usable
            with pytest.raises(WouldBlock) as info:
                listener.accept()
            assert info.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
            assert isinstance(info.value, BlockingIOError)
            assert info.value.operation == "accept"
        # A connection arriving later is accepted normally.
        with Socket() as client:
            client.connect(("127.0.0.1", listener.local_address.port))  # type: ignore[union-attr]
            assert Selector.wait(read=[listener], timeout=5.0).read == [listener]
            conn, peer = listener.accept()
            with conn:
                assert peer == client.local_address


def test_accept_with_timeout_and_nothing_pending() -> None:
    with Socket.create_server(("127.0.0.1", 0)) as listener:
        listener.timeout = 0.2
        start = time.monotonic()
        with pytest.raises(TimedOut) as info:
            listener.accept()
        elapsed = time.monotonic() - start
        assert 0.15 <= elapsed < 3.0
        assert isinstance(info.value, TimeoutError)


def test_recv_timeout_then_the_socket_still_works() -> None:
    left, right = Socket.pair()
    with left, right:
        right.timeout = 0.2
        start = time.monotonic()
        with pytest.raises(TimedOut) as info:
            right.recv(10)
        assert 0.15 <= time.monotonic() - start < 3.0
        assert info.value.operation == "recv"
        with pytest.raises(TimedOut):
            right.read(10, ReadMode.NORMAL)
        left.write_all(b"late line\nrest")
        assert right.read(100, ReadMode.NORMAL) == b"late line\n"
        assert right.recv(100) == b"rest"


def test_nonblocking_reads_with_nothing_to_read() -> None:
    left, right = Socket.pair()
    with left, right:
        right.blocking = False
        for call in (
            lambda: right.recv(10),
            lambda: right.recv_into(bytearray(10)),
            lambda: right.read(10),
            lambda: right.read(10, ReadMode.NORMAL),
            lambda: right.recvmsg(10),
        ):
            with pytest.raises(WouldBlock):
                call()
        assert right.last_error in (errno.EAGAIN, errno.EWOULDBLOCK)


def _fill_until_would_block(
    sock: Socket, rng: random.Random, sent: hashlib._Hash
) -> tuple[int, int, int]:
    """Write random chunks until the buffer is full; return (bytes, short writes, WouldBlocks)."""
    total = short = 0
    deadline = time.monotonic() + 10.0
    for _ in range(100_000):
        assert time.monotonic() < deadline, "the send buffer never filled"
        chunk = rng.randbytes(rng.randint(1, 65536))
        try:
            count = sock.write(chunk)
        except WouldBlock as exc:
            assert exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
            return total, short, 1
        assert 0 < count <= len(chunk)
        sent.update(chunk[:count])  # only what the kernel took counts as sent
        total += count
        short += count < len(chunk)
    raise AssertionError("write never raised WouldBlock")


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_full_send_buffer_loses_and_duplicates_nothing(kind: str) -> None:
    writer, reader = Socket.pair() if kind == "unix" else tcp_pair()
    with writer, reader:
        writer.set_option(SocketOption.SNDBUF, 16384)
        reader.set_option(SocketOption.RCVBUF, 16384)
        writer.blocking = False
        rng = random.Random(8)
        sent = hashlib.sha256()
        # 1. Fill the buffer with nobody reading: a short count, then WouldBlock.
        total, short, blocked = _fill_until_would_block(writer, rng, sent)
        assert short >= 1, "no write returned a short count"
        assert blocked == 1
        # Again at once: still WouldBlock, nothing taken.
        with pytest.raises(WouldBlock):
            writer.write(b"z" * 1000)
        # 2. A reader drains while the writer keeps hitting WouldBlock and retrying.
        target = total + (4 << 20)
        received = hashlib.sha256()

        def drain() -> int:
            got = 0
            buffer = bytearray(65536)
            reader.timeout = 10.0
            while got < target:
                count = reader.recv_into(buffer)
                assert count, "end of stream before every byte arrived"
                received.update(memoryview(buffer)[:count])
                got += count
            return got

        draining = Call(drain)
        draining.start()
        would_block = 0
        pending = b""
        deadline = time.monotonic() + 20.0
        while total < target:
            assert time.monotonic() < deadline, "writing 4 MiB took too long"
            if not pending:
                pending = rng.randbytes(min(rng.randint(1, 65536), target - total))
            try:
                count = writer.write(pending)
            except WouldBlock:
                would_block += 1
                Selector.wait(write=[writer], timeout=5.0)
                continue
            sent.update(pending[:count])
            total += count
            pending = pending[count:]
        draining.finish(20.0)
        assert draining.error is None, draining.error
        assert draining.result == total  # not one byte more or less ...
        assert received.hexdigest() == sent.hexdigest()  # ... and each in its place
        assert would_block >= 1


def test_write_all_on_a_nonblocking_socket_raises_would_block() -> None:
    left, right = Socket.pair()
    with left, right:
        left.blocking = False
        with pytest.raises(WouldBlock):
            left.write_all(b"x" * (64 << 20))
        # The selector agrees: not writable while full, readable on the other side.
        assert Selector.wait(read=[right], write=[left], timeout=0).read == [right]
        with Selector() as selector:
            selector.register(left, Event.WRITE)
            assert selector.select(timeout=0) == []
