"""PHP's socket_create_pair example, ported line by line with sockkit.compat.

The same exchange as ``examples/socket_pair_ipc.py``: ``socket_create_pair``
fills a list with two connected sockets (PHP's by-reference array), the process
forks (PHP's ``pcntl_fork`` is Python's ``os.fork``), each side closes the end it
does not use, and the two write and read one message each.

    python examples/php_port/socket_pair_ipc.py
"""

from __future__ import annotations

import argparse
import os
import sys

from sockkit.compat import (
    AF_UNIX,
    PHP_BINARY_READ,
    SO_RCVTIMEO,
    SOCK_STREAM,
    SOL_SOCKET,
    socket_close,
    socket_create_pair,
    socket_last_error,
    socket_read,
    socket_set_option,
    socket_strerror,
    socket_write,
)


def echo(text: str) -> None:
    """PHP's ``echo``: one write, so two processes' lines never interleave."""
    sys.stdout.write(text)
    sys.stdout.flush()


# --8<-- [start:php]
def run(timeout: int) -> int:
    ary: list[object] = []
    strone = "Message From Parent."
    strtwo = "Message From Child."

    if socket_create_pair(AF_UNIX, SOCK_STREAM, 0, ary) is False:
        print("socket_create_pair() failed. Reason: " + socket_strerror(socket_last_error()))
        return 1
    for end in ary:  # not in the manual: neither side waits for ever
        socket_set_option(end, SOL_SOCKET, SO_RCVTIMEO, {"sec": timeout, "usec": 0})

    pid = os.fork()  # PHP: pcntl_fork()
    if pid:  # the parent
        socket_close(ary[0])
        if socket_write(ary[1], strone, len(strone)) is False:
            print("socket_write() failed. Reason: " + socket_strerror(socket_last_error(ary[1])))
        if socket_read(ary[1], len(strtwo), PHP_BINARY_READ) == strtwo.encode():
            echo(f"Received {strtwo}\n")
        socket_close(ary[1])
        _, status = os.waitpid(pid, 0)  # PHP: pcntl_waitpid($pid, $status)
        return os.waitstatus_to_exitcode(status)

    # the child
    code = 1
    try:
        socket_close(ary[1])
        if socket_write(ary[0], strtwo, len(strtwo)) is False:
            print("socket_write() failed. Reason: " + socket_strerror(socket_last_error(ary[0])))
        if socket_read(ary[0], len(strone), PHP_BINARY_READ) == strone.encode():
            echo(f"Received {strone}\n")
            code = 0
        socket_close(ary[0])
    finally:
        os._exit(code)  # never return into the parent's code


# --8<-- [end:php]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=int, default=10, help="seconds either side may wait")
    args = parser.parse_args()
    return run(args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
