"""TLSSocket and AsyncTLSSocket against real peers: Python's ssl, openssl s_server/s_client.

Certificates are made in the run (trustme).  Everything is on 127.0.0.1 / ::1 with bounded
timeouts; every failure path counts /proc/self/fd before and after.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from sockkit import (
    CertificateVerifyError,
    ReadMode,
    Selector,
    Socket,
    SocketClosedError,
    SocketError,
    SocketType,
    TimedOut,
    TLSError,
    TLSHandshakeError,
    TLSRaggedEOF,
    WouldBlock,
)
from sockkit.aio import AsyncSocket, BusyError
from sockkit.tls import AsyncTLSSocket

TIMEOUT = 20.0
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl command not installed")

# X509_V_ERR_* codes (OpenSSL's x509_vfy.h)
CERT_HAS_EXPIRED = 10
UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
HOSTNAME_MISMATCH = 62


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture(scope="module")
def cert(ca: Any) -> Any:
    return ca.issue_cert("localhost", "127.0.0.1", "::1")


def server_context(cert: Any, **versions: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    for name, value in versions.items():
        setattr(context, name, value)
    return context


def client_context(ca: Any, **versions: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    for name, value in versions.items():
        setattr(context, name, value)
    return context


class Peer:
    """A function run in a thread with a result and its exception, joined with a bound."""

    def __init__(self, target: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.result = target()
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self) -> Any:
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "peer thread did not finish"
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def listener() -> Iterator[Socket]:
    with Socket.create_server(("127.0.0.1", 0)) as sock:
        sock.timeout = TIMEOUT
        yield sock


def port_of(sock: Socket) -> int:
    address = sock.local_address
    assert address is not None
    return int(address[1])


def connect(port: int, host: str = "127.0.0.1") -> Socket:
    return Socket.create_connection((host, port), timeout=TIMEOUT)


def stdlib_echo_server(listener: Socket, context: ssl.SSLContext) -> Peer:
    """A Python ssl server: answers each line with the line, until end of stream."""

    def serve() -> dict[str, Any]:
        conn, _ = listener.accept()
        with context.wrap_socket(conn.to_stdlib(), server_side=True) as tls:
            facts = {"version": tls.version(), "alpn": tls.selected_alpn_protocol()}
            facts["peer"] = tls.getpeercert()
            with tls.makefile("rwb") as file:
                for line in file:
                    file.write(line)
                    file.flush()
            return facts

    return Peer(serve)


# ---------------------------------------------------------------------- Python's ssl as peer


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_client_against_python_server(ca: Any, cert: Any, listener: Socket, version: Any) -> None:
    server = stdlib_echo_server(
        listener, server_context(cert, minimum_version=version, maximum_version=version)
    )
    with connect(port_of(listener)).start_tls(
        client_context(ca), server_hostname="localhost"
    ) as tls:
        assert tls.version == {"TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3"}[version.name]
        _name, protocol, bits = tls.cipher  # type: ignore[misc]
        assert protocol == tls.version and bits >= 128
        assert tls.peer_certificate is not None and tls.peer_certificate["subjectAltName"]
        tls.write_all(b"one\ntwo\r\nthree\n")
        assert tls.read(100, ReadMode.NORMAL) == b"one\n"
        assert tls.read(100, ReadMode.NORMAL) == b"two\r"
        assert tls.read(100, ReadMode.NORMAL) == b"\n"
        assert tls.read(3, ReadMode.NORMAL) == b"thr"
        assert tls.read(100, ReadMode.NORMAL) == b"ee\n"
    assert server.join()["version"] == tls.version


def test_server_side_with_python_client_over_ipv6(ca: Any, cert: Any) -> None:
    with Socket.create_server(("::1", 0)) as listener:
        listener.timeout = TIMEOUT
        port = port_of(listener)

        def client() -> bytes:
            context = client_context(ca)
            raw = socket.create_connection(("::1", port), timeout=TIMEOUT)
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"ping\n")
                return tls.recv(100)

        peer = Peer(client)
        conn, _ = listener.accept()
        with conn.start_tls(server_context(cert), server_side=True) as tls:
            assert tls.peer_certificate is None  # the client sent none
            assert "[::1]" in repr(tls.peer_address) or tls.peer_address is not None
            line = tls.read(100, ReadMode.NORMAL)
            tls.write_all(b"pong:" + line)
        assert peer.join() == b"pong:ping\n"


def test_alpn(ca: Any, cert: Any, listener: Socket) -> None:
    server_ctx = server_context(cert)
    server_ctx.set_alpn_protocols(["sockkit/1", "http/1.1"])
    server = stdlib_echo_server(listener, server_ctx)
    client_ctx = client_context(ca)
    client_ctx.set_alpn_protocols(["h2", "sockkit/1"])
    with connect(port_of(listener)).start_tls(client_ctx, server_hostname="localhost") as tls:
        assert tls.alpn_protocol == "sockkit/1"
        tls.write_all(b"x\n")
        assert tls.read(10, ReadMode.NORMAL) == b"x\n"
    assert server.join()["alpn"] == "sockkit/1"


def test_client_certificate(ca: Any, cert: Any, listener: Socket) -> None:
    server_ctx = server_context(cert)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(server_ctx)
    server = stdlib_echo_server(listener, server_ctx)
    client_ctx = client_context(ca)
    ca.issue_cert("client@sockkit.test").configure_cert(client_ctx)
    with connect(port_of(listener)).start_tls(client_ctx, server_hostname="localhost") as tls:
        tls.write_all(b"hi\n")
        assert tls.read(10, ReadMode.NORMAL) == b"hi\n"
    peer_cert = server.join()["peer"]
    assert ("email", "client@sockkit.test") in peer_cert["subjectAltName"]


def test_missing_client_certificate_fails_the_server_handshake(
    ca: Any, cert: Any, listener: Socket
) -> None:
    port = port_of(listener)
    before = open_fds()

    def client() -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        # TLS 1.3: the server's verdict arrives after the client's handshake.
        with (
            client_context(ca).wrap_socket(raw, server_hostname="localhost") as tls,
            contextlib.suppress(ssl.SSLError, OSError),
        ):
            tls.recv(10)

    peer = Peer(client)
    server_ctx = server_context(cert)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(server_ctx)
    conn, _ = listener.accept()
    with pytest.raises(TLSHandshakeError) as info:
        conn.start_tls(server_ctx, server_side=True)
    assert info.value.operation == "handshake"
    assert conn.closed
    peer.join()
    assert open_fds() == before


# ---------------------------------------------------------------------- certificate failures


def failing_client(
    listener: Socket, server_cert: Any, client_ctx: ssl.SSLContext, hostname: str
) -> CertificateVerifyError:
    port = port_of(listener)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, pytest.raises(TLSHandshakeError):
            conn.start_tls(server_context(server_cert), server_side=True)

    before = open_fds()
    peer = Peer(serve)
    sock = connect(port)
    with pytest.raises(CertificateVerifyError) as info:
        sock.start_tls(client_ctx, server_hostname=hostname)
    assert sock.closed and sock.fileno() == -1
    peer.join()
    assert open_fds() == before
    error = info.value
    assert isinstance(error, ssl.SSLCertVerificationError) and isinstance(error, SocketError)
    assert error.operation == "handshake"
    assert str(error).startswith(f"handshake(127.0.0.1:{port}) failed: certificate verify failed")
    return error


def test_expired_certificate(ca: Any, listener: Socket) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    expired = ca.issue_cert(
        "localhost",
        not_before=now - datetime.timedelta(days=30),
        not_after=now - datetime.timedelta(days=1),
    )
    error = failing_client(listener, expired, client_context(ca), "localhost")
    assert error.verify_code == CERT_HAS_EXPIRED
    assert error.verify_message == "certificate has expired"


def test_wrong_host(ca: Any, cert: Any, listener: Socket) -> None:
    error = failing_client(listener, cert, client_context(ca), "wrong.sockkit.test")
    assert error.verify_code == HOSTNAME_MISMATCH
    assert "wrong.sockkit.test" in error.verify_message


def test_unknown_ca(cert: Any, listener: Socket) -> None:
    error = failing_client(listener, cert, client_context(trustme.CA()), "localhost")
    assert error.verify_code == UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    assert "issuer" in error.verify_message


# ---------------------------------------------------------------------- broken peers


def test_peer_resets_mid_handshake(ca: Any, listener: Socket) -> None:
    def reset() -> bytes:
        conn, _ = listener.accept()
        hello = conn.recv(5)  # the ClientHello's record header: the handshake is under way
        conn.to_stdlib().setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        conn.close()  # with SO_LINGER 0: an RST
        return hello

    before = open_fds()
    peer = Peer(reset)
    sock = connect(port_of(listener))
    with pytest.raises(TLSHandshakeError) as info:
        sock.start_tls(client_context(ca), server_hostname="localhost")
    assert isinstance(info.value, ConnectionError) is False
    assert "reset" in str(info.value).lower() or "closed" in str(info.value).lower()
    assert sock.closed
    assert peer.join()[:1] == b"\x16"  # a handshake record
    assert open_fds() == before


def test_peer_closes_mid_handshake(ca: Any, listener: Socket) -> None:
    def hang_up() -> None:
        conn, _ = listener.accept()
        header = conn.recv(5, socket.MSG_WAITALL)
        conn.recv(int.from_bytes(header[3:5], "big"), socket.MSG_WAITALL)
        conn.close()  # all of the ClientHello read: a FIN, not an RST

    before = open_fds()
    peer = Peer(hang_up)
    sock = connect(port_of(listener))
    with pytest.raises(TLSHandshakeError, match="closed the connection during the handshake"):
        sock.start_tls(client_context(ca), server_hostname="localhost")
    assert sock.closed
    peer.join()
    assert open_fds() == before


def test_handshake_timeout_closes_the_socket(ca: Any, listener: Socket) -> None:
    sock = connect(port_of(listener))
    conn, _ = listener.accept()  # accepted, never answers
    with conn:
        sock.timeout = 0.3
        before = open_fds()
        started = time.monotonic()
        with pytest.raises(TimedOut):
            sock.start_tls(client_context(ca), server_hostname="localhost")
        assert time.monotonic() - started < 5
        assert sock.closed and open_fds() == before - 1


def test_plaintext_peer_is_a_handshake_error(ca: Any, listener: Socket) -> None:
    def http() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n")

    peer = Peer(http)
    sock = connect(port_of(listener))
    with pytest.raises(TLSHandshakeError) as info:
        sock.start_tls(client_context(ca), server_hostname="localhost")
    assert info.value.reason == "WRONG_VERSION_NUMBER"
    assert sock.closed
    peer.join()


@pytest.mark.parametrize("suppress", [False, True])
@pytest.mark.parametrize("our_side", ["client", "server"])
def test_ragged_eof(ca: Any, cert: Any, listener: Socket, suppress: bool, our_side: str) -> None:
    """The stdlib's SSLSocket.close() sends no close_notify: a ragged end of stream."""
    port = port_of(listener)

    def stdlib_peer() -> None:
        if our_side == "client":
            conn, _ = listener.accept()
            tls = server_context(cert).wrap_socket(conn.to_stdlib(), server_side=True)
        else:
            raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            tls = client_context(ca).wrap_socket(raw, server_hostname="localhost")
        assert tls.recv(3) == b"go\n"  # all the handshake's messages are in: no RST
        tls.sendall(b"partial line")
        tls.close()

    peer = Peer(stdlib_peer)
    if our_side == "client":
        tls = connect(port).start_tls(
            client_context(ca), server_hostname="localhost", suppress_ragged_eofs=suppress
        )
    else:
        conn, _ = listener.accept()
        tls = conn.start_tls(server_context(cert), server_side=True, suppress_ragged_eofs=suppress)
    with tls:
        tls.write_all(b"go\n")
        assert tls.read(100, ReadMode.NORMAL) == b"partial line"
        if suppress:
            assert tls.read(100, ReadMode.NORMAL) == b""
            assert tls.recv(100) == b""
        else:
            with pytest.raises(TLSRaggedEOF) as info:
                tls.read(100, ReadMode.NORMAL)
            assert info.value.operation == "read"
            assert isinstance(info.value, ssl.SSLEOFError)
            with pytest.raises(TLSRaggedEOF):
                tls.recv(100)
    peer.join()


