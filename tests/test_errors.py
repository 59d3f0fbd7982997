"""Tests for sockkit.errors: the catalog, the exception classes and the converters."""

from __future__ import annotations

import builtins
import errno as errno_module
import os
import pickle
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import sockkit
from conftest import free_port
from sockkit import errors
from sockkit.errors import (
    CATALOG,
    EAI_MESSAGES,
    AddressInUse,
    ConnectionRefused,
    ErrorEntry,
    InProgress,
    LookupFailed,
    SocketClosedError,
    SocketError,
    SocketWarning,
    TimedOut,
    WouldBlock,
    by_errno,
    by_symbol,
    by_winsock,
    eai_message,
    from_errno,
    from_oserror,
    lookup_failed,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "php_socket_errors.txt"
REFERENCE_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "php82-constants.txt"
)

# The official Winsock error list (WSAE* and friends).
WINSOCK_CODES = {
    10004: "WSAEINTR",
    10009: "WSAEBADF",
    10013: "WSAEACCES",
    10014: "WSAEFAULT",
    10022: "WSAEINVAL",
    10024: "WSAEMFILE",
    10035: "WSAEWOULDBLOCK",
    10036: "WSAEINPROGRESS",
    10037: "WSAEALREADY",
    10038: "WSAENOTSOCK",
    10039: "WSAEDESTADDRREQ",
    10040: "WSAEMSGSIZE",
    10041: "WSAEPROTOTYPE",
    10042: "WSAENOPROTOOPT",
    10043: "WSAEPROTONOSUPPORT",
    10044: "WSAESOCKTNOSUPPORT",
    10045: "WSAEOPNOTSUPP",
    10046: "WSAEPFNOSUPPORT",
    10047: "WSAEAFNOSUPPORT",
    10048: "WSAEADDRINUSE",
    10049: "WSAEADDRNOTAVAIL",
    10050: "WSAENETDOWN",
    10051: "WSAENETUNREACH",
    10052: "WSAENETRESET",
    10053: "WSAECONNABORTED",
    10054: "WSAECONNRESET",
    10055: "WSAENOBUFS",
    10056: "WSAEISCONN",
    10057: "WSAENOTCONN",
    10058: "WSAESHUTDOWN",
    10059: "WSAETOOMANYREFS",
    10060: "WSAETIMEDOUT",
    10061: "WSAECONNREFUSED",
    10062: "WSAELOOP",
    10063: "WSAENAMETOOLONG",
    10064: "WSAEHOSTDOWN",
    10065: "WSAEHOSTUNREACH",
    10066: "WSAENOTEMPTY",
    10067: "WSAEPROCLIM",
    10068: "WSAEUSERS",
    10069: "WSAEDQUOT",
    10070: "WSAESTALE",
    10071: "WSAEREMOTE",
    10091: "WSASYSNOTREADY",
    10092: "WSAVERNOTSUPPORTED",
    10093: "WSANOTINITIALISED",
    10101: "WSAEDISCON",
    10102: "WSAENOMORE",
    10103: "WSAECANCELLED",
    10104: "WSAEINVALIDPROCTABLE",
    10105: "WSAEINVALIDPROVIDER",
    10106: "WSAEPROVIDERFAILEDINIT",
    10107: "WSASYSCALLFAILURE",
    10108: "WSASERVICE_NOT_FOUND",
    10109: "WSATYPE_NOT_FOUND",
    10110: "WSA_E_NO_MORE",
    10111: "WSA_E_CANCELLED",
    10112: "WSAEREFUSED",
    11001: "WSAHOST_NOT_FOUND",
    11002: "WSATRY_AGAIN",
    11003: "WSANO_RECOVERY",
    11004: "WSANO_DATA",
}

CATALOG_CLASSES = sorted({entry.exception for entry in CATALOG}, key=lambda cls: cls.__name__)


def _parse_php_errors(text: str) -> dict[str, int]:
    result: dict[str, int] = {}
    for line in text.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name.startswith("SOCKET_E"):
            result[name.removeprefix("SOCKET_")] = int(value)
    return result


