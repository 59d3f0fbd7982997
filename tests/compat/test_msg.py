"""socket_sendmsg/recvmsg/cmsg_space and the iovec API: PHP's arrays, texts and deviations."""

from __future__ import annotations

import errno
import inspect
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import sockkit.compat as compat
from sockkit import SocketClosedError
from sockkit.compat import (
    AF_INET,
    AF_UNIX,
    IPPROTO_IPV6,
    IPV6_HOPLIMIT,
    IPV6_PKTINFO,
    IPV6_TCLASS,
    MSG_CTRUNC,
    MSG_DONTWAIT,
    MSG_TRUNC,
    SCM_CREDENTIALS,
    SCM_RIGHTS,
    SO_PASSCRED,
    SOCK_DGRAM,
    SOCK_STREAM,
    SOL_SOCKET,
    IOVec,
    Ref,
    Socket,
    socket_close,
    socket_cmsg_space,
    socket_create,
    socket_create_pair,
    socket_iovec_add,
    socket_iovec_alloc,
    socket_iovec_delete,
    socket_iovec_fetch,
    socket_iovec_free,
    socket_iovec_set,
    socket_last_error,
    socket_read,
    socket_readv,
    socket_recvmsg,
    socket_sendmsg,
    socket_set_nonblock,
    socket_set_option,
    socket_write,
    socket_writev,
)
from sockkit.compat._state import set_global_last_error

from .helpers import exact, no_warning, php_warning

RIGHTS = {"level": SOL_SOCKET, "type": SCM_RIGHTS}
IP_PKTINFO = 8  # Linux; Python 3.11's socket module lacks it
NOT_FD = "expected a Socket object or a stream resource"
DATA_1 = "msghdr > control > element #0 > data > element #1"
CMSG = "socket_cmsg_space(): Argument "

PHP_SIGNATURES = {
    "socket_sendmsg": ["socket", "message", "flags=0"],
    "socket_recvmsg": ["socket", "message", "flags=0"],
    "socket_cmsg_space": ["level", "type", "num=0"],
    "socket_iovec_alloc": ["count", "sizes"],
    "socket_iovec_fetch": ["iovec", "iovec_position"],
    "socket_iovec_set": ["iovec", "iovec_position", "new_val"],
    "socket_iovec_add": ["iovec", "iov_len"],
    "socket_iovec_delete": ["iovec", "iov_pos"],
    "socket_iovec_free": ["iovec"],
    "socket_readv": ["socket", "iovec"],
    "socket_writev": ["socket", "iovec"],
}


@pytest.mark.parametrize("name", sorted(PHP_SIGNATURES))
def test_signatures(name: str) -> None:
    function = getattr(compat, name)
    parameters = inspect.signature(function).parameters.values()
    shown = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in parameters
    ]
    assert shown == PHP_SIGNATURES[name]
    assert "PHP: ``" in (function.__doc__ or "") or "PHP 4: ``" in (function.__doc__ or "")
    assert name in compat.__all__


def _pair(kind: int = SOCK_STREAM) -> list[Socket]:
    pair: list[Socket] = []
    assert socket_create_pair(AF_UNIX, kind, 0, pair)
    return pair


@pytest.fixture
def dgram() -> Iterator[list[Socket]]:
    sockets = _pair(SOCK_DGRAM)
    yield sockets
    for sock in sockets:
        sock.close()


# --------------------------------------------------------------------- shapes


def test_iov_is_gathered_and_the_result_has_phps_keys(dgram: list[Socket]) -> None:
    assert socket_sendmsg(dgram[0], {"iov": ["ab", b"cd", bytearray(b"ef"), 7, None]}) == 7
    message: dict[str, object] = {"controllen": 1, "extra": "dropped"}
    assert socket_recvmsg(dgram[1], message) == 7
    assert message == {"name": None, "control": [], "iov": [b"abcdef7"], "flags": 0}
    assert list(message) == ["name", "control", "iov", "flags"]