def test_close_sends_close_notify(ca: Any, cert: Any, listener: Socket) -> None:
    """The other way: the stdlib peer, strict about ragged EOFs, sees a clean end."""
    port = port_of(listener)

    def strict_client() -> bytes:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        with client_context(ca).wrap_socket(
            raw, server_hostname="localhost", suppress_ragged_eofs=False
        ) as tls:
            data = b""
            while chunk := tls.recv(100):
                data += chunk
            return data

    peer = Peer(strict_client)
    conn, _ = listener.accept()
    tls = conn.start_tls(server_context(cert), server_side=True)
    tls.write_all(b"bye")
    tls.close()
    tls.close()
    assert conn.closed and tls.closed and tls.fileno() == -1
    assert peer.join() == b"bye"
    with pytest.raises(SocketClosedError):
        tls.recv(1)


# ---------------------------------------------------------------------- STARTTLS


def starttls_server(listener: Socket, context: ssl.SSLContext) -> Peer:
    """A stdlib line server: greeting, STARTTLS, echo over TLS, STOPTLS, plaintext again."""

    def serve() -> list[bytes]:
        conn, _ = listener.accept()
        seen = []
        with conn.to_stdlib() as raw, raw.makefile("rwb", buffering=0) as plain:
            plain.write(b"220 sockkit test ready\r\n")
            seen.append(plain.readline())  # STARTTLS (one line: nothing read past it)
            raw.sendall(b"220 go ahead\r\n")
            tls = context.wrap_socket(raw, server_side=True)
            with tls.makefile("rwb") as lines:
                for line in lines:
                    seen.append(line)
                    if line == b"STOPTLS\r\n":
                        lines.write(b"200 back to plaintext\r\n")
                        lines.flush()
                        break
                    lines.write(b"250 " + line)
                    lines.flush()
            with tls.unwrap() as plain_again:
                plain_again.sendall(b"221 plaintext again\r\n")
                seen.append(plain_again.recv(100))
        return seen

    return Peer(serve)