def _check_php_names(php: dict[str, int]) -> None:
    assert php, "no SOCKET_E* constants found"
    symbols = {entry.symbol: entry for entry in CATALOG}
    missing = sorted(set(php) - set(symbols))
    assert not missing, f"PHP SOCKET_E* names without a catalog row: {missing}"
    if sys.platform.startswith("linux"):  # the PHP reference values are Linux's
        wrong = {name: (symbols[name].errno, value) for name, value in php.items()}
        wrong = {name: pair for name, pair in wrong.items() if pair[0] != pair[1]}
        assert not wrong, f"catalog errno differs from PHP's (catalog, php): {wrong}"


# --- the catalog ------------------------------------------------------------------------------


def test_php_socket_errors_fixture() -> None:
    php = _parse_php_errors(DATA_FILE.read_text(encoding="ascii"))
    assert len(php) == 101
    _check_php_names(php)


def test_php_socket_errors_shared_reference() -> None:
    if not REFERENCE_FILE.is_file():
        # The project's PHP notes sit beside the repository, not in it: a clone has none,
        # and tests/data/php_socket_errors.txt (checked above) is the copy it carries.
        pytest.skip("the project's PHP reference notes are not beside this checkout")
    reference = _parse_php_errors(REFERENCE_FILE.read_text(encoding="utf-8"))
    _check_php_names(reference)
    fixture = _parse_php_errors(DATA_FILE.read_text(encoding="ascii"))
    assert reference == fixture, "tests/data/php_socket_errors.txt is out of date"


def test_catalog_entries_are_error_entries() -> None:
    assert isinstance(CATALOG, tuple)
    assert all(isinstance(entry, ErrorEntry) for entry in CATALOG)


@pytest.mark.parametrize("entry", CATALOG, ids=lambda entry: entry.symbol)
def test_errno_matches_errno_module(entry: ErrorEntry) -> None:
    assert entry.errno == getattr(errno_module, entry.symbol, None)


def test_winsock_codes_complete() -> None:
    by_code: dict[int, set[str | None]] = {}
    for entry in CATALOG:
        if entry.winsock is not None:
            by_code.setdefault(entry.winsock, set()).add(entry.winsock_name)
    assert set(by_code) == set(WINSOCK_CODES)
    for code, name in WINSOCK_CODES.items():
        assert by_code[code] == {name}, code


def test_winsock_only_rows() -> None:
    for entry in CATALOG:
        if entry.symbol.startswith("WSA"):
            assert entry.winsock_name == entry.symbol
            if sys.platform != "win32":
                assert entry.errno is None
        elif entry.winsock is not None:
            assert entry.winsock_name == "WSA" + entry.symbol
        else:
            assert entry.winsock_name is None


def test_no_duplicate_symbols() -> None:
    symbols = [entry.symbol for entry in CATALOG]
    assert len(symbols) == len(set(symbols))


def test_descriptions_are_one_line() -> None:
    for entry in CATALOG:
        assert entry.description.strip()
        assert "\n" not in entry.description


def test_shared_classes_are_true_aliases() -> None:
    owners: dict[type[SocketError], list[ErrorEntry]] = {}
    for entry in CATALOG:
        owners.setdefault(entry.exception, []).append(entry)
    shared = {
        cls.__name__: sorted(e.symbol for e in rows)
        for cls, rows in owners.items()
        if len(rows) > 1
    }
    assert shared == {
        "WouldBlock": ["EAGAIN", "EWOULDBLOCK"],
        "NoMoreResults": ["WSAENOMORE", "WSA_E_NO_MORE"],
        "CallCancelled": ["WSAECANCELLED", "WSA_E_CANCELLED"],
    }


def test_every_row_has_a_documented_public_class() -> None:
    for entry in CATALOG:
        cls = entry.exception
        assert issubclass(cls, SocketError)
        assert cls is not SocketError
        assert cls.__name__ in errors.__all__
        assert getattr(errors, cls.__name__) is cls
        doc = cls.__doc__ or ""
        assert doc.strip() and "\n" not in doc.strip(), cls
        assert entry.symbol in doc, (cls, entry.symbol)


