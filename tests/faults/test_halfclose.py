"""Half-closed connections: what may still flow, and the typed error for what may not."""

from __future__ import annotations

import errno

import pytest

from sockkit import BrokenPipe, NotConnected, Shutdown, Socket

from .helpers import tcp_pair


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_send_after_our_own_write_shutdown(kind: str) -> None:
    left, right = Socket.pair() if kind == "unix" else tcp_pair()
    with left, right:
        left.shutdown(Shutdown.WRITE)
        for write in (
            lambda: left.send(b"x"),
            lambda: left.write(b"x"),
            lambda: left.write_all(b"x" * 100_000),
        ):
            with pytest.raises(BrokenPipe) as info:
                write()
            assert info.value.errno == errno.EPIPE
        # The other direction still works, and our peer saw end of stream.
        assert right.recv(10) == b""
        right.write_all(b"still flowing")
        assert left.recv(100) == b"still flowing"


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_peer_half_close_is_end_of_stream_not_an_error(kind: str) -> None:
    left, right = Socket.pair() if kind == "unix" else tcp_pair()
    with left, right:
        left.write_all(b"last words")
        left.shutdown(Shutdown.WRITE)
        assert right.recv(100) == b"last words"
        for _ in range(3):
            assert right.recv(100) == b""  # end of stream, every time
        right.write_all(b"reply")  # and we may still answer
        assert left.recv(100) == b"reply"


def test_shutdown_both_then_shutdown_again_and_unconnected_shutdown() -> None:
    left, right = Socket.pair()
    with left, right:
        left.shutdown(Shutdown.BOTH)
        assert left.recv(10) == b""
        with pytest.raises(BrokenPipe):
            left.send(b"x")
    with Socket() as unconnected:
        with pytest.raises(NotConnected) as info:
            unconnected.shutdown()
        assert info.value.errno == errno.ENOTCONN
