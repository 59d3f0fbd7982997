"""A socket pair between a parent and a forked child, as in PHP's socket_create_pair example.

``Socket.pair()`` makes two connected Unix stream sockets. After ``fork()`` each
process closes the end it does not use; the parent writes a message and reads
the child's answer, the child does the opposite.

    python examples/socket_pair_ipc.py
"""

from __future__ import annotations

import argparse
import os

from sockkit import ReadMode, Socket, SocketError

FROM_PARENT = b"Message From Parent.\n"
FROM_CHILD = b"Message From Child.\n"


# --8<-- [start:ipc]
def child(sock: Socket) -> None:
    line = sock.read(1024, ReadMode.NORMAL)
    print(f"child {os.getpid()} received {line!r}", flush=True)
    sock.write_all(FROM_CHILD)


def parent(sock: Socket) -> None:
    sock.write_all(FROM_PARENT)
    line = sock.read(1024, ReadMode.NORMAL)
    print(f"parent {os.getpid()} received {line!r}", flush=True)


def run(timeout: float) -> int:
    with Socket.pair() as (parent_end, child_end):
        parent_end.timeout = child_end.timeout = timeout  # neither side waits forever
        pid = os.fork()
        if pid == 0:  # the child: use child_end only
            status = 1
            try:
                parent_end.close()
                child(child_end)
                status = 0
            except SocketError as exc:
                print(f"child failed: {exc}", flush=True)
            finally:
                child_end.close()
                os._exit(status)  # never return into the parent's code
        child_end.close()  # the parent: use parent_end only
        try:
            parent(parent_end)
        finally:
            parent_end.close()  # the child sees end of stream if it is still reading
            _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status)


# --8<-- [end:ipc]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds either side may wait")
    args = parser.parse_args()
    try:
        code = run(args.timeout)
    except SocketError as exc:
        print(f"parent failed: {exc}", flush=True)
        return 1
    print(f"child exited with status {code}", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
