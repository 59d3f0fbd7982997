"""Fixtures for the compat tests: socket pairs and loopback servers that close themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sockkit.compat import (
    AF_INET,
    AF_UNIX,
    SOCK_STREAM,
    Socket,
    _state,
    socket_bind,
    socket_create,
    socket_create_pair,
    socket_listen,
)


@pytest.fixture(autouse=True)
def _clean_thread_state() -> Iterator[None]:
    """Every test starts with no last error in this thread."""
    _state.set_global_last_error(0)
    yield
    _state.set_global_last_error(0)


@pytest.fixture
def pair() -> Iterator[list[Socket]]:
    """A connected AF_UNIX stream pair, closed afterwards."""
    sockets: list[Socket] = []
    assert socket_create_pair(AF_UNIX, SOCK_STREAM, 0, sockets)
    yield sockets
    for sock in sockets:
        sock.close()


@pytest.fixture
def listener() -> Iterator[Socket]:
    """A TCP socket listening on 127.0.0.1 (ephemeral port), closed afterwards."""
    sock = socket_create(AF_INET, SOCK_STREAM, 0)
    assert isinstance(sock, Socket)
    assert socket_bind(sock, "127.0.0.1", 0)
    assert socket_listen(sock, 5)
    yield sock
    sock.close()
