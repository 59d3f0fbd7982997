"""The talkback server, one thread per client: a stalled TLS handshake holds up nobody."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Any

import trustme

from sockkit import Socket, SocketError, TLSHandshakeError, talkback

TIMEOUT = 10.0


def _contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def _read_until(conn: ssl.SSLSocket, marker: bytes) -> bytes:
    data = b""
    for _ in range(100):
        if marker in data:
            return data
        chunk = conn.recv(4096)
        assert chunk, f"end of stream before {marker!r}: {data!r}"
        data += chunk
    raise AssertionError(f"no {marker!r} in {data!r}")


def test_a_stalled_handshake_holds_up_no_other_client(fd_guard: None) -> None:
    server_context, client_context = _contexts()
    errors: list[SocketError] = []
    lines: list[str] = []
    listener = Socket.create_server(("127.0.0.1", 0))
    port = listener.local_address.port

    def run() -> None:
        talkback.serve_threaded(
            listener,
            lambda conn: conn.start_tls(server_context, server_side=True),
            log=lines.append,
            on_error=errors.append,
        )

    server = threading.Thread(target=run)
    server.start()
    try:
        # Connects and never says a word: its handshake waits in a thread of its own.
        stalled = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        # Connects and leaves in the middle of its handshake: dropped and reported.
        leaver = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        leaver.sendall(b"\x16\x03\x01\x00\x05hello")
        leaver.close()
        for _ in range(1000):
            if errors:
                break
            time.sleep(0.01)
        assert len(errors) == 1 and isinstance(errors[0], TLSHandshakeError), errors
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        with client_context.wrap_socket(raw, server_hostname="localhost") as conn:
            assert _read_until(conn, b"shut down the server").startswith(b"Welcome")
            conn.sendall(b"hello\n")
            assert _read_until(conn, b"\n") == b"You said 'hello'.\n"
            conn.sendall(b"shutdown\n")
        server.join(TIMEOUT)
        assert not server.is_alive(), "the server did not stop"
        assert listener.closed
        stalled.settimeout(TIMEOUT)
        assert stalled.recv(10) == b""  # closed by the server as it stopped
        stalled.close()
    finally:
        listener.close()
        server.join(TIMEOUT)
    assert lines == ["hello", "shutdown"]
    assert len(errors) == 1, errors


def test_accept_failing_for_another_reason_is_raised(fd_guard: None) -> None:
    listener = Socket.create_server(("127.0.0.1", 0))
    failures: list[BaseException] = []

    def run() -> None:
        try:
            talkback.serve_threaded(listener, lambda conn: conn_context(conn))
        except BaseException as exc:
            failures.append(exc)

    def conn_context(conn: Socket) -> Any:
        raise AssertionError("no client was expected")

    server = threading.Thread(target=run)
    server.start()
    listener.close()  # not a shutdown asked by a client: accept's error is raised
    server.join(TIMEOUT)
    assert not server.is_alive()
    assert len(failures) == 1 and isinstance(failures[0], SocketError), failures
