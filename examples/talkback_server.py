"""The talkback server of PHP's socket manual, written with sockkit's idiomatic API.

A client that connects is greeted, every line it sends is answered with
``You said '...'.``, ``quit`` closes its connection and ``shutdown`` stops the
server. One client is served at a time, as in the manual.

Run it, then talk to it with ``nc 127.0.0.1 10000``:

    python examples/talkback_server.py --host 127.0.0.1 --port 10000
"""

from __future__ import annotations

import argparse

from sockkit import ReadMode, Socket, SocketError, TimedOut

WELCOME = (
    b"Welcome to the sockkit talkback server.\n"
    b"To quit, type 'quit'. To shut down the server type 'shutdown'.\n"
)


# --8<-- [start:talk]
def talk(conn: Socket) -> bool:
    """Talk to one client; return True when it asks the server to shut down."""
    conn.write_all(WELCOME)
    while True:
        line = conn.read(2048, ReadMode.NORMAL)  # one line, up to and including "\n"
        if not line:  # the client hung up
            return False
        text = line.decode("utf-8", "replace").strip()
        if not text:
            continue
        if text == "quit":
            return False
        if text == "shutdown":
            return True
        conn.write_all(f"You said '{text}'.\n".encode())


# --8<-- [end:talk]


# --8<-- [start:serve]
def serve(host: str, port: int, idle_timeout: float) -> None:
    with Socket.create_server((host, port), backlog=5) as server:
        print(f"listening on {server.local_address}", flush=True)
        while True:
            conn, peer = server.accept()
            with conn:  # closed however the conversation ends
                conn.timeout = idle_timeout  # a silent client cannot hold the server forever
                print(f"{peer} connected", flush=True)
                try:
                    if talk(conn):
                        break
                except TimedOut:
                    print(f"{peer} was idle too long", flush=True)
                except SocketError as exc:  # ConnectionReset, BrokenPipe, ...
                    print(f"{peer} dropped: {exc}", flush=True)
                print(f"{peer} disconnected", flush=True)
    print("server shut down", flush=True)


# --8<-- [end:serve]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=10000, help="port (0: any free port)")
    parser.add_argument(
        "--idle-timeout", type=float, default=300.0, help="seconds a client may stay silent"
    )
    args = parser.parse_args()
    try:
        serve(args.host, args.port, args.idle_timeout)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
