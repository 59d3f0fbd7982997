"""Bad arguments raise TypeError/ValueError naming the argument, before any system call.

Each is checked with the descriptor count around it: nothing is opened (or left
open) by a call refused for its arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import open_fds
from sockkit import AddressFamily, ReadMode, Socket, SocketOption, SocketType

BIG = 2**64  # beyond every C integer type


@pytest.fixture
def sock() -> Iterator[Socket]:
    left, right = Socket.pair()
    with left, right:
        yield right


CONSTRUCTION: dict[str, tuple[Callable[[], Any], str]] = {
    "negative family": (lambda: Socket(-1), "family"),
    "family beyond C int": (lambda: Socket(BIG), "family"),
    "type beyond C int": (lambda: Socket(AddressFamily.INET, BIG), "type"),
    "protocol beyond C int": (
        lambda: Socket(AddressFamily.INET, SocketType.STREAM, BIG),
        "protocol",
    ),
}


@pytest.mark.parametrize("case", list(CONSTRUCTION))
def test_construction_refuses_out_of_range_ints(case: str) -> None:
    call, argument = CONSTRUCTION[case]
    before = open_fds()
    with pytest.raises(ValueError, match=argument):
        call()
    assert open_fds() == before


def _set_timeout(sock: Socket, value: float) -> None:
    sock.timeout = value


CALLS: dict[str, tuple[Callable[[Socket], Any], type[Exception], str]] = {
    "recv length beyond C": (lambda s: s.recv(BIG), ValueError, "length"),
    "recv negative length": (lambda s: s.recv(-1), ValueError, "length"),
    "read length beyond C": (lambda s: s.read(BIG), ValueError, "length"),
    "read NORMAL length beyond C": (lambda s: s.read(BIG, ReadMode.NORMAL), ValueError, "length"),
    "recvfrom length beyond C": (lambda s: s.recvfrom(BIG), ValueError, "length"),
    "shutdown how beyond C": (lambda s: s.shutdown(BIG), ValueError, "how"),
    "timeout inf": (lambda s: _set_timeout(s, math.inf), ValueError, "timeout"),
    "timeout nan": (lambda s: _set_timeout(s, math.nan), ValueError, "timeout"),
    "timeout -inf": (lambda s: _set_timeout(s, -math.inf), ValueError, "timeout"),
    "RCVTIMEO inf": (
        lambda s: s.set_option(SocketOption.RCVTIMEO, math.inf),
        ValueError,
        "timeout",
    ),
    "RCVTIMEO nan": (
        lambda s: s.set_option(SocketOption.RCVTIMEO, math.nan),
        ValueError,
        "timeout",
    ),
    "sendfile None": (lambda s: s.sendfile(None), TypeError, "file"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", list(CALLS))
def test_calls_refuse_bad_arguments_by_name(sock: Socket, case: str) -> None:
    call, error, argument = CALLS[case]
    before = open_fds()
    with pytest.raises(error, match=argument):
        call(sock)
    assert open_fds() == before
    sock.timeout = 0.0  # the socket is intact and untouched: nothing was read
    assert sock.get_option(SocketOption.TYPE) == SocketType.STREAM
