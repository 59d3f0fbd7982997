"""Peers that reset or close: ConnectionReset and BrokenPipe, never a hang or a wrong error."""

from __future__ import annotations

import errno
import time

import pytest

from sockkit import BrokenPipe, ConnectionReset, MsgFlag, Socket

from .helpers import Call, reset, tcp_pair

BIG = b"\xa5" * (64 << 20)  # more than any loopback socket buffer holds


def test_reset_while_blocked_in_recv() -> None:
    client, server = tcp_pair()
    with client:
        client.timeout = 5.0  # a bound, not the mechanism: RST must end the wait at once
        resetter = Call(lambda: reset(server), delay=0.1)
        resetter.start()
        with pytest.raises(ConnectionReset) as info:
            client.recv(1024)
        resetter.finish()
        assert resetter.error is None
        assert info.value.errno == errno.ECONNRESET
        assert info.value.operation == "recv"
        assert isinstance(info.value, ConnectionResetError)
        assert client.last_error == errno.ECONNRESET


def test_reset_mid_message_delivers_what_arrived_then_raises() -> None:
    client, server = tcp_pair()
    with client:
        server.write_all(b"x" * 100)
        assert client.recv(50, MsgFlag.WAITALL) == b"x" * 50  # the first half of the message
        reset(server)
        received = b""
        error: BaseException | None = None
        for _ in range(10):  # bounded: the reset shows within a few reads
            try:
                chunk = client.recv(100)
            except ConnectionReset as exc:
                error = exc
                break
            if not chunk:
                break
            received += chunk
        assert isinstance(error, ConnectionReset), f"no ConnectionReset, read {received!r}"
        # Nothing is invented or duplicated: at most the 50 bytes still queued.
        assert received in (b"", b"x" * 50)
        # After the reset the stream is over; writing is a broken pipe.
        with pytest.raises(BrokenPipe):
            client.send(b"after")


def test_reset_while_blocked_in_write_all() -> None:
    client, server = tcp_pair()
    with client:
        client.timeout = 10.0
        resetter = Call(lambda: reset(server), delay=0.1)
        resetter.start()
        with pytest.raises(ConnectionReset) as info:
            client.write_all(BIG)
        resetter.finish()
        assert info.value.errno == errno.ECONNRESET
        assert info.value.operation == "write_all"
        # Every later write: the pipe is broken (EPIPE), never a SIGPIPE.
        for _ in range(3):
            with pytest.raises(BrokenPipe):
                client.write(b"more")


def test_unix_peer_closes_while_we_write_a_large_buffer() -> None:
    left, right = Socket.pair()
    with left:
        left.timeout = 10.0
        closer = Call(right.close, delay=0.1)
        closer.start()
        with pytest.raises(BrokenPipe) as info:
            left.write_all(BIG)
        closer.finish()
        assert info.value.errno == errno.EPIPE
        assert isinstance(info.value, BrokenPipeError)
        assert left.last_error == errno.EPIPE


def test_tcp_peer_closes_while_we_write_a_large_buffer() -> None:
    # A TCP peer that closes with unread data sends RST (RFC 2525 2.17), so the write in
    # progress sees ECONNRESET; every write after it sees EPIPE.
    client, server = tcp_pair()
    with client:
        client.timeout = 10.0
        closer = Call(server.close, delay=0.1)
        closer.start()
        with pytest.raises((ConnectionReset, BrokenPipe)):
            client.write_all(BIG)
        closer.finish()
        with pytest.raises(BrokenPipe):
            client.write_all(b"after the close")


def test_tcp_peer_closed_cleanly_then_we_write() -> None:
    client, server = tcp_pair()
    with client:
        server.close()  # nothing unread: FIN, not RST
        assert client.recv(10) == b""  # end of stream first
        client.timeout = 5.0
        error: BaseException | None = None
        for _ in range(50):  # the first write provokes the peer's RST; a later one fails
            try:
                client.send(b"x" * 1000)
            except (BrokenPipe, ConnectionReset) as exc:
                error = exc
                break
            time.sleep(0.01)
        assert isinstance(error, (BrokenPipe, ConnectionReset))
