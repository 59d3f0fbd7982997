"""compat's hot functions inline the Socket methods: both paths must give the same results.

``socket_read`` (binary), ``socket_recv``, ``socket_write`` and ``socket_send`` call
the wrapped Python socket directly when their arguments pass a few type tests.  A
`Socket` subclass fails those tests (``type(socket) is Socket``) and takes the full
path, which calls the `Socket` methods; every scenario here runs both ways and
compares return values, by-reference results, warnings and last errors.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from conftest import open_fds
from sockkit import ReadMode, SocketOption
from sockkit.compat import (
    AF_UNIX,
    MSG_DONTWAIT,
    PHP_NORMAL_READ,
    SOCK_STREAM,
    Ref,
    Socket,
    socket_last_error,
    socket_read,
    socket_recv,
    socket_send,
    socket_set_nonblock,
    socket_write,
)
from sockkit.errors import SocketClosedError, SocketWarning


class FullPath(Socket):
    """A Socket that compat's type tests do not recognise: the full checks run."""


Scenario = Callable[[Socket, Socket], Any]


def _run(kind: type[Socket], scenario: Scenario) -> tuple[Any, list[str], tuple[int, ...]]:
    left, right = kind.pair(AF_UNIX, SOCK_STREAM)
    for sock in (left, right):
        # The kernel's own limit: a path that misreads fails instead of hanging.
        sock.set_option(SocketOption.RCVTIMEO, 5.0)
    with left, right, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = scenario(left, right)
        errors = left.last_error, right.last_error, socket_last_error()
    texts = [str(w.message) for w in caught if issubclass(w.category, SocketWarning)]
    return result, texts, errors


def _recv(sock: Socket, length: int, flags: int = 0) -> tuple[Any, Any]:
    ref = Ref("untouched")
    return socket_recv(sock, ref, length, flags), ref.value


def _write_then_read(left: Socket, right: Socket) -> Any:
    return socket_write(left, b"hello"), socket_read(right, 100)


def _write_part(left: Socket, right: Socket) -> Any:
    return socket_write(left, memoryview(b"hello"), 2), socket_read(right, 100)


def _write_more_than_data(left: Socket, right: Socket) -> Any:
    return socket_write(left, bytearray(b"hi"), 10), socket_read(right, 100)


def _send_part_then_recv(left: Socket, right: Socket) -> Any:
    return socket_send(left, b"hello", 3, MSG_DONTWAIT), _recv(right, 100)


def _read_nothing_nonblocking(left: Socket, right: Socket) -> Any:
    socket_set_nonblock(right)
    return socket_read(right, 100), _recv(right, 100, 0), _recv(right, 100, MSG_DONTWAIT)


def _read_at_end_of_stream(left: Socket, right: Socket) -> Any:
    socket_write(left, b"x")
    left.close()
    return socket_read(right, 100), socket_read(right, 100), _recv(right, 100)


def _write_to_a_closed_peer(left: Socket, right: Socket) -> Any:
    right.close()
    return socket_write(left, b"x"), socket_send(left, b"x", 1, 0)


def _read_after_a_reset(left: Socket, right: Socket) -> Any:
    # An AF_UNIX peer that closes with unread data resets the connection.
    socket_write(right, b"unread")
    time.sleep(0.01)
    left.close()
    return socket_read(right, 100), _recv(right, 100)


def _lines_then_binary(left: Socket, right: Socket) -> Any:
    # A NORMAL read keeps a look-ahead of what it peeked at; a binary read or a
    # socket_recv must drop it, or the next NORMAL read returns the wrong bytes.
    socket_write(left, b"a\nb\nc\nd\n")
    return [
        socket_read(right, 100, PHP_NORMAL_READ),
        _recv(right, 1),
        socket_read(right, 100, PHP_NORMAL_READ),
        socket_read(right, 1),
        socket_read(right, 100, PHP_NORMAL_READ),
        socket_read(right, 100, PHP_NORMAL_READ),
    ]


SCENARIOS: dict[str, Scenario] = {
    "write then read": _write_then_read,
    "write part of the data": _write_part,
    "write with a length beyond the data": _write_more_than_data,
    "send part, then recv": _send_part_then_recv,
    "nothing to read, non-blocking": _read_nothing_nonblocking,
    "end of stream": _read_at_end_of_stream,
    "write to a closed peer": _write_to_a_closed_peer,
    "read after a reset": _read_after_a_reset,
    "lines, then binary reads": _lines_then_binary,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_inline_path_gives_what_the_methods_give(name: str) -> None:
    before = open_fds()
    fast = _run(Socket, SCENARIOS[name])
    full = _run(FullPath, SCENARIOS[name])
    assert fast == full
    assert open_fds() == before


def test_the_scenarios_see_what_php_would() -> None:
    # Guard against two paths that agree on something wrong.
    assert _run(Socket, _lines_then_binary)[0] == [b"a\n", (1, b"b"), b"\n", b"c", b"\n", b"d\n"]
    result, texts, errors = _run(Socket, _write_to_a_closed_peer)
    assert result == (False, False)
    assert texts == [
        "socket_write(): unable to write to socket [32]: Broken pipe",
        "socket_send(): Unable to write to socket [32]: Broken pipe",
    ]
    assert errors == (32, 0, 32)
    result, texts, errors = _run(Socket, _read_nothing_nonblocking)
    assert result == (False, (False, None), (False, None))
    assert texts == []
    assert errors == (0, 11, 11)


@pytest.mark.parametrize("kind", [Socket, FullPath], ids=["inline", "full"])
@pytest.mark.parametrize(
    "call",
    [lambda sock: socket_read(sock, 100), lambda sock: socket_recv(sock, Ref(), 100, 0)],
    ids=["socket_read", "socket_recv"],
)
def test_closing_from_another_thread_wakes_a_blocked_call(
    kind: type[Socket], call: Callable[[Socket], Any]
) -> None:
    left, right = kind.pair(AF_UNIX, SOCK_STREAM)
    # The kernel's own limit, so that even a regression cannot hang the suite.
    right.set_option(SocketOption.RCVTIMEO, 10.0)
    outcome: list[BaseException | Any] = []

    def blocked() -> None:
        try:
            outcome.append(call(right))
        except BaseException as exc:
            outcome.append(exc)

    with left:
        thread = threading.Thread(target=blocked, daemon=True)
        thread.start()
        time.sleep(0.1)  # let it block
        assert thread.is_alive(), outcome
        closed_at = time.monotonic()
        right.close()
        thread.join(5.0)
        assert not thread.is_alive()
        assert time.monotonic() - closed_at < 1.0, "close() did not wake the blocked call"
    (error,) = outcome
    assert isinstance(error, SocketClosedError), error
    assert "has already been closed" in str(error)


def test_normal_reads_still_use_the_method() -> None:
    with Socket.pair() as (left, right):
        left.write_all(b"one\ntwo\n")
        assert socket_read(right, 100, PHP_NORMAL_READ) == b"one\n"
        assert right.read(100, ReadMode.NORMAL) == b"two\n"
