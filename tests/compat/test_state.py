"""compat's plumbing: Ref, silenced(), per-thread last error, warnings, PHP conversions."""

from __future__ import annotations

import threading
import warnings

import pytest

from sockkit.compat import (
    AF_UNIX,
    SOCK_STREAM,
    Ref,
    silenced,
    socket_clear_error,
    socket_connect,
    socket_create,
    socket_last_error,
)
from sockkit.compat import _messages as M
from sockkit.compat._state import php_bool, php_int, php_string, php_type, strerror
from sockkit.errors import SocketWarning

from .helpers import exact, no_warning, php_warning


def test_ref_starts_empty_and_takes_a_value() -> None:
    ref = Ref()
    assert ref.value is None
    assert Ref(5).value == 5
    assert repr(Ref(b"x")) == "Ref(b'x')"


def test_warning_points_at_the_callers_line(tmp_path: object) -> None:
    sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
    assert sock is not False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            socket_connect(sock, "/nonexistent/dir/socket")
        assert len(caught) == 1
        assert caught[0].category is SocketWarning
        assert caught[0].filename == __file__
    finally:
        sock.close()


def test_silenced_records_but_does_not_warn() -> None:
    sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
    assert sock is not False
    try:
        with no_warning(), silenced():
            assert socket_connect(sock, "/nonexistent/dir/socket") is False
        assert socket_last_error(sock) == socket_last_error() == 2
        with php_warning("socket_connect(): unable to connect [2]: No such file or directory"):
            socket_connect(sock, "/nonexistent/dir/socket")
    finally:
        sock.close()


def test_silenced_is_per_thread() -> None:
    """Another thread's warnings still show while this thread is silenced."""
    seen: list[str] = []
    release = threading.Event()

    def other() -> None:
        sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
        assert sock is not False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            release.wait(5)
            socket_connect(sock, "/nonexistent/dir/socket")
        seen.extend(str(w.message) for w in caught)
        sock.close()

    with silenced():
        thread = threading.Thread(target=other)
        thread.start()
        release.set()
        thread.join(5)
    assert seen == ["socket_connect(): unable to connect [2]: No such file or directory"]


def test_last_error_is_per_thread() -> None:
    sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
    assert sock is not False
    results: list[int] = []
    try:
        with silenced():
            socket_connect(sock, "/nonexistent/dir/socket")
        thread = threading.Thread(target=lambda: results.append(socket_last_error()))
        thread.start()
        thread.join(5)
        assert results == [0]
        assert socket_last_error() == 2
        socket_clear_error()
        assert socket_last_error() == 0
        assert socket_last_error(sock) == 2
    finally:
        sock.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, 1),
        (False, 0),
        (None, 0),
        (7, 7),
        (2.7, 2),
        (-2.7, -2),
        (float("nan"), 0),
        (1e30, 0),
        ("1", 1),
        ("0", 0),
        ("a", 0),
        ("12abc", 12),
        (" 7", 7),
        ("7 ", 7),
        ("1e1", 10),
        ("0x10", 0),
        ("-3", -3),
        (".5", 0),
        (b"42", 42),
        ([1], 1),
        ([], 0),
        ({"a": 1}, 1),
    ],
)
def test_php_int(value: object, expected: int) -> None:
    assert php_int(value) == expected


def test_php_int_of_an_object_warns_and_is_one() -> None:
    with php_warning("Object of class object could not be converted to int"):
        assert php_int(object()) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", False),
        ("", False),
        ("a", True),
        ("0.0", True),
        (0, False),
        (3, True),
        (None, False),
        ([], False),
        ([0], True),
        (0.0, False),
        (b"0", False),
    ],
)
def test_php_bool(value: object, expected: bool) -> None:
    assert php_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lo", "lo"),
        (b"lo", "lo"),
        (1, "1"),
        (True, "1"),
        (False, ""),
        (None, ""),
        (1.5, "1.5"),
        (2.0, "2"),
        (1e100, "1.0E+100"),
        (0.1 + 0.2, "0.3"),
        (1e-5, "1.0E-5"),
        (-0.0, "-0"),
    ],
)
def test_php_string(value: object, expected: str) -> None:
    assert php_string(value) == expected


def test_php_string_of_an_array_warns() -> None:
    with php_warning(M.ARRAY_TO_STRING):
        assert php_string([1]) == "Array"


def test_php_string_of_an_object_is_a_type_error() -> None:
    with pytest.raises(
        TypeError, match=exact("Object of class object could not be converted to string")
    ):
        php_string(object())


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "bool"),
        (1, "int"),
        (1.0, "float"),
        ("s", "string"),
        (b"s", "string"),
        ([], "array"),
        ((), "array"),
        ({}, "array"),
        (object(), "object"),
    ],
)
def test_php_type(value: object, name: str) -> None:
    assert php_type(value) == name


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0, "Success"),
        (98, "Address already in use"),
        (10001, "Unknown error 10001"),
        (-1, "Unknown error -1"),
        (-10000, "Unknown error -10000"),
        (-10001, "Unknown host"),
        (-10002, "Host name lookup failure"),
        (-10003, "Unknown server error"),
        (-10004, "No address associated with name"),
        (-10005, "Unknown resolver error"),
        (-(2**40), "Unknown resolver error"),
        (2**40, f"Unknown error {2**40}"),
    ],
)
def test_strerror(code: int, text: str) -> None:
    assert strerror(code) == text