def test_buffer_size_truncates_a_datagram(dgram: list[Socket]) -> None:
    socket_sendmsg(dgram[0], {"iov": ["hello world"]})
    message = {"controllen": 1, "buffer_size": 5}
    assert socket_recvmsg(dgram[1], message) == 5
    assert message["iov"] == [b"hello"]
    assert message["flags"] == MSG_TRUNC


def test_the_default_buffer_is_8192(dgram: list[Socket]) -> None:
    socket_sendmsg(dgram[0], {"iov": [b"x" * 10000]})
    message = {"controllen": 1}
    assert socket_recvmsg(dgram[1], message) == 8192


def test_a_ref_holding_the_array_works_too(dgram: list[Socket]) -> None:
    socket_sendmsg(dgram[0], {"iov": ["by ref"]})
    message = Ref({"controllen": 1})
    assert socket_recvmsg(dgram[1], message) == 6
    assert message.value["iov"] == [b"by ref"]


def test_end_of_stream_gives_an_empty_iov(pair: list[Socket]) -> None:
    pair[0].shutdown(1)
    message = {"controllen": 1}
    assert socket_recvmsg(pair[1], message) == 0
    assert message["iov"] == []


def test_names_of_unix_datagram_sockets(tmp_path: Path) -> None:
    one, two = (socket_create(AF_UNIX, SOCK_DGRAM, 0) for _ in range(2))
    assert isinstance(one, Socket) and isinstance(two, Socket)
    with one, two:
        one.bind(str(tmp_path / "one"))
        two.bind(str(tmp_path / "two"))
        target = {"path": str(tmp_path / "two")}
        assert socket_sendmsg(one, {"name": target, "iov": ["hi"]}) == 2
        message = {"name": [], "controllen": 1}
        socket_recvmsg(two, message)
        assert message["name"] == {"family": AF_UNIX, "path": str(tmp_path / "one")}


def test_abstract_names_are_passed_byte_for_byte() -> None:
    name = f"\0sockkit-test-{os.getpid()}"
    one, two = (socket_create(AF_UNIX, SOCK_DGRAM, 0) for _ in range(2))
    assert isinstance(one, Socket) and isinstance(two, Socket)
    with one, two:
        two.bind(name.encode())
        one.bind((name + "-sender").encode())
        assert socket_sendmsg(one, {"name": {"path": name}, "iov": ["abstract"]}) == 8
        message = {"name": [], "controllen": 1}
        socket_recvmsg(two, message)
        assert message["name"] == {"family": AF_UNIX, "path": name + "-sender"}


def test_udp_names_and_an_ipv4_name_on_an_ipv6_socket() -> None:
    server = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(server, Socket)
    with server:
        server.bind(("127.0.0.1", 0))
        port = server.local_address.port  # type: ignore[union-attr]
        client = socket_create(AF_INET, SOCK_DGRAM, 0)
        assert isinstance(client, Socket)
        with client:
            client.bind(("127.0.0.1", 0))
            assert socket_sendmsg(
                client, {"name": {"addr": "127.0.0.1", "port": port}, "iov": ["u"]}
            )
            message = {"name": [], "controllen": 1}
            socket_recvmsg(server, message)
            assert message["name"] == {
                "family": AF_INET,
                "addr": "127.0.0.1",
                "port": client.local_address.port,  # type: ignore[union-attr]
            }
        six = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        with Socket.from_stdlib(six) as dual:
            name = {"family": AF_INET, "addr": "127.0.0.1", "port": port}
            assert socket_sendmsg(dual, {"name": name, "iov": ["mapped"]}) == 6
            message = {"controllen": 1}
            socket_recvmsg(server, message)
            assert message["iov"] == [b"mapped"]


# --------------------------------------------------------------------- SCM_RIGHTS


