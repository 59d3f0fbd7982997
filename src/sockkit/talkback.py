"""The talkback server of PHP's socket manual, in sockkit's idiomatic API.

A client connects, gets a welcome text, and every line it sends is answered with
``You said '…'.``; ``quit`` ends that connection and ``shutdown`` stops the server.
``sockkit demo`` and ``sockkit serve`` run it.  [`serve`][sockkit.talkback.serve]
talks to every client at once in one thread, driven by a
[`Selector`][sockkit.selector.Selector]; [`handle_client`][sockkit.talkback.handle_client]
talks to one client with blocking calls, and
[`serve_threaded`][sockkit.talkback.serve_threaded] runs it for every client at
once, one thread each (for connections with blocking work of their own first, such
as a TLS handshake).

This module backs the command line; it is not part of sockkit's API.

Example:
    >>> with Socket.create_server(("127.0.0.1", 0)) as listener:
    ...     port = listener.local_address.port
    ...     # serve(listener) would now answer clients on that port
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Protocol

from sockkit.enums import Event, ReadMode
from sockkit.errors import SocketClosedError, SocketError, WouldBlock
from sockkit.selector import Selector
from sockkit.socket import Socket

__all__ = ["WELCOME", "LineConnection", "handle_client", "serve", "serve_threaded"]

WELCOME = (
    b"Welcome to the sockkit talkback server.\n"
    b"To quit, type 'quit'. To shut down the server type 'shutdown'.\n"
)
"""What a client reads first."""

_MAX_LINE = 2048
_QUIT = "quit"
_SHUTDOWN = "shutdown"


def _reply(text: str) -> bytes:
    return f"You said '{text}'.\n".encode()


class LineConnection(Protocol):
    """What the talkback server talks over: a `Socket` or a `TLSSocket`."""

    def write_all(self, data: bytes) -> None: ...

    def read(self, length: int, mode: int = ...) -> bytes: ...


def handle_client(conn: LineConnection, log: Callable[[str], None] | None = None) -> bool:
    """Talk to one client until it says ``quit`` or ``shutdown`` or hangs up.

    Args:
        conn: the accepted connection, blocking; it is not closed here.
        log: called with each line the client sends (for ``sockkit demo``).

    Returns:
        ``True`` if the client asked the server to shut down.

    Raises:
        SocketError: the connection failed in a way other than the client leaving.
    """
    conn.write_all(WELCOME)
    while True:
        line = conn.read(_MAX_LINE, ReadMode.NORMAL)
        if not line:
            return False
        text = line.decode("utf-8", "replace").strip()
        if not text:
            continue
        if log is not None:
            log(text)
        if text == _QUIT:
            return False
        if text == _SHUTDOWN:
            return True
        conn.write_all(_reply(text))


class _Client:
    """One connection of `serve`: what it sent but did not end yet, and what waits to go."""

    __slots__ = ("inbox", "leaving", "outbox", "sock")

    def __init__(self, sock: Socket) -> None:
        self.sock = sock
        self.inbox = b""
        self.outbox = bytearray(WELCOME)
        self.leaving = False  # said quit: closed once its output has gone


class _Server:
    """The state of one `serve` call: the listener, its selector and the clients."""

    __slots__ = ("clients", "listener", "log", "on_error", "selector")

    def __init__(
        self,
        listener: Socket,
        selector: Selector,
        log: Callable[[str], None] | None,
        on_error: Callable[[SocketError], None] | None,
    ) -> None:
        self.listener = listener
        self.selector = selector
        self.log = log
        self.on_error = on_error
        self.clients: dict[Socket, _Client] = {}

    def accept(self) -> None:
        try:
            sock, _peer = self.listener.accept()
        except WouldBlock:  # the client gave up between readiness and accept
            return
        sock.blocking = False
        client = _Client(sock)
        self.clients[sock] = client
        self.selector.register(sock, Event.READ | Event.WRITE, client)

    def on_events(self, client: _Client, events: Event) -> bool:
        """Serve one ready client; return ``True`` when it asked for shutdown."""
        try:
            if events & Event.WRITE:
                self.flush(client)
            if events & Event.READ and not client.leaving and self.receive(client):
                return True
        except SocketError as exc:  # ConnectionReset, BrokenPipe, …
            self.drop(client)
            if self.on_error is not None:
                self.on_error(exc)
            return False
        if client.leaving and not client.outbox:
            self.drop(client)
        elif client.sock in self.clients:
            wanted = Event.READ | Event.WRITE if client.outbox else Event.READ
            self.selector.modify(client.sock, wanted, client)
        return False

    def receive(self, client: _Client) -> bool:
        try:
            data = client.sock.recv(_MAX_LINE)
        except WouldBlock:
            return False
        if not data:  # the client hung up
            self.drop(client)
            return False
        lines = (client.inbox + data).replace(b"\r", b"\n").split(b"\n")
        client.inbox = lines.pop()[-_MAX_LINE:]  # the unfinished line, bounded
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            if not text:
                continue
            if self.log is not None:
                self.log(text)
            if text == _SHUTDOWN:
                return True
            if text == _QUIT:
                client.leaving = True
                return False
            client.outbox += _reply(text)
        return False

    def flush(self, client: _Client) -> None:
        if client.outbox:
            try:
                sent = client.sock.send(client.outbox)
            except WouldBlock:
                return
            del client.outbox[:sent]

    def drop(self, client: _Client) -> None:
        if self.clients.pop(client.sock, None) is not None:
            client.sock.close()  # a close leaves the selector too

    def close_all(self) -> None:
        for client in list(self.clients.values()):
            self.drop(client)


def serve(
    listener: Socket,
    log: Callable[[str], None] | None = None,
    on_error: Callable[[SocketError], None] | None = None,
) -> None:
    """Talk to every client of ``listener`` at once until one says ``shutdown``.

    One thread serves them all: the listener and the clients are non-blocking and
    registered with a `Selector`, each client watched for ``WRITE`` only while it
    has output waiting, so a client that does not read holds up nobody else.  A
    client whose connection fails is dropped (reported to ``on_error``); the
    others go on.  Every client connection is closed when this returns or
    raises (``KeyboardInterrupt`` included); ``listener`` is left open.

    Raises:
        SocketError: ``accept`` itself failed.
    """
    listener.blocking = False
    with Selector() as selector:
        server = _Server(listener, selector, log, on_error)
        selector.register(listener, Event.READ)  # data None marks the listener
        try:
            while True:
                for key, events in selector.select():
                    if key.data is None:
                        server.accept()
                    elif server.on_events(key.data, events):
                        return
        finally:
            server.close_all()


def serve_threaded(
    listener: Socket,
    wrap: Callable[[Socket], contextlib.AbstractContextManager[LineConnection]],
    log: Callable[[str], None] | None = None,
    on_error: Callable[[SocketError], None] | None = None,
) -> None:
    """Talk to every client of ``listener`` at once, one thread each, until one says ``shutdown``.

    Each accepted connection goes to a thread of its own, which enters
    ``wrap(conn)`` (a TLS handshake, say: a client that stalls in it holds up only
    its own thread) and talks over what that gives.  A client that asks for
    shutdown closes ``listener``, which wakes the accept; every other client's
    connection is then closed, which wakes its thread, and the threads are joined.
    A client whose connection fails is reported to ``on_error``; the others go on.

    Raises:
        SocketError: ``accept`` itself failed.
    """
    stopping = threading.Event()
    lock = threading.Lock()
    clients: dict[Socket, threading.Thread] = {}

    def talk(conn: Socket) -> None:
        try:
            with wrap(conn) as line_conn:
                if handle_client(line_conn, log):
                    stopping.set()
                    listener.close()  # wakes the accept below
        except SocketError as exc:
            if not stopping.is_set() and on_error is not None:
                on_error(exc)
        finally:
            conn.close()
            with lock:
                clients.pop(conn, None)

    try:
        while True:
            try:
                conn, _peer = listener.accept()
            except SocketClosedError:
                if stopping.is_set():
                    return
                raise
            thread = threading.Thread(target=talk, args=(conn,), name="talkback client")
            with lock:
                clients[conn] = thread
            try:
                thread.start()
            except BaseException:
                with lock:
                    del clients[conn]
                conn.close()
                raise
    finally:
        stopping.set()
        with lock:
            remaining = list(clients.items())
        for conn, _thread in remaining:
            conn.close()  # wakes the thread blocked on it
        for _conn, thread in remaining:
            thread.join()