def test_starttls_line_protocol(ca: Any, cert: Any, listener: Socket) -> None:
    server = starttls_server(listener, server_context(cert))
    sock = connect(port_of(listener))
    with sock:
        assert sock.read(100, ReadMode.NORMAL) == b"220 sockkit test ready\r"
        assert sock.read(100, ReadMode.NORMAL) == b"\n"
        sock.write_all(b"STARTTLS\r\n")
        assert sock.read(100, ReadMode.NORMAL) == b"220 go ahead\r"
        assert sock.read(100, ReadMode.NORMAL) == b"\n"
        tls = sock.start_tls(client_context(ca), server_hostname="localhost")
        for word in (b"EHLO a", b"MAIL b", b"RCPT c"):
            tls.write_all(word + b"\r\n")
            assert tls.read(100, ReadMode.NORMAL) == b"250 " + word + b"\r"
            assert tls.read(100, ReadMode.NORMAL) == b"\n"
        tls.write_all(b"STOPTLS\r\n")
        assert tls.read(100, ReadMode.NORMAL) == b"200 back to plaintext\r"
        assert tls.read(100, ReadMode.NORMAL) == b"\n"
        assert tls.unwrap() is sock
        assert tls.closed and not sock.closed
        assert sock.read(100, ReadMode.NORMAL) == b"221 plaintext again\r"
        sock.write_all(b"QUIT\r\n")
    seen = server.join()
    assert seen[0] == b"STARTTLS\r\n" and seen[-1] == b"QUIT\r\n"


def test_starttls_both_ends_sockkit(ca: Any, cert: Any, listener: Socket) -> None:
    port = port_of(listener)

    def serve() -> bytes:
        conn, _ = listener.accept()
        with conn:
            tls = conn.start_tls(server_context(cert), server_side=True)
            tls.write_all(tls.read(100, ReadMode.NORMAL))
            assert tls.recv(10) == b""  # the client's close_notify
            assert tls.unwrap() is conn
            conn.write_all(b"plain\n")
            return conn.read(100, ReadMode.NORMAL)

    peer = Peer(serve)
    with connect(port) as sock:
        tls = sock.start_tls(client_context(ca), server_hostname="localhost")
        tls.write_all(b"secret\n")
        assert tls.read(100, ReadMode.NORMAL) == b"secret\n"
        assert tls.unwrap() is sock
        assert sock.read(100, ReadMode.NORMAL) == b"plain\n"
        sock.write_all(b"done\n")
    assert peer.join() == b"done\n"


# ---------------------------------------------------------------------- bulk and modes


def test_64_mib_each_way_checked_by_hash(ca: Any, cert: Any, listener: Socket) -> None:
    size = 64 * 1024 * 1024
    payload = os.urandom(1024 * 1024)
    expected = hashlib.sha256(payload * 64).hexdigest()
    port = port_of(listener)

    def python_peer() -> str:
        conn, _ = listener.accept()
        digest = hashlib.sha256()
        with server_context(cert).wrap_socket(conn.to_stdlib(), server_side=True) as tls:
            got = 0
            while got < size:
                chunk = tls.recv(1 << 20)
                assert chunk
                digest.update(chunk)
                got += len(chunk)
            for _ in range(64):
                tls.sendall(payload)
            tls.recv(1)
        return digest.hexdigest()

    peer = Peer(python_peer)
    digest = hashlib.sha256()
    with connect(port).start_tls(client_context(ca), server_hostname="localhost") as tls:
        tls.write_all(payload * 64)
        buffer = bytearray(1 << 20)
        got = 0
        while got < size:
            count = tls.recv_into(buffer)
            assert count
            digest.update(memoryview(buffer)[:count])
            got += count
    assert digest.hexdigest() == expected
    assert peer.join() == expected