def test_sockets_are_sent_as_given_not_shifted(pair: list[Socket], fd_guard: None) -> None:
    """Deviation: PHP 8.2 shifts Socket objects by one slot; compat sends them as given."""
    first, second = _pair(), _pair()
    try:
        control = [{**RIGHTS, "data": [first[1], second[1]]}]
        assert socket_sendmsg(pair[0], {"iov": ["two"], "control": control}) == 3
        message = {"controllen": socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2)}
        assert socket_recvmsg(pair[1], message) == 3
        [entry] = message["control"]  # type: ignore[misc]
        assert entry["level"] == SOL_SOCKET and entry["type"] == SCM_RIGHTS
        received = entry["data"]
        assert [type(item) for item in received] == [Socket, Socket]
        for peer, passed in zip((first[0], second[0]), received, strict=True):
            socket_write(peer, "via passed socket")
            assert socket_read(passed, 100) == b"via passed socket"
            passed.close()
    finally:
        for sock in first + second:
            sock.close()


def test_other_descriptors_arrive_as_file_objects(pair: list[Socket], tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.write_bytes(b"file data")
    read_end, write_end = os.pipe()
    with open(path, "rb") as readable, open(write_end, "wb", buffering=0) as writable:
        control = [{**RIGHTS, "data": [readable, writable]}]
        socket_sendmsg(pair[0], {"iov": ["f"], "control": control})
        message = {"controllen": socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2)}
        socket_recvmsg(pair[1], message)
        got_readable, got_writable = message["control"][0]["data"]  # type: ignore[index]
        with got_readable, got_writable:
            assert got_readable.mode == "rb" and got_readable.read() == b"file data"
            assert got_writable.mode == "wb"
            got_writable.write(b"to the pipe")
    with open(read_end, "rb") as pipe:
        assert pipe.read() == b"to the pipe"


def test_truncated_rights_are_closed_and_left_out(pair: list[Socket], fd_guard: None) -> None:
    """Deviation: PHP 8.2 hands over the descriptors that fit; compat closes them all."""
    passed = [_pair() for _ in range(3)]
    try:
        control = [{**RIGHTS, "data": [p[1] for p in passed]}]
        socket_sendmsg(pair[0], {"iov": ["three"], "control": control})
        message = {"controllen": socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1)}
        with no_warning():
            assert socket_recvmsg(pair[1], message) == 5
        assert message["control"] == []
        assert message["flags"] == MSG_CTRUNC
    finally:
        for p in passed:
            for sock in p:
                sock.close()


def test_a_native_conversion_error_closes_every_descriptor(fd_guard: None) -> None:
    """An IP_PKTINFO next to the rights cannot be converted: $message is false, nothing leaks."""
    server = socket_create(AF_INET, SOCK_DGRAM, 0)
    client = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(server, Socket) and isinstance(client, Socket)
    with server, client:
        server.bind(("127.0.0.1", 0))
        assert socket_set_option(server, socket.IPPROTO_IP, IP_PKTINFO, 1)
        client.sendto(b"x", server.local_address)
        message = Ref({"controllen": 100})
        text = (
            "socket_recvmsg(): error converting native data (path: msghdr > control > element #1"
            f" > data): cmsghdr with level {socket.IPPROTO_IP} and type {IP_PKTINFO} not"
            " supported"
        )
        with php_warning(text):
            assert socket_recvmsg(server, message) == 1
        assert message.value is False
        client.sendto(b"y", server.local_address)
        array = {"controllen": 100}
        with php_warning(text):
            socket_recvmsg(server, array)
        assert array == {}


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ([], "msghdr > control > element #0", "expected at least one element in this array"),
        (5, "msghdr > control > element #0", "expected an array here"),
        (
            [3],
            "msghdr > control > element #0 > data > element #1",
            "expected a Socket object or a stream resource",
        ),
        (
            ["x"],
            "msghdr > control > element #0 > data > element #1",
            "expected a Socket object or a stream resource",
        ),
    ],
)
def test_rights_conversion_errors(pair: list[Socket], data: object, path: str, reason: str) -> None:
    set_global_last_error(0)
    text = f"socket_sendmsg(): error converting user data (path: {path}): {reason}"
    with php_warning(text):
        assert socket_sendmsg(pair[0], {"control": [{**RIGHTS, "data": data}]}) is False
    assert socket_last_error() == 0 and socket_last_error(pair[0]) == 0


