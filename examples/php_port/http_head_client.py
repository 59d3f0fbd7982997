"""The TCP client of PHP's socket manual (an HTTP HEAD request), ported with sockkit.compat.

The same client as ``examples/http_head_client.py``, written the way the PHP
script is: ``socket_create``, ``socket_connect`` to an address (PHP's
``gethostbyname`` becomes Python's ``socket.gethostbyname``), one
``socket_write``, then ``socket_read`` until it returns an empty string.

    python examples/php_port/http_head_client.py 127.0.0.1 --port 8000
"""

from __future__ import annotations

import argparse
import socket

from sockkit.compat import (
    AF_INET,
    SO_RCVTIMEO,
    SOCK_STREAM,
    SOL_SOCKET,
    SOL_TCP,
    socket_close,
    socket_connect,
    socket_create,
    socket_last_error,
    socket_read,
    socket_set_option,
    socket_strerror,
    socket_write,
)


# --8<-- [start:php]
def head(host: str, service_port: int, path: str, timeout: int) -> int:
    address = socket.gethostbyname(host)  # PHP: gethostbyname($host)

    sock = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
    if sock is False:
        print("socket_create() failed: reason: " + socket_strerror(socket_last_error()))
        return 1
    # Not in the manual: bound the reads below.
    socket_set_option(sock, SOL_SOCKET, SO_RCVTIMEO, {"sec": timeout, "usec": 0})

    print(f"Attempting to connect to '{address}' on port '{service_port}'...")
    if socket_connect(sock, address, service_port) is False:
        print("socket_connect() failed. Reason: " + socket_strerror(socket_last_error(sock)))
        socket_close(sock)
        return 1
    print("OK.")

    request = f"HEAD {path} HTTP/1.1\r\nHost: {host}\r\nConnection: Close\r\n\r\n"
    print("Sending HTTP HEAD request...")
    socket_write(sock, request, len(request))
    print("OK.")

    print("Reading response:\n")
    out = socket_read(sock, 2048)
    while out:  # "" at the end of the response, False on a failure
        print(out.decode("latin-1"), end="")
        out = socket_read(sock, 2048)

    print("Closing socket...")
    socket_close(sock)
    print("OK.")
    return 0 if out == b"" else 1


# --8<-- [end:php]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("host", help="host name or address of the HTTP server")
    parser.add_argument("--port", type=int, default=80, help="port (default 80)")
    parser.add_argument("--path", default="/", help="path to ask for (default /)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds a read may wait")
    args = parser.parse_args()
    return head(args.host, args.port, args.path, args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
