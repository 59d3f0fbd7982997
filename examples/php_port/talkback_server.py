"""The talkback server of PHP's socket manual, ported line by line with sockkit.compat.

The same server as ``examples/talkback_server.py``, written the way the PHP
script is: ``socket_create``/``socket_bind``/``socket_listen``, a loop around
``socket_accept``, ``socket_read(..., PHP_NORMAL_READ)``, failures reported with
``socket_strerror(socket_last_error())``. Each PHP statement becomes one Python
statement; ``do { } while (true)`` becomes ``while True:`` and ``break 2``
becomes a flag.

    python examples/php_port/talkback_server.py --host 127.0.0.1 --port 10000
"""

from __future__ import annotations

import argparse
import sys

from sockkit.compat import (
    AF_INET,
    PHP_NORMAL_READ,
    SO_RCVTIMEO,
    SO_REUSEADDR,
    SOCK_STREAM,
    SOL_SOCKET,
    SOL_TCP,
    Ref,
    socket_accept,
    socket_bind,
    socket_close,
    socket_create,
    socket_getsockname,
    socket_last_error,
    socket_listen,
    socket_read,
    socket_set_option,
    socket_strerror,
    socket_write,
)


# --8<-- [start:php]
def serve(address: str, port: int, idle_timeout: int) -> int:
    sock = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
    if sock is False:
        print("socket_create() failed: reason: " + socket_strerror(socket_last_error()))
        return 1
    # Not in the manual: connections this server closed linger in TIME_WAIT for a
    # minute, and without SO_REUSEADDR a restart could not bind the port until then.
    socket_set_option(sock, SOL_SOCKET, SO_REUSEADDR, 1)
    if socket_bind(sock, address, port) is False:
        print("socket_bind() failed: reason: " + socket_strerror(socket_last_error(sock)))
        socket_close(sock)
        return 1
    if socket_listen(sock, 5) is False:
        print("socket_listen() failed: reason: " + socket_strerror(socket_last_error(sock)))
        socket_close(sock)
        return 1
    bound_address, bound_port = Ref(), Ref()
    socket_getsockname(sock, bound_address, bound_port)
    print(f"listening on {bound_address.value}:{bound_port.value}", flush=True)

    shutdown = False  # PHP's "break 2"
    while not shutdown:
        msgsock = socket_accept(sock)
        if msgsock is False:
            print("socket_accept() failed: reason: " + socket_strerror(socket_last_error(sock)))
            break
        # Not in the manual: a silent client cannot hold the server for ever.
        socket_set_option(msgsock, SOL_SOCKET, SO_RCVTIMEO, {"sec": idle_timeout, "usec": 0})
        msg = (
            "\nWelcome to the sockkit talkback server.\n"
            "To quit, type 'quit'. To shut down the server type 'shutdown'.\n"
        )
        socket_write(msgsock, msg, len(msg))
        while True:
            buf = socket_read(msgsock, 2048, PHP_NORMAL_READ)
            if buf is False:
                # The manual stops the whole server here ("break 2"); a client that
                # hangs up or stays silent only ends its own connection.
                error = socket_last_error(msgsock)
                print("socket_read() failed: reason: " + socket_strerror(error), flush=True)
                break
            buf = buf.decode("utf-8", "replace").strip()
            if not buf:
                continue
            if buf == "quit":
                break
            if buf == "shutdown":
                shutdown = True
                break
            talkback = f"You said '{buf}'.\n"
            socket_write(msgsock, talkback, len(talkback.encode()))
            print(buf, flush=True)
        socket_close(msgsock)
    socket_close(sock)
    print("server shut down", flush=True)
    return 0


# --8<-- [end:php]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=10000, help="port (0: any free port)")
    parser.add_argument(
        "--idle-timeout", type=int, default=300, help="seconds a client may stay silent"
    )
    args = parser.parse_args()
    try:
        return serve(args.host, args.port, args.idle_timeout)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