def test_rights_of_closed_things(pair: list[Socket], tmp_path: Path) -> None:
    closed = _pair()
    for sock in closed:
        sock.close()
    prefix = "socket_sendmsg(): error converting user data (path: msghdr > control > element #0"
    with php_warning(f"{prefix} > data > element #2): socket is already closed"):
        assert (
            socket_sendmsg(pair[0], {"control": [{**RIGHTS, "data": [pair[1], closed[0]]}]})
            is False
        )
    stale = open(tmp_path / "f", "wb")  # noqa: SIM115
    stale.close()
    with php_warning(f"{prefix} > data > element #1): resource is not a stream"):
        assert socket_sendmsg(pair[0], {"control": [{**RIGHTS, "data": [stale]}]}) is False
    with php_warning(f"{prefix}): cmsghdr should have a 'data' element here"):
        assert socket_sendmsg(pair[0], {"control": [RIGHTS]}) is False


# --------------------------------------------------------------------- SCM_CREDENTIALS


def test_credentials_round_trip(dgram: list[Socket]) -> None:
    assert socket_set_option(dgram[1], SOL_SOCKET, SO_PASSCRED, 1)
    me = {"pid": os.getpid(), "uid": os.getuid(), "gid": os.getgid()}
    control = [{"level": SOL_SOCKET, "type": SCM_CREDENTIALS, "data": me}]
    assert socket_sendmsg(dgram[0], {"iov": ["c"], "control": control}) == 1
    message = {"controllen": socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS)}
    socket_recvmsg(dgram[1], message)
    assert message["control"] == [{"level": SOL_SOCKET, "type": SCM_CREDENTIALS, "data": me}]


def test_missing_credentials_are_zero_and_the_kernel_refuses_them(dgram: list[Socket]) -> None:
    control = [{"level": SOL_SOCKET, "type": SCM_CREDENTIALS}]
    with php_warning("socket_sendmsg(): Error in sendmsg [3]: No such process"):
        assert socket_sendmsg(dgram[0], {"iov": ["c"], "control": control}) is False
    assert socket_last_error(dgram[0]) == errno.ESRCH == socket_last_error()


# --------------------------------------------------------------------- other conversions


@pytest.mark.parametrize(
    ("message", "path", "reason"),
    [
        ({"iov": 5}, "msghdr > iov", "expected an array here"),
        (
            {"control": [{"type": 1}]},
            "msghdr > control > element #0",
            "The key 'level' is required",
        ),
        (
            {"control": [{"level": 1}]},
            "msghdr > control > element #0",
            "The key 'type' is required",
        ),
        (
            {"control": [{"level": 1, "type": 999}]},
            "msghdr > control > element #0",
            "cmsghdr with level 1 and type 999 not supported",
        ),
        (
            {"control": [{"level": " 12abc", "type": 1}]},
            "msghdr > control > element #0 > level",
            "expected an integer, but got a non numeric string (possibly from a converted object):"
            " ' 12abc'",
        ),
        ({"name": {"path": ""}}, "msghdr > name > path", "the path is cannot be empty"),
        (
            {"name": {"path": "/tmp/a\0b"}},
            "msghdr > name > path",
            "the path must not contain null bytes after its first byte",
        ),
        (
            {"name": {"family": AF_INET}},
            "msghdr > name",
            "the specified family (number 2) is not supported on this socket",
        ),
        (
            {"name": {"family": 99}},
            "msghdr > name",
            "the only families currently supported are AF_INET, AF_INET6 and AF_UNIX",
        ),
    ],
)
def test_conversion_errors(
    dgram: list[Socket], message: dict[str, object], path: str, reason: str
) -> None:
    text = f"socket_sendmsg(): error converting user data (path: {path}): {reason}"
    with php_warning(text):
        assert socket_sendmsg(dgram[0], message) is False