def test_generated_classes_are_up_to_date() -> None:
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, str(root / "tools" / "gen_errors.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_exports_every_public_name_of_its_modules() -> None:
    for module in (errors, sockkit.address, sockkit.socket, sockkit.options, sockkit.selector):
        for name in module.__all__:
            assert name in sockkit.__all__, name
            assert getattr(sockkit, name) is getattr(module, name), name
    assert len(sockkit.__all__) == len(set(sockkit.__all__))


def test_classes_name_the_public_module() -> None:
    assert AddressInUse.__module__ == "sockkit.errors"
    assert SocketError.__module__ == "sockkit.errors"
    assert pickle.loads(pickle.dumps(AddressInUse(98, "x", "bind"))).operation == "bind"


def test_class_names_do_not_shadow_builtins() -> None:
    for name in errors.__all__:
        assert not hasattr(builtins, name), name


def test_all_is_complete_and_resolvable() -> None:
    assert len(errors.__all__) == len(set(errors.__all__))
    for name in errors.__all__:
        assert hasattr(errors, name), name
    for name in ("SocketError", "SocketClosedError", "LookupFailed", "SocketWarning", "CATALOG"):
        assert name in errors.__all__


@pytest.mark.parametrize(
    "entry", [e for e in CATALOG if e.errno is not None], ids=lambda entry: entry.symbol
)
def test_class_subclasses_pep3151_builtin(entry: ErrorEntry) -> None:
    assert entry.errno is not None
    builtin = type(OSError(entry.errno, "x"))
    assert issubclass(entry.exception, builtin)
    assert issubclass(entry.exception, SocketError)
    # and no other PEP 3151 builtin sneaks in
    for base in entry.exception.__mro__:
        if base.__module__ == "builtins" and issubclass(base, OSError):
            assert issubclass(builtin, base), (entry.symbol, base)


def test_lookups() -> None:
    assert by_symbol("EADDRINUSE").exception is AddressInUse
    assert by_symbol("SOCKET_EWOULDBLOCK").exception is WouldBlock
    assert by_symbol("WSAEDISCON").winsock == 10101
    with pytest.raises(KeyError):
        by_symbol("ENOSUCHTHING")
    refused = by_errno(errno_module.ECONNREFUSED)
    assert refused is not None and refused.exception is ConnectionRefused
    assert by_errno(-12345) is None
    in_use = by_winsock(10048)
    assert in_use is not None and in_use.symbol == "EADDRINUSE"
    would_block = by_winsock(10035)
    assert would_block is not None and would_block.symbol == "EWOULDBLOCK"
    assert by_winsock(1) is None


# --- from_errno -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (errno_module.EADDRINUSE, AddressInUse),
        (errno_module.ECONNREFUSED, ConnectionRefused),
        (errno_module.EAGAIN, WouldBlock),
        (errno_module.EWOULDBLOCK, WouldBlock),
        (errno_module.EINPROGRESS, InProgress),
        (errno_module.ETIMEDOUT, TimedOut),
    ],
)
def test_from_errno_classes(code: int, cls: type[SocketError]) -> None:
    exc = from_errno(code, "op")
    assert type(exc) is cls
    assert exc.errno == code
    assert exc.strerror == os.strerror(code)
    assert exc.args == (code, exc.strerror)
    assert exc.operation == "op"
    assert exc.address is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux errno values")
def test_from_errno_linux_values() -> None:
    assert type(from_errno(11)) is WouldBlock
    assert type(from_errno(98)) is AddressInUse
    assert type(from_errno(10048)) is SocketError  # Winsock codes only map on Windows


def test_from_errno_every_row() -> None:
    for entry in CATALOG:
        if entry.errno is not None:
            assert type(from_errno(entry.errno)) is entry.exception, entry.symbol


def test_from_errno_unknown() -> None:
    exc = from_errno(99999, "recv")
    assert type(exc) is SocketError
    assert exc.errno == 99999
    assert exc.strerror


# --- str() ------------------------------------------------------------------------------------


class _Addr:
    def __str__(self) -> str:
        return "127.0.0.1:80"