def test_sendfile_goes_through_send(ca: Any, cert: Any, listener: Socket, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    port = port_of(listener)

    def client() -> bytes:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        with client_context(ca).wrap_socket(raw, server_hostname="localhost") as tls:
            received = b""
            while chunk := tls.recv(1 << 16):
                received += chunk
            return received

    peer = Peer(client)
    conn, _ = listener.accept()
    with conn.start_tls(server_context(cert), server_side=True) as tls, path.open("rb") as file:
        assert tls.sendfile(file, offset=1000, count=200_000) == 200_000
        assert file.tell() == 201_000
        assert tls.write(b"tail", 2) == 2
    assert peer.join() == data[1000:201_000] + b"ta"


def test_non_blocking_handshake_and_reads(ca: Any, cert: Any, listener: Socket) -> None:
    client = connect(port_of(listener))
    conn, _ = listener.accept()
    client.blocking = False
    conn.blocking = False
    ends = [
        client.start_tls(client_context(ca), server_hostname="localhost", do_handshake=False),
        conn.start_tls(server_context(cert), server_side=True, do_handshake=False),
    ]
    with ends[0] as ours, ends[1] as theirs:
        assert ours.version is None
        waiting = list(ends)
        for _ in range(100):
            for tls in list(waiting):
                try:
                    tls.do_handshake()
                    waiting.remove(tls)
                except WouldBlock:
                    pass
            if not waiting:
                break
            Selector.wait(read=waiting, timeout=1.0)
        assert not waiting and ours.version == theirs.version == "TLSv1.3"
        ours.do_handshake()  # done: a no-op
        with pytest.raises(WouldBlock) as info:
            ours.recv(10)
        assert info.value.operation == "recv"
        theirs.write_all(b"first line\nsecond")
        assert Selector.wait(read=[ours], timeout=TIMEOUT).read == [ours]
        assert ours.read(100, ReadMode.NORMAL) == b"first line\n"
        assert ours.pending == len(b"second")
        assert ours.read(100, ReadMode.NORMAL) == b"second"  # non-blocking: the partial line
        with pytest.raises(WouldBlock):
            ours.read(100, ReadMode.NORMAL)
        assert ours.timeout == 0.0 and not ours.blocking


def test_non_blocking_sends_keep_what_they_took(ca: Any, cert: Any, listener: Socket) -> None:
    """Plaintext a non-blocking send took reaches the peer, however full the socket was."""
    client = connect(port_of(listener))
    conn, _ = listener.accept()
    peer = Peer(lambda: conn.start_tls(server_context(cert), server_side=True))
    with (
        client.start_tls(client_context(ca), server_hostname="localhost") as tls,
        peer.join() as server,
    ):
        tls.blocking = False
        chunk = os.urandom(50_000)
        taken = bytearray()
        for _ in range(10_000):  # bounded: the socket's buffers fill long before
            try:
                count = tls.send(chunk)
            except WouldBlock as exc:
                assert exc.operation == "send"
                break
            assert 0 < count <= len(chunk)
            taken += chunk[:count]
        else:
            pytest.fail("the socket never filled")

        def drain() -> bytes:
            received = bytearray()
            buffer = bytearray(65536)
            while len(received) < len(taken):
                count = server.recv_into(buffer)
                assert count
                received += buffer[:count]
            return bytes(received)

        reader = Peer(drain)
        for _ in range(1000):  # bounded: the reader empties the socket
            try:
                tls.flush()
                break
            except WouldBlock:
                Selector.wait(write=[tls], timeout=1.0)
        assert reader.join() == taken
        assert tls.send(b"more") == 4  # nothing held any more: the flat path again
        tls.blocking = True
        assert server.recv(10) == b"more"


def test_timeout_mid_line_returns_the_partial_line(ca: Any, cert: Any, listener: Socket) -> None:
    client = connect(port_of(listener))
    conn, _ = listener.accept()
    peer = Peer(lambda: conn.start_tls(server_context(cert), server_side=True))
    with (
        client.start_tls(client_context(ca), server_hostname="localhost") as tls,
        peer.join() as server,
    ):
        server.write_all(b"no end yet")
        tls.timeout = 0.3
        assert tls.read(100, ReadMode.NORMAL) == b"no end yet"
        with pytest.raises(TimedOut):
            tls.read(100, ReadMode.NORMAL)
        server.write_all(b"!\n")
        assert tls.read(100, ReadMode.NORMAL) == b"!\n"


def test_line_read_keeps_the_surplus(ca: Any, cert: Any, listener: Socket) -> None:
    client = connect(port_of(listener))
    conn, _ = listener.accept()
    peer = Peer(lambda: conn.start_tls(server_context(cert), server_side=True))
    with (
        client.start_tls(client_context(ca), server_hostname="localhost") as tls,
        peer.join() as server,
    ):
        server.write_all(b"a\nbc\rdef")
        assert tls.read(100, ReadMode.NORMAL) == b"a\n"
        assert tls.pending == 6
        assert tls.read(2, ReadMode.BINARY) == b"bc"
        buffer = bytearray(10)
        assert tls.recv_into(buffer, 2) == 2 and buffer[:2] == b"\rd"
        assert tls.recv(10) == b"ef"
        assert tls.pending == 0


def test_selector_reports_held_plaintext(ca: Any, cert: Any, listener: Socket) -> None:
    client = connect(port_of(listener))
    conn, _ = listener.accept()
    peer = Peer(lambda: conn.start_tls(server_context(cert), server_side=True))
    with (
        client.start_tls(client_context(ca), server_hostname="localhost") as tls,
        peer.join() as server,
    ):
        server.write_all(b"one\ntwo\n")
        assert tls.read(100, ReadMode.NORMAL) == b"one\n"
        assert tls.pending == 4  # held in the TLSSocket: the descriptor is not readable
        assert Selector.wait(read=[tls], timeout=0.5).read == [tls]
        with Selector() as selector:
            selector.register(tls, 1)
            assert [key.socket for key, _ in selector.select(0.5)] == [tls]


def test_bad_arguments_leave_the_socket_alone(ca: Any) -> None:
    with Socket.pair() as (left, _right):
        left.timeout = 1.0
        with pytest.raises(TypeError, match=r"context must be an ssl\.SSLContext"):
            left.start_tls("not a context")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="server_hostname"):
            left.start_tls(client_context(ca), server_hostname=b"x")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="server_hostname is for clients"):
            left.start_tls(client_context(ca), server_hostname="x", server_side=True)
        with pytest.raises(ValueError, match="check_hostname requires server_hostname"):
            left.start_tls(client_context(ca))
        assert not left.closed
    with Socket(type=SocketType.DGRAM) as udp, pytest.raises(ValueError, match="stream"):
        udp.start_tls(client_context(ca), server_hostname="localhost")