def test_an_out_of_range_hop_limit_fails_as_the_kernel_does() -> None:
    sock = socket_create(compat.AF_INET6, SOCK_DGRAM, 0)
    assert isinstance(sock, Socket)
    with sock:
        control = [{"level": IPPROTO_IPV6, "type": IPV6_HOPLIMIT, "data": 300}]
        name = {"addr": "::1", "port": 9}
        with php_warning("socket_sendmsg(): Error in sendmsg [22]: Invalid argument"):
            assert socket_sendmsg(sock, {"name": name, "iov": ["x"], "control": control}) is False
        assert socket_last_error(sock) == errno.EINVAL


def test_argument_errors(dgram: list[Socket]) -> None:
    with pytest.raises(
        TypeError,
        match=exact("socket_sendmsg(): Argument #2 ($message) must be of type array, int given"),
    ):
        socket_sendmsg(dgram[0], 5)  # type: ignore[arg-type]
    with pytest.raises(
        ValueError,
        match=exact(
            "socket_recvmsg(): Argument #3 ($flags) must be between -2147483648 and 2147483647"
        ),
    ):
        socket_recvmsg(dgram[1], {"controllen": 1}, 2**40)
    with pytest.raises(
        TypeError,
        match=exact("socket_recvmsg(): Argument #2 ($message) could not be passed by reference"),
    ):
        socket_recvmsg(dgram[1], ())
    socket_close(dgram[0])
    with pytest.raises(
        SocketClosedError,
        match=exact("socket_sendmsg(): Argument #1 ($socket) has already been closed"),
    ):
        socket_sendmsg(dgram[0], {})


def test_recvmsg_request_errors(dgram: list[Socket]) -> None:
    cases = [
        ({}, "msghdr", "The key 'controllen' is required"),
        ({"controllen": 0}, "msghdr > controllen", "controllen cannot be 0"),
        (
            {"controllen": -1},
            "msghdr > controllen",
            "given PHP integer is out of bounds for an unsigned 32-bit integer",
        ),
        (
            {"controllen": None},
            "msghdr > controllen",
            "expected an integer, either of a PHP integer type or of a convertible type",
        ),
        (
            {"controllen": 1, "buffer_size": 200 * 1024 * 1024},
            "msghdr > buffer_size",
            "the buffer size must be between 1 and 104857600; given 209715200",
        ),
        ({"controllen": 1, "name": 5}, "msghdr > name", "expected an array here"),
    ]
    for request, path, reason in cases:
        text = f"socket_recvmsg(): error converting user data (path: {path}): {reason}"
        before = dict(request)
        with php_warning(text):
            assert socket_recvmsg(dgram[1], request) is False
        assert request == before  # left alone


def test_recvmsg_eagain_warns_and_records_only_the_threads_error(dgram: list[Socket]) -> None:
    socket_set_nonblock(dgram[1])
    text = "socket_recvmsg(): Error in recvmsg [11]: Resource temporarily unavailable"
    with php_warning(text):
        assert socket_recvmsg(dgram[1], {"controllen": 1}, MSG_DONTWAIT) is False
    assert socket_last_error() == errno.EAGAIN
    assert socket_last_error(dgram[1]) == 0


def test_sendmsg_failures_record_on_the_socket(dgram: list[Socket]) -> None:
    dgram[1].close()
    with php_warning("socket_sendmsg(): Error in sendmsg [111]: Connection refused"):
        assert socket_sendmsg(dgram[0], {"iov": ["x"]}) is False
    assert socket_last_error(dgram[0]) == errno.ECONNREFUSED == socket_last_error()


