"""A chat server for many clients in one thread, driven by a Selector.

Every line a client sends goes to every other client. Sockets are non-blocking
and registered with a ``Selector``: a client is watched for ``READ`` always and
for ``WRITE`` only while it has output waiting, so a slow reader never blocks
the others (and one that falls too far behind is dropped). ``/quit`` leaves,
``/shutdown`` stops the server.

    python examples/select_chat_server.py --host 127.0.0.1 --port 7000

then, in other terminals, ``nc 127.0.0.1 7000``.
"""

from __future__ import annotations

import argparse
import contextlib

from sockkit import Event, Selector, Socket, SocketError, WouldBlock

MAX_LINE = 1024
MAX_BACKLOG = 64 * 1024  # bytes of output a client may fall behind before it is dropped


class Client:
    """One connection and its buffers."""

    def __init__(self, sock: Socket, name: str) -> None:
        self.sock = sock
        self.name = name
        self.inbox = bytearray()
        self.outbox = bytearray()


# --8<-- [start:server]
class ChatServer:
    def __init__(self, listener: Socket, selector: Selector) -> None:
        self.listener = listener
        self.selector = selector
        self.clients: dict[Socket, Client] = {}
        self.joined = 0
        self.running = True
        listener.blocking = False
        selector.register(listener, Event.READ)  # data None marks the listener

    def run(self, idle_timeout: float | None) -> None:
        while self.running:
            ready = self.selector.select(timeout=idle_timeout)
            if not ready:
                print("idle for too long: stopping", flush=True)
                return
            for key, events in ready:
                if key.data is None:
                    self.accept()
                    continue
                client: Client = key.data
                if events & Event.READ:
                    self.receive(client)
                if events & Event.WRITE and client.sock in self.clients:
                    self.flush(client)

    def accept(self) -> None:
        try:
            sock, peer = self.listener.accept()
        except WouldBlock:  # another event took it first
            return
        sock.blocking = False
        self.joined += 1
        client = Client(sock, f"guest-{self.joined}")
        self.clients[sock] = client
        self.selector.register(sock, Event.READ, client)
        print(f"{client.name} joined from {peer}", flush=True)
        self.send(client, f"welcome, {client.name}: {len(self.clients)} online\n")
        self.broadcast(client, f"* {client.name} joined\n")

    def receive(self, client: Client) -> None:
        try:
            data = client.sock.recv(4096)
        except WouldBlock:
            return
        except SocketError:  # ConnectionReset and friends
            data = b""
        if not data:
            self.drop(client, "left")
            return
        client.inbox += data
        while b"\n" in client.inbox:
            raw, _, rest = client.inbox.partition(b"\n")
            client.inbox = bytearray(rest)
            self.handle(client, raw.decode("utf-8", "replace").strip())
            if client.sock not in self.clients:
                return
        if len(client.inbox) > MAX_LINE:
            self.drop(client, "sent a line that is too long")

    def handle(self, client: Client, line: str) -> None:
        if line == "/quit":
            self.drop(client, "quit")
        elif line == "/shutdown":
            print(f"{client.name} asked for shutdown", flush=True)
            self.running = False
        elif line:
            self.broadcast(client, f"{client.name}: {line}\n")

    def broadcast(self, sender: Client, text: str) -> None:
        for client in list(self.clients.values()):
            if client is not sender:
                self.send(client, text)

    def send(self, client: Client, text: str) -> None:
        if client.sock not in self.clients:  # dropped while a broadcast was going on
            return
        if not client.outbox:  # start watching for WRITE while output waits
            self.selector.modify(client.sock, Event.READ | Event.WRITE, client)
        client.outbox += text.encode()
        if len(client.outbox) > MAX_BACKLOG:
            self.drop(client, "fell too far behind")

    def flush(self, client: Client) -> None:
        try:
            sent = client.sock.send(client.outbox)
        except WouldBlock:
            return
        except SocketError:
            self.drop(client, "went away")
            return
        del client.outbox[:sent]
        if not client.outbox:
            self.selector.modify(client.sock, Event.READ, client)

    def drop(self, client: Client, why: str, announce: bool = True) -> None:
        if self.clients.pop(client.sock, None) is None:
            return
        self.selector.unregister(client.sock)
        client.sock.close()
        print(f"{client.name} {why}", flush=True)
        if announce:
            self.broadcast(client, f"* {client.name} {why}\n")

    def close(self) -> None:
        for client in list(self.clients.values()):
            with contextlib.suppress(SocketError):
                client.sock.blocking = True
                client.sock.timeout = 1.0
                client.sock.write_all(client.outbox + b"* server shutting down\n")
            self.drop(client, "disconnected: server shutting down", announce=False)


# --8<-- [end:server]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7000, help="port (0: any free port)")
    parser.add_argument(
        "--idle-timeout", type=float, default=None, help="stop after this many quiet seconds"
    )
    args = parser.parse_args()
    try:
        with Socket.create_server((args.host, args.port)) as listener, Selector() as selector:
            print(f"listening on {listener.local_address}", flush=True)
            server = ChatServer(listener, selector)
            try:
                server.run(args.idle_timeout)
            except KeyboardInterrupt:
                print("interrupted", flush=True)
            finally:
                server.close()
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", flush=True)
        return 1
    print("server stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