def test_str_formats() -> None:
    exc = from_errno(errno_module.EACCES, "bind", _Addr())
    assert type(exc) is errors.PermissionDenied
    assert str(exc) == (
        f"bind(127.0.0.1:80) failed: [Errno {errno_module.EACCES}] Permission denied"
    )
    assert isinstance(exc, PermissionError)
    exact = SocketError(13, "Permission denied", "bind", ("127.0.0.1", 80))
    assert str(exact) == "bind(127.0.0.1:80) failed: [Errno 13] Permission denied"
    v6 = SocketError(13, "Permission denied", "bind", ("::1", 80, 0, 0))
    assert str(v6) == "bind([::1]:80) failed: [Errno 13] Permission denied"
    reset = SocketError(104, "Connection reset by peer", "recv")
    assert str(reset) == "recv() failed: [Errno 104] Connection reset by peer"
    bare = SocketError(104, "Connection reset by peer")
    assert str(bare) == "[Errno 104] Connection reset by peer"
    unix = SocketError(2, "No such file or directory", "connect", "/tmp/x.sock")
    assert str(unix) == "connect(/tmp/x.sock) failed: [Errno 2] No such file or directory"
    no_errno = SocketError(None, "something odd", "send")
    assert str(no_errno) == "send() failed: something odd"


def test_args_and_attributes() -> None:
    exc = SocketError(104, "Connection reset by peer", "recv", ("127.0.0.1", 5))
    assert exc.args == (104, "Connection reset by peer")
    assert exc.errno == 104
    assert exc.strerror == "Connection reset by peer"
    assert exc.filename is None
    assert exc.operation == "recv"
    assert exc.address == ("127.0.0.1", 5)


# --- pickle -----------------------------------------------------------------------------------


def test_pickle_round_trip() -> None:
    for original in [
        SocketError(104, "Connection reset by peer", "recv", ("127.0.0.1", 80)),
        from_errno(errno_module.ECONNREFUSED, "connect", ("127.0.0.1", 9)),
        from_errno(errno_module.EAGAIN, "recv"),
        from_errno(99999),
    ]:
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original)
        assert copy.args == original.args
        assert copy.errno == original.errno
        assert copy.strerror == original.strerror
        assert copy.operation == original.operation
        assert copy.address == original.address
        assert str(copy) == str(original)


def test_pickle_special_classes() -> None:
    closed = SocketClosedError("socket_write", message="custom text")
    copy = pickle.loads(pickle.dumps(closed))
    assert type(copy) is SocketClosedError
    assert str(copy) == "custom text"
    assert copy.operation == "socket_write"
    plain = pickle.loads(pickle.dumps(SocketClosedError("recv")))
    assert str(plain) == "recv() failed: socket is closed"

    lookup = LookupFailed(socket.EAI_NONAME, host="example", service=80)
    lcopy = pickle.loads(pickle.dumps(lookup))
    assert type(lcopy) is LookupFailed
    assert (lcopy.eai_code, lcopy.host, lcopy.service) == (socket.EAI_NONAME, "example", 80)
    assert str(lcopy) == str(lookup)


# --- SocketClosedError ------------------------------------------------------------------------


def test_socket_closed_error() -> None:
    exc = SocketClosedError("recv")
    assert isinstance(exc, SocketError)
    assert exc.errno == errno_module.EBADF
    assert str(exc) == "recv() failed: socket is closed"
    assert "Bad file descriptor" not in str(exc)
    assert str(SocketClosedError()) == "socket is closed"
    php = "socket_write(): Argument #1 ($socket) has already been closed"
    assert str(SocketClosedError("socket_write", message=php)) == php


# --- LookupFailed -----------------------------------------------------------------------------


def test_lookup_failed() -> None:
    exc = LookupFailed(socket.EAI_NONAME, host="example", service=80)
    assert isinstance(exc, socket.gaierror)
    assert isinstance(exc, SocketError)
    assert exc.eai_code == exc.errno == socket.EAI_NONAME
    assert exc.strerror == eai_message(socket.EAI_NONAME)
    assert exc.host == "example" and exc.service == 80
    if sys.platform.startswith("linux"):
        assert str(exc) == "getaddrinfo(example, 80) failed: [Errno -2] Name or service not known"
    helper = lookup_failed(socket.EAI_AGAIN, "h", None, "try later")
    assert str(helper) == f"getaddrinfo(h) failed: [Errno {socket.EAI_AGAIN}] try later"
    assert eai_message(123456) == "Unknown resolver error 123456"
    assert EAI_MESSAGES[socket.EAI_NONAME] == eai_message(socket.EAI_NONAME)