# --------------------------------------------------------------------- cmsg_space


def test_cmsg_space_values() -> None:
    assert [socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, n) for n in (0, 1, 3)] == [16, 24, 32]
    assert socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS, 99) == 32
    assert socket_cmsg_space(IPPROTO_IPV6, IPV6_PKTINFO) == 40
    assert socket_cmsg_space(IPPROTO_IPV6, IPV6_HOPLIMIT) == 24
    assert socket_cmsg_space(IPPROTO_IPV6, IPV6_TCLASS) == 24
    # Beyond what Python's CMSG_SPACE() takes, the number PHP gives.
    assert socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2**31 - 1) == 8589934608


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        ((SOL_SOCKET, 999), ValueError, "Pair level 1 and/or type 999 is not supported"),
        (
            (socket.IPPROTO_IP, IP_PKTINFO),
            ValueError,
            "Pair level 0 and/or type 8 is not supported",
        ),
        (
            (999, 1, -1),
            ValueError,
            "socket_cmsg_space(): Argument #3 ($num) must be greater than or equal to 0",
        ),
        (
            (2**40, 1),
            ValueError,
            "socket_cmsg_space(): Argument #1 ($level) must be between -2147483648 and 2147483647",
        ),
        (
            (1, 1, "two"),
            TypeError,
            "socket_cmsg_space(): Argument #3 ($num) must be of type int, string given",
        ),
    ],
)
def test_cmsg_space_errors(args: tuple[object, ...], error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=exact(text)):
        socket_cmsg_space(*args)  # type: ignore[arg-type]


# --------------------------------------------------------------------- the iovec API


def test_iovec_alloc_fetch_set_add_delete_free() -> None:
    iovec = socket_iovec_alloc(3, 2, 0, 4)
    assert isinstance(iovec, IOVec) and len(iovec) == 3
    assert [socket_iovec_fetch(iovec, n) for n in range(3)] == [b"\0\0", b"", b"\0" * 4]
    assert socket_iovec_set(iovec, 1, "a\0b") is True  # binary safe, takes the new length
    assert socket_iovec_fetch(iovec, 1) == b"a\0b"
    assert socket_iovec_add(iovec, 5) is True
    assert socket_iovec_fetch(iovec, 3) == bytes(5)
    assert socket_iovec_delete(iovec, 0) is True
    assert [socket_iovec_fetch(iovec, n) for n in range(3)] == [b"a\0b", bytes(4), bytes(5)]
    assert repr(iovec) == "IOVec(sizes=[3, 4, 5], nbytes=0)"
    assert socket_iovec_free(iovec) is True
    assert iovec.freed and repr(iovec) == "IOVec(freed)"
    with pytest.raises(
        ValueError, match=exact("socket_iovec_fetch(): Argument #1 ($iovec) has already been freed")
    ):
        socket_iovec_fetch(iovec, 0)
    with pytest.raises(ValueError, match="has already been freed"):
        socket_iovec_free(iovec)


def test_iovec_sizes_are_bounded_before_anything_is_allocated() -> None:
    # A size PHP 4 would have tried to allocate up to its memory limit: refused here,
    # before a bytearray of that size is made (25 GB in the example the fuzz found).
    with pytest.raises(
        ValueError,
        match=exact("socket_iovec_alloc(): Argument #2 ($sizes) must be between 0 and 104857600"),
    ):
        socket_iovec_alloc(True, 25285078861.0)  # type: ignore[arg-type]
    iovec = socket_iovec_alloc(1, 1)
    with pytest.raises(
        ValueError,
        match=exact("socket_iovec_add(): Argument #2 ($iov_len) must be between 0 and 104857600"),
    ):
        socket_iovec_add(iovec, 104857601)
    assert len(iovec) == 1


