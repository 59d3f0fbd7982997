"""Descriptor sharing between processes (sockkit._share), under Socket.share/from_share."""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Iterator

import pytest

from conftest import open_fds
from sockkit import _share
from sockkit.errors import FileNotFound, SocketError

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SO_PEERCRED hand-over is tested on Linux"
)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    before = open_fds()
    left, right = socket.socketpair()
    left.settimeout(10)
    right.settimeout(10)
    with left, right:
        yield left, right
    assert open_fds() == before, "descriptor leak"


def test_share_and_import_in_this_process(pair: tuple[socket.socket, socket.socket]) -> None:
    left, right = pair
    data = _share.share(left, os.getpid())
    assert isinstance(data, bytes)
    try:
        with _share.from_share(data) as imported:
            imported.settimeout(10)
            assert imported.family == socket.AF_UNIX
            imported.sendall(b"via the shared descriptor")
            assert right.recv(64) == b"via the shared descriptor"
        # One import per token.
        with pytest.raises(SocketError) as caught:
            _share.from_share(data)
        assert caught.value.errno == errno.EINVAL
    finally:
        assert _share.release_share(data) is True
    assert _share.release_share(data) is False
    left.sendall(b"x")  # the shared socket itself is still open here
    assert right.recv(1) == b"x"


def test_a_token_serves_its_target_process_only(pair: tuple[socket.socket, socket.socket]) -> None:
    data = _share.share(pair[0].fileno(), os.getppid())
    try:
        with pytest.raises(SocketError) as caught:
            _share.from_share(data)
        assert caught.value.errno == errno.EPERM
    finally:
        _share.release_share(data)


def test_nothing_serves_an_unknown_token() -> None:
    for data in (b"", b"nonsense", b"sockkit_share_1_2_0123456789abcdef"):
        with pytest.raises(FileNotFound):
            _share.from_share(data)


def test_no_such_process(pair: tuple[socket.socket, socket.socket]) -> None:
    with pytest.raises(SocketError) as caught:
        _share.share(pair[0], 2**31 - 1)
    assert caught.value.errno == errno.ESRCH


def test_argument_errors(pair: tuple[socket.socket, socket.socket]) -> None:
    with pytest.raises(TypeError, match="sock"):
        _share.share(None, os.getpid())  # type: ignore[arg-type]
    for pid in (0, -1, 2**70):
        with pytest.raises(ValueError, match="pid"):
            _share.share(pair[0], pid)
    with pytest.raises(TypeError, match="pid"):
        _share.share(pair[0], "1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data"):
        _share.from_share(123)  # type: ignore[arg-type]