def test_renegotiation_is_refused_cleanly_by_python_peer(
    ca: Any, cert: Any, listener: Socket
) -> None:
    """A stdlib TLS 1.2 server whose SSLObject asks for renegotiation is refused."""
    # Python cannot start a renegotiation; openssl s_server below can.  Here: the context
    # given to start_tls gets OP_NO_RENEGOTIATION.
    context = client_context(ca)
    server = stdlib_echo_server(listener, server_context(cert))
    with connect(port_of(listener)).start_tls(context, server_hostname="localhost") as tls:
        assert context.options & ssl.OP_NO_RENEGOTIATION
        tls.write_all(b"x\n")
        assert tls.read(10, ReadMode.NORMAL) == b"x\n"
    server.join()


# ---------------------------------------------------------------------- openssl as peer


class OpenSSL:
    """An openssl s_server/s_client child process; its output is collected by a thread."""

    def __init__(self, *args: str) -> None:
        assert OPENSSL is not None
        self.process = subprocess.Popen(
            [OPENSSL, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.output = b""
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read1(65536):
            with self.changed:
                self.output += chunk
                self.changed.notify_all()

    def wait_for(self, marker: bytes, timeout: float = TIMEOUT, count: int = 1) -> bytes:
        with self.changed:
            self.changed.wait_for(lambda: self.output.count(marker) >= count, timeout)
            assert self.output.count(marker) >= count, self.output
            return self.output

    def say(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def finish(self) -> bytes:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(TIMEOUT)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return self.output


@pytest.fixture
def cert_files(ca: Any, cert: Any, tmp_path: Path) -> dict[str, str]:
    files = {"cert": tmp_path / "cert.pem", "key": tmp_path / "key.pem", "ca": tmp_path / "ca.pem"}
    cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    cert.private_key_pem.write_to_path(str(files["key"]))
    ca.cert_pem.write_to_path(str(files["ca"]))
    return {name: str(path) for name, path in files.items()}


def s_server(cert_files: dict[str, str], *extra: str) -> tuple[OpenSSL, int]:
    server = OpenSSL(
        "s_server",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
        "-cert",
        cert_files["cert"],
        "-key",
        cert_files["key"],
        *extra,
    )
    seen = server.wait_for(b"ACCEPT")
    port = int(seen.split(b"ACCEPT", 1)[1].split(b"\n")[0].rsplit(b":", 1)[1])
    return server, port


@needs_openssl
@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_client_against_openssl_s_server(ca: Any, cert_files: dict[str, str], version: str) -> None:
    server, port = s_server(cert_files, "-rev", version, "-alpn", "sockkit/1")
    try:
        context = client_context(ca)
        context.set_alpn_protocols(["sockkit/1"])
        with connect(port).start_tls(context, server_hostname="localhost") as tls:
            assert tls.version == {"-tls1_2": "TLSv1.2", "-tls1_3": "TLSv1.3"}[version]
            assert tls.alpn_protocol == "sockkit/1"
            tls.write_all(b"hello openssl\n")
            assert tls.read(100, ReadMode.NORMAL) == b"lssnepo olleh\n"
    finally:
        server.finish()


@needs_openssl
def test_server_against_openssl_s_client_with_client_cert(
    ca: Any, cert: Any, cert_files: dict[str, str], listener: Socket, tmp_path: Path
) -> None:
    client_cert = ca.issue_cert("s_client@sockkit.test")
    client_pem = tmp_path / "client.pem"
    client_cert.private_key_and_cert_chain_pem.write_to_path(str(client_pem))
    client = OpenSSL(
        "s_client",
        "-connect",
        f"127.0.0.1:{port_of(listener)}",
        "-CAfile",
        cert_files["ca"],
        "-verify_return_error",
        "-servername",
        "localhost",
        "-cert",
        str(client_pem),
        "-alpn",
        "sockkit/1",
        "-quiet",
    )
    try:
        context = server_context(cert)
        context.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(context)
        context.set_alpn_protocols(["sockkit/1"])
        conn, _ = listener.accept()
        with conn.start_tls(context, server_side=True) as tls:
            assert tls.alpn_protocol == "sockkit/1"
            client.say(b"from s_client\n")
            line = tls.read(100, ReadMode.NORMAL)
            assert line == b"from s_client\n"
            peer = tls.peer_certificate
            assert peer is not None
            assert ("email", "s_client@sockkit.test") in peer["subjectAltName"]
            tls.write_all(b"from sockkit\n")
            client.wait_for(b"from sockkit")
    finally:
        client.finish()


@needs_openssl
def test_key_update_from_openssl_server_is_answered(ca: Any, cert_files: dict[str, str]) -> None:
    """A TLS 1.3 KeyUpdate asking for one back: the receive path answers it, data flows on."""
    server, port = s_server(cert_files, "-tls1_3", "-msg")
    try:
        with connect(port).start_tls(client_context(ca), server_hostname="localhost") as tls:
            tls.write_all(b"before\n")
            server.wait_for(b"before")
            for round_trip in range(3):
                # s_server: "K" sends a KeyUpdate requesting one back (it reads the command
                # alone: the line is said once the update has gone).  The two records
                # usually wait together for the receive.
                server.say(b"K\n")
                server.wait_for(_SENT_KEY_UPDATE, count=round_trip + 1)
                server.say(b"line %d\n" % round_trip)
                got = b""
                for _ in range(20):  # bounded: each receive returns at least a byte
                    got += tls.recv(100)
                    if got.endswith(b"\n"):
                        break
                assert got == b"line %d\n" % round_trip
                tls.write_all(b"reply %d\n" % round_trip)
                server.wait_for(b"reply %d" % round_trip)
    finally:
        output = server.finish()
    # -msg logs each handshake message: three KeyUpdates sent and three answers received.
    assert output.count(_SENT_KEY_UPDATE) == 3, output
    assert output.count(_SENT_KEY_UPDATE.replace(b">>>", b"<<<")) == 3, output


_SENT_KEY_UPDATE = b">>> TLS 1.3, Handshake [length 0005], KeyUpdate"


@needs_openssl
def test_renegotiation_from_openssl_server_is_refused(ca: Any, cert_files: dict[str, str]) -> None:
    server, port = s_server(cert_files, "-tls1_2")
    try:
        context = client_context(ca)
        with connect(port).start_tls(context, server_hostname="localhost") as tls:
            assert context.options & ssl.OP_NO_RENEGOTIATION
            tls.write_all(b"before\n")
            server.wait_for(b"before")
            server.say(b"R\n")  # s_server: renegotiate (a HelloRequest)
            # Refused with a no_renegotiation alert, which s_server takes as fatal: its
            # alert ends the stream as a TLSError, not a hang or a garbled read.
            with pytest.raises(TLSError) as info:
                tls.read(100, ReadMode.NORMAL)
            assert info.value.operation == "read"
            assert "handshake failure" in str(info.value)
    finally:
        output = server.finish()
    assert b"no renegotiation" in output, output


@needs_openssl
def test_renegotiation_from_openssl_client_is_refused(
    cert: Any, cert_files: dict[str, str], listener: Socket
) -> None:
    client = OpenSSL(
        "s_client",
        "-connect",
        f"127.0.0.1:{port_of(listener)}",
        "-CAfile",
        cert_files["ca"],
        "-tls1_2",
    )
    try:
        conn, _ = listener.accept()
        with conn.start_tls(server_context(cert), server_side=True) as tls:
            client.wait_for(b"---\n")
            client.say(b"R\n")  # s_client: renegotiate (a new ClientHello)
            client.wait_for(b"RENEGOTIATING")
            # Refused with a no_renegotiation alert, which s_client takes as fatal.
            with pytest.raises(TLSError) as info:
                tls.recv(100)
            assert info.value.operation == "recv"
            assert "handshake failure" in str(info.value)
    finally:
        output = client.finish()
    assert b"no renegotiation" in output, output


# ---------------------------------------------------------------------- the async driver


class LoopTransport:
    """The smallest AsyncTransport: a non-blocking stdlib socket on the running loop."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.peer_address = sock.getpeername()

    async def recv(self, length: int) -> bytes:
        return await asyncio.get_running_loop().sock_recv(self.sock, length)

    async def write_all(self, data: Any) -> None:
        await asyncio.get_running_loop().sock_sendall(self.sock, data)

    def close(self) -> None:
        self.sock.close()

    def fileno(self) -> int:
        return self.sock.fileno()


def test_async_tls_against_python_server(ca: Any, cert: Any, listener: Socket) -> None:
    server = stdlib_echo_server(listener, server_context(cert))
    port = port_of(listener)

    async def main() -> list[bytes]:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        transport = LoopTransport(raw)
        async with await AsyncTLSSocket.start(
            transport, client_context(ca), server_hostname="localhost"
        ) as tls:
            assert tls.version == "TLSv1.3" and tls.fileno() == raw.fileno()
            await tls.write_all(b"one\ntwo")
            first = await tls.read(100, ReadMode.NORMAL)
            reader = asyncio.ensure_future(tls.read(100, ReadMode.NORMAL))
            await asyncio.sleep(0.05)
            assert not reader.done()  # waits for the rest of the line
            await tls.write(b"\nthree\n")
            second = await reader
            third = await tls.recv(100)
            return [first, second, third]
        assert raw.fileno() == -1

    assert asyncio.run(asyncio.wait_for(main(), TIMEOUT)) == [b"one\n", b"two\n", b"three\n"]
    server.join()


def test_async_bulk_both_ways_cancelled_receive_and_ragged_eof(
    ca: Any, cert: Any, listener: Socket
) -> None:
    """The awaited data paths against Python's ssl: 3 MiB each way checked by hash (sends
    of several chunks, recv and recv_into), a cancelled receive that loses nothing, and a
    peer that leaves without close_notify."""
    payload = os.urandom(3 * 1024 * 1024 + 7)
    size = len(payload)
    port = port_of(listener)
    go_on = threading.Event()

    def serve() -> str:
        conn, _ = listener.accept()
        digest = hashlib.sha256()
        tls = server_context(cert).wrap_socket(conn.to_stdlib(), server_side=True)
        try:
            got = 0
            while got < size:
                chunk = tls.recv(1 << 20)
                assert chunk
                digest.update(chunk)
                got += len(chunk)
            tls.sendall(payload)
            assert go_on.wait(TIMEOUT)  # the client's receive has been cancelled
            tls.sendall(b"after\n")
            assert tls.recv(10) == b"bye"
        finally:
            tls.close()  # without unwrap: no close_notify, a ragged end for the client
        return digest.hexdigest()

    peer = Peer(serve)

    async def main() -> str:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        tls = await AsyncTLSSocket.start(
            LoopTransport(raw), client_context(ca), server_hostname="localhost"
        )
        try:
            await tls.write_all(memoryview(payload)[: size - 5])
            assert await tls.send(payload[size - 5 :]) == 5
            digest = hashlib.sha256()
            buffer, got = bytearray(40000), 0
            for turn in range(100_000):  # bounded: each receive returns at least a byte
                if got == size:
                    break
                if turn % 2:
                    chunk = await tls.recv(50000)
                else:
                    chunk = bytes(buffer[: await tls.recv_into(buffer)])
                assert chunk
                digest.update(chunk)
                got += len(chunk)
            reader = asyncio.ensure_future(tls.recv(100))
            await asyncio.sleep(0.05)
            reader.cancel()
            with pytest.raises(asyncio.CancelledError):
                await reader
            go_on.set()
            assert await tls.recv(100) == b"after\n"
            await tls.write(b"bye!", 3)
            with pytest.raises(TLSRaggedEOF) as info:
                await tls.recv(100)
            assert info.value.operation == "recv"
            return digest.hexdigest()
        finally:
            await tls.aclose()

    digest = asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    assert digest == hashlib.sha256(payload).hexdigest()
    assert peer.join() == digest


class GatedTransport:
    """An AsyncSocket's transport whose sends can be held at a gate (the peer not reading):
    a send that meets the closed gate sends half its bytes, then waits there, as a send
    does when the network fills up mid-way."""

    def __init__(self, asock: Any) -> None:
        self.asock = asock
        self.gate = asyncio.Event()
        self.gate.set()
        self.held = 0  # sends waiting at the gate

    async def recv(self, length: int) -> bytes:
        data: bytes = await self.asock.recv(length)
        return data

    async def write_all(self, data: Any) -> None:
        data = memoryview(data)
        self.held += 1
        try:
            if not self.gate.is_set():
                await self.asock.write_all(data[: len(data) // 2])
                data = data[len(data) // 2 :]
                await self.gate.wait()
        finally:
            self.held -= 1
        await self.asock.write_all(data)

    def close(self) -> None:
        self.asock.close()


@needs_openssl
def test_async_key_update_arrives_while_a_send_is_held(
    ca: Any, cert_files: dict[str, str], tmp_path: Path
) -> None:
    """Full duplex against s_server: a KeyUpdate asking for ours arrives while a task's
    send waits on a full network; our update follows the record in flight, and a second
    sender is refused.  Had our update been lost, cut into or sent after a record under
    the new keys, s_server could not have decrypted what follows it."""
    # The protocol messages are logged apart, so that stdout holds what arrived.
    log = tmp_path / "messages.log"
    server, port = s_server(cert_files, "-tls1_3", "-msg", "-msgfile", str(log))
    payload = b"".join(b"%07d\n" % n for n in range(40_000))  # 320 kB, in several records

    async def main() -> None:
        transport = GatedTransport(AsyncSocket.from_socket(connect(port)))
        tls = await AsyncTLSSocket.start(transport, client_context(ca), server_hostname="localhost")
        try:
            await tls.write_all(b"start\n")
            await asyncio.to_thread(server.wait_for, b"start")
            transport.gate.clear()  # from now on sends wait: the network is full
            reader = asyncio.ensure_future(tls.recv(100))
            writer = asyncio.ensure_future(tls.write_all(payload))
            await asyncio.sleep(0.05)
            assert transport.held == 1
            server.say(b"K\n")
            for _ in range(200):  # bounded: up to 10 s
                if log.read_bytes().count(_SENT_KEY_UPDATE):
                    break
                await asyncio.sleep(0.05)
            server.say(b"hello\n")
            with pytest.raises(BusyError):  # one sender at a time, as on every socket
                await tls.write_all(b"second sender")
            assert await asyncio.wait_for(reader, TIMEOUT) == b"hello\n"
            assert not writer.done()
            transport.gate.set()
            await asyncio.wait_for(writer, TIMEOUT)
            await tls.write_all(b"end\n")
            await asyncio.to_thread(server.wait_for, b"end\n")
        finally:
            transport.gate.set()
            tls.close()

    try:
        asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    finally:
        output = server.finish()
    assert log.read_bytes().count(_SENT_KEY_UPDATE.replace(b">>>", b"<<<")) == 1
    # s_server reports on itself among the data ("SSL_do_handshake -> 1" once its
    # KeyUpdate went, "Read BLOCK"), a line at a time: the records hold whole lines.
    lines = output.split(b"\n")
    body = lines[lines.index(b"start") + 1 : lines.index(b"end")]
    reports = {b"SSL_do_handshake -> 1", b"Read BLOCK"}
    assert [line for line in body if line not in reports] == payload.split(b"\n")[:-1]


@pytest.mark.parametrize("first", ["sender", "answer", "cancelled answer"])
def test_async_receive_that_must_send_beside_a_sender(
    ca: Any, cert: Any, listener: Socket, first: str
) -> None:
    """A receive that has to send (TLS 1.3 post-handshake authentication: the server asks
    for our certificate) while another task sends.  ``sender``: a send is held mid-write
    and the receive leaves its answer to it.  ``answer``: the receive's answer is held
    and a task that starts to send waits for it.  ``cancelled answer``: the receive is
    cancelled while its answer is held; the answer still goes out whole, and the next
    receive and send carry on.  Never a BusyError, a record cut in two or a lost answer:
    the server gets our certificate and every byte."""
    server_side = server_context(cert)
    server_side.verify_mode = ssl.CERT_OPTIONAL
    server_side.post_handshake_auth = True
    ca.configure_trust(server_side)
    client_side = client_context(ca)
    ca.issue_cert("sockkit-client").configure_cert(client_side)
    client_side.post_handshake_auth = True
    payload = os.urandom(300_000)
    ask, say_hello = threading.Event(), threading.Event()
    port = port_of(listener)

    def serve() -> tuple[bytes, Any]:
        conn, _ = listener.accept()
        tls = server_side.wrap_socket(conn.to_stdlib(), server_side=True)
        try:
            assert tls.recv(100) == b"start"
            assert ask.wait(TIMEOUT)
            tls.verify_client_post_handshake()
            tls.do_handshake()  # the CertificateRequest goes out alone
            assert say_hello.wait(TIMEOUT)
            tls.sendall(b"hello\n")
            received = bytearray()
            while not received.endswith(b"end"):
                chunk = tls.recv(1 << 20)
                assert chunk, len(received)
                received += chunk
            tls.sendall(b"got it")
            return bytes(received), tls.getpeercert()
        finally:
            tls.close()

    peer = Peer(serve)

    async def held(transport: GatedTransport, count: int) -> None:
        for _ in range(200):  # bounded: up to 10 s
            if transport.held == count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{transport.held} sends held, not {count}")

    async def main() -> None:
        transport = GatedTransport(AsyncSocket.from_socket(connect(port)))
        tls = await AsyncTLSSocket.start(transport, client_side, server_hostname="localhost")
        try:
            await tls.write_all(b"start")
            transport.gate.clear()  # from now on sends wait: the network is full
            reader = asyncio.ensure_future(tls.recv(100))
            if first == "sender":
                writer = asyncio.ensure_future(tls.write_all(payload))
                await held(transport, 1)
                ask.set()
                await asyncio.sleep(0.3)  # the request arrives and is answered (held)
                assert transport.held == 1
            else:
                ask.set()
                await held(transport, 1)  # the receive's answer
                if first == "cancelled answer":
                    reader.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await reader
                    reader = asyncio.ensure_future(tls.recv(100))
                writer = asyncio.ensure_future(tls.write_all(payload))
                await asyncio.sleep(0.1)
                assert transport.held == 1  # the sender waits for the answer
            with pytest.raises(BusyError):
                await tls.send(b"a second sender")
            assert not writer.done() and not reader.done()
            say_hello.set()
            transport.gate.set()
            assert await asyncio.wait_for(reader, TIMEOUT) == b"hello\n"
            await asyncio.wait_for(writer, TIMEOUT)
            await tls.write_all(b"end")
            assert await tls.recv(100) == b"got it"
        finally:
            transport.gate.set()
            tls.close()

    asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    received, certificate = peer.join()
    assert received == payload + b"end"
    assert ("DNS", "sockkit-client") in certificate["subjectAltName"]


def test_async_second_receiver_is_refused_whatever_the_transport(
    ca: Any, cert: Any, listener: Socket
) -> None:
    """Two tasks receiving at once: the second raises BusyError from the TLS layer itself
    (the transport here, a plain asyncio socket, would not refuse it), and the first
    still gets its data."""
    server = stdlib_echo_server(listener, server_context(cert))
    port = port_of(listener)

    async def main() -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        async with await AsyncTLSSocket.start(
            LoopTransport(raw), client_context(ca), server_hostname="localhost"
        ) as tls:
            first = asyncio.ensure_future(tls.read(100, ReadMode.NORMAL))
            await asyncio.sleep(0.05)
            for second in (tls.recv(10), tls.recv_into(bytearray(10)), tls.read(10)):
                with pytest.raises(BusyError, match="another task is already receiving"):
                    await second
            await tls.write_all(b"only one\n")
            assert await asyncio.wait_for(first, TIMEOUT) == b"only one\n"

    asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    server.join()


def test_async_failed_handshake_closes_the_transport(cert: Any, listener: Socket) -> None:
    port = port_of(listener)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, pytest.raises(TLSHandshakeError):
            conn.start_tls(server_context(cert), server_side=True)

    peer = Peer(serve)

    async def main() -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        with pytest.raises(CertificateVerifyError) as info:
            await AsyncTLSSocket.start(
                LoopTransport(raw), client_context(trustme.CA()), server_hostname="localhost"
            )
        assert info.value.verify_code == UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        assert raw.fileno() == -1

    before = open_fds()
    asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    peer.join()
    assert open_fds() == before


def test_async_unwrap_and_sync_peer(ca: Any, cert: Any, listener: Socket) -> None:
    port = port_of(listener)

    def serve() -> bytes:
        conn, _ = listener.accept()
        with conn:
            tls = conn.start_tls(server_context(cert), server_side=True)
            tls.write_all(tls.read(100, ReadMode.NORMAL).upper())
            assert tls.recv(1) == b""
            tls.unwrap()
            conn.write_all(b"plain\n")
            return conn.read(100, ReadMode.NORMAL)

    peer = Peer(serve)

    async def main() -> bytes:
        transport = LoopTransport(socket.create_connection(("127.0.0.1", port)))
        tls = await AsyncTLSSocket.start(transport, client_context(ca), server_hostname="localhost")
        await tls.write_all(b"shout\n")
        assert await tls.read(100, ReadMode.NORMAL) == b"SHOUT\n"
        assert await tls.unwrap() is transport and tls.closed
        line = await transport.recv(100)
        await transport.write_all(b"ok\n")
        transport.close()
        return line

    assert asyncio.run(asyncio.wait_for(main(), TIMEOUT)) == b"plain\n"
    assert peer.join() == b"ok\n"


# ---------------------------------------------------------------------- the command line

SRC = str(Path(__file__).resolve().parents[1] / "src")
CLI_ENV = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))


@needs_openssl
def test_cli_demo_over_tls() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sockkit", "demo", "--tls"],
        capture_output=True,
        text=True,
        timeout=60,
        env=CLI_ENV,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("(TLS)")
    assert "TLS: TLSv1.3" in lines[2]
    assert "server> You said 'hello'." in lines
    assert lines[-1] == "connection closed; demo finished"


@needs_openssl
def test_cli_serve_with_tls_cert_answers_openssl_s_client(
    cert_files: dict[str, str], listener: Socket
) -> None:
    port = port_of(listener)
    listener.close()  # the port, free again, for the server
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sockkit",
            "serve",
            "--port",
            str(port),
            "--tls-cert",
            cert_files["cert"],
            "--tls-key",
            cert_files["key"],
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=CLI_ENV,
    )
    try:
        assert server.stdout is not None
        assert b"with TLS" in server.stdout.readline()
        client = OpenSSL(
            "s_client",
            "-connect",
            f"127.0.0.1:{port}",
            "-CAfile",
            cert_files["ca"],
            "-verify_return_error",
            "-servername",
            "localhost",
            "-quiet",
        )
        client.wait_for(b"type 'shutdown'")
        client.say(b"hello over tls\n")
        client.wait_for(b"You said 'hello over tls'.")
        client.say(b"shutdown\n")
        client.finish()
        assert server.wait(timeout=TIMEOUT) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        assert server.stdout is not None
        server.stdout.close()


def test_cli_serve_needs_both_tls_options(cert_files: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sockkit", "serve", "--port", "0", "--tls-cert", cert_files["cert"]],
        capture_output=True,
        text=True,
        timeout=60,
        env=CLI_ENV,
        check=False,
    )
    assert result.returncode == 2
    assert "--tls-cert and --tls-key go together" in result.stderr