def test_iovec_positions_out_of_range_warn() -> None:
    iovec = socket_iovec_alloc(1, 1)
    with php_warning(
        "socket_iovec_fetch(): can't access a vector position past the amount of vectors set in"
        " the array"
    ):
        assert socket_iovec_fetch(iovec, 1) == b""
    with php_warning(
        "socket_iovec_set(): can't access a vector position outside of the vector array bounds"
    ):
        assert socket_iovec_set(iovec, -1, "x") is False
    with php_warning(
        "socket_iovec_delete(): can't delete an IO vector that is out of array bounds"
    ):
        assert socket_iovec_delete(iovec, 1) is False


def test_iovec_argument_errors() -> None:
    with pytest.raises(
        ValueError,
        match=exact(
            "socket_iovec_alloc(): Argument #1 ($count) must be the number of vector sizes"
            " given (1)"
        ),
    ):
        socket_iovec_alloc(2, 1)
    with pytest.raises(
        ValueError,
        match=exact(
            "socket_iovec_alloc(): Argument #3 ($sizes) must be greater than or equal to 0"
        ),
    ):
        socket_iovec_alloc(2, 1, -1)
    with pytest.raises(ValueError, match="must be greater than or equal to 0"):
        socket_iovec_add(socket_iovec_alloc(0), -1)
    with pytest.raises(
        TypeError,
        match=exact(
            "socket_iovec_fetch(): Argument #1 ($iovec) must be of type IOVec, array given"
        ),
    ):
        socket_iovec_fetch([], 0)  # type: ignore[arg-type]


def test_writev_gathers_and_readv_scatters(pair: list[Socket]) -> None:
    out = socket_iovec_alloc(2, 0, 0)
    socket_iovec_set(out, 0, "hello, ")
    socket_iovec_set(out, 1, b"world")
    assert socket_writev(pair[0], out) is True
    assert out.nbytes == 12
    into = socket_iovec_alloc(2, 5, 10)
    assert socket_readv(pair[1], into) is True
    assert into.nbytes == 12
    assert socket_iovec_fetch(into, 0) == b"hello"
    assert socket_iovec_fetch(into, 1) == b", world\0\0\0"


def test_readv_at_end_of_stream_and_failures(pair: list[Socket]) -> None:
    into = socket_iovec_alloc(1, 4)
    socket_set_nonblock(pair[1])
    with no_warning():
        assert socket_readv(pair[1], into) is False  # EAGAIN: recorded silently
    assert socket_last_error(pair[1]) == errno.EAGAIN
    pair[0].shutdown(1)
    assert socket_readv(pair[1], into) is True
    assert into.nbytes == 0
    pair[1].close()
    with php_warning("socket_writev(): Unable to write to socket [32]: Broken pipe"):
        assert socket_writev(pair[0], socket_iovec_alloc(1, 3)) is False
    assert socket_last_error(pair[0]) == errno.EPIPE
    with pytest.raises(
        SocketClosedError,
        match=exact("socket_readv(): Argument #1 ($socket) has already been closed"),
    ):
        socket_readv(pair[1], into)


def test_a_conversion_failure_after_rights_closes_them(pair: list[Socket], fd_guard: None) -> None:
    """Descriptors already wrapped, and those not yet, are closed when the array fails."""
    from sockkit.compat import msg  # noqa: PLC0415
    from sockkit.message import RawControl  # noqa: PLC0415

    passed = _pair()
    try:
        control = [{**RIGHTS, "data": [passed[1], passed[0]]}]
        socket_sendmsg(pair[0], {"iov": ["r"], "control": control})
        received = pair[1].recvmsg(1, socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2))
        received.control.append(RawControl(socket.IPPROTO_IP, IP_PKTINFO, bytes(12)))
        with pytest.raises(msg._ConversionError, match="not supported"):
            msg._to_array(msg._Ctx("socket_recvmsg", pair[1], native=True), received, False)
    finally:
        for sock in passed:
            sock.close()
