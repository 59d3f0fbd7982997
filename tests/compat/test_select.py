"""socket_select: PHP's semantics over Selector.wait, and working above FD_SETSIZE."""

from __future__ import annotations

import errno
import inspect
import resource
import threading
import time
from collections.abc import Iterator

import pytest

import sockkit.compat as compat
from sockkit.compat import (
    AF_INET,
    AF_UNIX,
    MSG_OOB,
    SOCK_STREAM,
    Socket,
    socket_close,
    socket_create,
    socket_create_pair,
    socket_last_error,
    socket_select,
    socket_send,
    socket_shutdown,
    socket_write,
    strict_types,
)

from .helpers import exact, no_warning, php_warning

FD_SETSIZE = 1024


def _pair() -> list[Socket]:
    pair: list[Socket] = []
    assert socket_create_pair(AF_UNIX, SOCK_STREAM, 0, pair)
    return pair


@pytest.fixture
def other() -> Iterator[list[Socket]]:
    """A second AF_UNIX stream pair."""
    sockets = _pair()
    yield sockets
    for sock in sockets:
        sock.close()


def test_signature_and_export() -> None:
    parameters = inspect.signature(socket_select).parameters.values()
    shown = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in parameters
    ]
    # PHP's names; ``except`` is a Python keyword, so ``except_``.
    assert shown == ["read", "write", "except_", "seconds", "microseconds=0"]
    assert "PHP: ``socket_select(" in (socket_select.__doc__ or "")
    assert "socket_select" in compat.__all__


def test_lists_are_filtered_in_place(pair: list[Socket], other: list[Socket]) -> None:
    socket_write(pair[0], "ping")
    read = [other[1], pair[1]]
    write = [pair[0], other[0]]
    with no_warning():
        assert socket_select(read, write, None, 0) == 3
    assert read == [pair[1]]
    assert write == [pair[0], other[0]]


def test_nothing_ready_empties_the_lists(pair: list[Socket]) -> None:
    read = [pair[1]]
    assert socket_select(read, None, None, 0) == 0
    assert read == []


def test_dicts_keep_the_keys_of_ready_sockets(pair: list[Socket], other: list[Socket]) -> None:
    socket_write(pair[0], "x")
    read = {"first": pair[1], "second": other[1], 7: pair[1]}
    write = {10: pair[0]}
    assert socket_select(read, write, {}, 0) == 2  # pair[1] counts once, as select() counts fds
    assert list(read) == ["first", 7]
    assert read["first"] is pair[1]
    assert write == {10: pair[0]}


def test_a_socket_in_two_sets_counts_twice(pair: list[Socket]) -> None:
    socket_write(pair[0], "x")
    read, write = [pair[1]], [pair[1]]
    assert socket_select(read, write, None, 0) == 2


def test_exceptional_reports_out_of_band_data(pair: list[Socket]) -> None:
    assert socket_send(pair[0], "!", 1, MSG_OOB) == 1
    except_ = {"oob": pair[1], "other": pair[0]}
    assert socket_select(None, None, except_, 0) == 1
    assert list(except_) == ["oob"]


def test_end_of_stream_is_readable(pair: list[Socket]) -> None:
    socket_shutdown(pair[0], 1)
    read = [pair[1]]
    assert socket_select(read, None, None, 1) == 1


def test_none_seconds_waits_until_ready(pair: list[Socket]) -> None:
    timer = threading.Timer(0.1, socket_write, (pair[0], "late"))
    timer.start()
    try:
        read = [pair[1]]
        started = time.monotonic()
        assert socket_select(read, None, None, None) == 1
        assert time.monotonic() - started >= 0.05
    finally:
        timer.join()


def test_microseconds_are_carried_into_seconds(pair: list[Socket]) -> None:
    read = [pair[1]]
    started = time.monotonic()
    assert socket_select(read, None, None, 0, 1_100_000) == 0
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 5.0
    # -1 s + 1.5 s is a valid timeval once normalised, as in PHP.
    read = [pair[1]]
    started = time.monotonic()
    assert socket_select(read, None, None, -1, 1_500_000) == 0
    assert 0.4 <= time.monotonic() - started < 5.0


