"""Send an HTTP HEAD request and print the response: the TCP client of PHP's socket manual.

The host name is resolved, the connection is raced over IPv6 and IPv4 when the
name has both (``Socket.create_connection``), and the whole exchange is bounded
by a timeout and a size limit.

    python examples/http_head_client.py 127.0.0.1 --port 8000 --path /
"""

from __future__ import annotations

import argparse
import sys

from sockkit import Socket, SocketError

MAX_RESPONSE = 64 * 1024


# --8<-- [start:head]
def head(host: str, port: int, path: str, timeout: float) -> bytes:
    """Return the raw response to ``HEAD path`` (status line and headers)."""
    request = f"HEAD {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    with Socket.create_connection((host, port), timeout=timeout) as sock:
        print(f"connected to {sock.peer_address} from {sock.local_address}", file=sys.stderr)
        sock.write_all(request.encode("ascii"))
        response = bytearray()
        while len(response) < MAX_RESPONSE:
            chunk = sock.read(4096)  # BINARY mode: what one recv gives; b"" at the end
            if not chunk:
                break
            response += chunk
    return bytes(response)


# --8<-- [end:head]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("host", help="host name or address of the HTTP server")
    parser.add_argument("--port", type=int, default=80, help="port (default 80)")
    parser.add_argument("--path", default="/", help="path to ask for (default /)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds for the exchange")
    args = parser.parse_args()
    try:
        response = head(args.host, args.port, args.path, args.timeout)
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(response.decode("latin-1").rstrip("\r\n"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
