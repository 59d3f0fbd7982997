"""Unix datagram sockets: a server and a client, each bound to a name of its own.

A datagram client must be bound to receive replies: the server answers the
address each datagram came from. Names are paths in a fresh temporary
directory (removed at the end) or, with ``--abstract`` on Linux, abstract names
that never touch the filesystem.

    python examples/unix_datagram.py hello "unix datagrams"
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from sockkit import AddressFamily, Socket, SocketError, SocketType, UnixAddress


# --8<-- [start:exchange]
def exchange(server_name: str, client_name: str, messages: list[str], timeout: float) -> None:
    family, kind = AddressFamily.UNIX, SocketType.DGRAM
    with Socket(family, kind) as server, Socket(family, kind) as client:
        server.bind(UnixAddress(server_name))
        client.bind(UnixAddress(client_name))  # without a name, no reply could reach it
        server.timeout = client.timeout = timeout
        for text in messages:
            client.sendto(text.encode(), server.local_address)
            data, sender = server.recvfrom(1024)
            print(f"server got {data!r} from {sender}", flush=True)
            server.sendto(data.upper(), sender)
            reply, _ = client.recvfrom(1024)
            print(f"client got {reply!r}", flush=True)


# --8<-- [end:exchange]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("messages", nargs="*", default=["hello", "unix datagrams"])
    parser.add_argument("--dir", help="where to make the temporary directory")
    parser.add_argument("--abstract", action="store_true", help="use Linux abstract names")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a datagram")
    args = parser.parse_args()
    try:
        if args.abstract:
            if not sys.platform.startswith("linux"):
                print("abstract Unix names are a Linux feature", flush=True)
                return 1
            prefix = f"\0sockkit-example-{os.getpid()}"
            exchange(prefix + "-server", prefix + "-client", args.messages, args.timeout)
        else:
            with tempfile.TemporaryDirectory(dir=args.dir) as directory:
                server_path = os.path.join(directory, "server.sock")
                client_path = os.path.join(directory, "client.sock")
                exchange(server_path, client_path, args.messages, args.timeout)
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