@pytest.mark.parametrize(("seconds", "microseconds"), [(-1, 0), (0, -1), (-5, 999_999)])
def test_a_negative_timeout_is_einval(pair: list[Socket], seconds: int, microseconds: int) -> None:
    read = [pair[1]]
    with php_warning("socket_select(): Unable to select [22]: Invalid argument"):
        assert socket_select(read, None, None, seconds, microseconds) is False
    assert socket_last_error() == errno.EINVAL
    assert socket_last_error(pair[1]) == 0  # only the thread's last error
    assert read == [pair[1]]  # left alone


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            ([1], None, None),
            "Argument #1 ($read) must only have elements of type Socket, int given",
        ),
        (
            (None, ["x"], None),
            "Argument #2 ($write) must only have elements of type Socket, string given",
        ),
        (
            (None, None, [None]),
            "Argument #3 ($except) must only have elements of type Socket, null given",
        ),
        (
            ([1.5], None, None),
            "Argument #1 ($read) must only have elements of type Socket, float given",
        ),
        (
            ([True], None, None),
            "Argument #1 ($read) must only have elements of type Socket, bool given",
        ),
        (
            ([[1]], None, None),
            "Argument #1 ($read) must only have elements of type Socket, array given",
        ),
        ((5, None, None), "Argument #1 ($read) must be of type ?array, int given"),
        ((None, "x", None), "Argument #2 ($write) must be of type ?array, string given"),
        (((), None, None), "Argument #1 ($read) could not be passed by reference"),
    ],
)
def test_type_errors(arrays: tuple[object, object, object], message: str) -> None:
    with pytest.raises(TypeError, match=exact("socket_select(): " + message)):
        socket_select(*arrays, 0)  # type: ignore[arg-type]


def test_a_closed_socket_is_phps_type_error(pair: list[Socket]) -> None:
    closed = socket_create(AF_INET, SOCK_STREAM, 0)
    assert isinstance(closed, Socket)
    socket_close(closed)
    for position, name, arrays in [
        (1, "read", ([pair[0], closed], None, None)),
        (2, "write", ([pair[0]], [closed], None)),
        (3, "except", (None, None, {"k": closed})),
    ]:
        text = f"socket_select(): Argument #{position} (${name}) contains a closed socket"
        with pytest.raises(TypeError, match=exact(text)):
            socket_select(*arrays, 0)  # type: ignore[arg-type]


def test_a_socket_closed_between_waits_is_noticed(pair: list[Socket], other: list[Socket]) -> None:
    # The same list twice (Selector.wait caches its plan): a close in between still counts.
    read = [pair[1], other[1]]
    for _ in range(3):
        assert socket_select(list(read), None, None, 0) == 0
    socket_close(other[1])
    with pytest.raises(TypeError, match="contains a closed socket"):
        socket_select(list(read), None, None, 0)


@pytest.mark.parametrize("arrays", [(None, None, None), ([], [], []), ([], None, {})])
def test_no_sockets_at_all_is_a_value_error(arrays: tuple[object, object, object]) -> None:
    text = "socket_select(): At least one array argument must be passed"
    with pytest.raises(ValueError, match=exact(text)):
        socket_select(*arrays, 0)  # type: ignore[arg-type]


def test_seconds_and_microseconds_are_strict_ints_in_strict_mode(pair: list[Socket]) -> None:
    with (
        strict_types(True),
        pytest.raises(
            TypeError,
            match=exact(
                "socket_select(): Argument #4 ($seconds) must be of type ?int, string given"
            ),
        ),
    ):
        socket_select([pair[1]], None, None, "1")  # type: ignore[arg-type]
    with (
        strict_types(True),
        pytest.raises(
            TypeError,
            match=exact(
                "socket_select(): Argument #5 ($microseconds) must be of type int, float given"
            ),
        ),
    ):
        socket_select([pair[1]], None, None, 0, 0.5)  # type: ignore[arg-type]


def test_seconds_and_microseconds_are_coerced_as_php_does(pair: list[Socket]) -> None:
    socket_write(pair[0], "ping")
    for seconds, microseconds in [("0", 0), (0.0, "1000"), (False, " 5 "), ("1", 0.0)]:
        read = [pair[1]]
        with no_warning():
            assert socket_select(read, None, None, seconds, microseconds) == 1  # type: ignore[arg-type]
        assert read == [pair[1]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "socket_select() expects at least 4 arguments, 0 given"),
        (([], None, None), "socket_select() expects at least 4 arguments, 3 given"),
        (([], None, None, 0, 0, 1), "socket_select() expects at most 5 arguments, 6 given"),
    ],
)
def test_argument_counts_are_phps(arguments: tuple[object, ...], message: str) -> None:
    with pytest.raises(compat.ArgumentCountError, match=exact(message)):
        socket_select(*arguments)  # type: ignore[arg-type]


def test_works_above_fd_setsize() -> None:
    """PHP 8.2 fails for a descriptor >= FD_SETSIZE; compat polls any descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FD_SETSIZE + 200
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is below {wanted}")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    sockets: list[Socket] = []
    try:
        while not sockets or sockets[-1].fileno() < FD_SETSIZE + 10:
            sockets.extend(_pair())
        high = [sock for sock in sockets if sock.fileno() >= FD_SETSIZE]
        assert len(high) >= 2
        writer, reader = sockets[-2], sockets[-1]
        assert reader.fileno() > FD_SETSIZE
        socket_write(writer, "above FD_SETSIZE")
        read = {f"fd{sock.fileno()}": sock for sock in sockets[1::2]}
        write = [writer]
        assert socket_select(read, write, None, 1) == 2
        assert list(read) == [f"fd{reader.fileno()}"]
        assert write == [writer]
    finally:
        for sock in sockets:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