def test_from_oserror_real_gaierror() -> None:
    # AI_NUMERICHOST: the resolver never leaves the machine.
    with pytest.raises(socket.gaierror) as info:
        socket.getaddrinfo("not a host", None, flags=socket.AI_NUMERICHOST)
    exc = from_oserror(info.value, "getaddrinfo", ("not a host", None))
    assert type(exc) is LookupFailed
    assert isinstance(exc, socket.gaierror)
    assert exc.eai_code == info.value.errno == socket.EAI_NONAME
    assert exc.strerror == info.value.strerror
    assert exc.host == "not a host" and exc.service is None
    assert str(exc) == f"getaddrinfo(not a host) failed: [Errno {exc.errno}] {exc.strerror}"


# --- from_oserror on real failures ------------------------------------------------------------


def test_from_oserror_real_connection_refused() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(("127.0.0.1", port))
        except OSError as caught:
            original = caught
        else:  # pragma: no cover - something grabbed the port in between
            pytest.skip("port was taken between probe and connect")
    exc = from_oserror(original, "connect", ("127.0.0.1", port))
    assert type(exc) is ConnectionRefused
    assert isinstance(exc, ConnectionRefusedError)
    assert exc.errno == errno_module.ECONNREFUSED
    assert exc.strerror == original.strerror
    assert str(exc) == (
        f"connect(127.0.0.1:{port}) failed: [Errno {exc.errno}] {original.strerror}"
    )


def test_from_oserror_real_timeout() -> None:
    a, b = socket.socketpair()
    with a, b:
        a.settimeout(0.01)
        with pytest.raises(TimeoutError) as info:
            a.recv(1)
    assert info.value.errno is None
    exc = from_oserror(info.value, "recv")
    assert type(exc) is TimedOut
    assert exc.errno == errno_module.ETIMEDOUT
    assert exc.strerror == "timed out"
    assert str(exc) == f"recv() failed: [Errno {errno_module.ETIMEDOUT}] timed out"


def test_from_oserror_real_would_block() -> None:
    a, b = socket.socketpair()
    with a, b:
        a.setblocking(False)
        with pytest.raises(BlockingIOError) as info:
            a.recv(1)
    exc = from_oserror(info.value, "recv")
    assert type(exc) is WouldBlock


def test_from_oserror_passthrough_and_fallbacks() -> None:
    existing = SocketClosedError("recv")
    assert from_oserror(existing, "send") is existing
    plain = from_oserror(OSError(errno_module.ECONNRESET, "custom message"), "recv")
    assert type(plain) is errors.ConnectionReset
    assert plain.strerror == "custom message"
    no_errno = from_oserror(OSError("weird"), "send")
    assert type(no_errno) is SocketError
    assert no_errno.errno is None
    assert str(no_errno) == "send() failed: weird"
    os_timeout = from_oserror(OSError(errno_module.ETIMEDOUT, "Connection timed out"))
    assert type(os_timeout) is TimedOut


def test_from_oserror_chaining() -> None:
    a, b = socket.socketpair()
    with a, b, pytest.raises(TimedOut) as info:
        a.settimeout(0.01)
        try:
            a.recv(1)
        except OSError as e:
            raise from_oserror(e, "recv") from e
    assert isinstance(info.value.__cause__, TimeoutError)


# --- except clauses keep working --------------------------------------------------------------


def test_builtin_except_clauses() -> None:
    with pytest.raises(ConnectionRefusedError):
        raise from_errno(errno_module.ECONNREFUSED, "connect")
    with pytest.raises(BlockingIOError):
        raise from_errno(errno_module.EAGAIN, "recv")
    with pytest.raises(BlockingIOError):
        raise from_errno(errno_module.EINPROGRESS, "connect")
    with pytest.raises(TimeoutError):
        raise from_errno(errno_module.ETIMEDOUT, "connect")
    with pytest.raises(socket.timeout):
        raise TimedOut(errno_module.ETIMEDOUT, "timed out", "recv")
    with pytest.raises(BrokenPipeError):
        raise from_errno(errno_module.ESHUTDOWN, "send")
    with pytest.raises(OSError):
        raise from_errno(99999)
    with pytest.raises(socket.gaierror):
        raise LookupFailed(socket.EAI_NONAME)


def test_socket_warning() -> None:
    assert issubclass(SocketWarning, UserWarning)
    assert "E_WARNING" in (SocketWarning.__doc__ or "")
    with pytest.warns(SocketWarning, match="unable"):
        warnings.warn("unable to bind", SocketWarning, stacklevel=1)
