"""A pre-forked server: worker processes share one port with SO_REUSEPORT.

Every worker opens its own listening socket on the same address, with
``SocketOption.REUSEPORT`` set before ``bind``, and the kernel spreads incoming
connections across them. Each connection gets one line naming the worker that
accepted it. SIGTERM or Ctrl-C stops the parent, which stops the workers.

    python examples/prefork_server.py --host 127.0.0.1 --port 8080 --workers 4

``--connect N`` makes the parent connect N times itself, print who answered and
stop: a self-contained, bounded run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections import Counter
from types import FrameType

from sockkit import (
    AddressFamily,
    ReadMode,
    Socket,
    SocketError,
    SocketOption,
    SocketType,
    TimedOut,
)

_stopping = False


def _request_stop(signum: int, frame: FrameType | None) -> None:
    global _stopping
    _stopping = True


# --8<-- [start:listener]
def reuse_port_listener(host: str, port: int, backlog: int = 128) -> Socket:
    """A listening socket that shares ``(host, port)`` with the other workers."""
    family = AddressFamily.INET6 if ":" in host else AddressFamily.INET
    sock = Socket(family, SocketType.STREAM)
    try:
        sock.set_option(SocketOption.REUSEPORT, True)  # before bind, in every process
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


# --8<-- [end:listener]


# --8<-- [start:worker]
def worker(host: str, port: int, ready: Socket) -> None:
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    with reuse_port_listener(host, port) as listener:
        listener.timeout = 0.2  # wake up now and then to notice a stop request
        ready.send(str(os.getpid()).encode())
        while not _stopping:
            try:
                conn, _peer = listener.accept()
            except TimedOut:
                continue
            with conn:
                conn.timeout = 5.0
                with contextlib.suppress(SocketError):  # a client that left early
                    conn.write_all(f"hello from worker {os.getpid()}\n".encode())


# --8<-- [end:worker]


def start_workers(
    host: str, port: int, count: int, timeout: float, exits: dict[int, int | None]
) -> None:
    """Fork ``count`` workers, recording each in ``exits``; wait until every one listens."""
    with Socket.pair(type=SocketType.DGRAM) as (ready_in, ready_out):
        ready_in.timeout = timeout
        for _ in range(count):
            pid = os.fork()
            if pid == 0:
                status = 1
                try:
                    ready_in.close()
                    worker(host, port, ready_out)
                    status = 0
                except SocketError as exc:
                    print(f"worker {os.getpid()} failed: {exc}", flush=True)
                finally:
                    ready_out.close()
                    os._exit(status)
            exits[pid] = None
        for _ in range(count):
            ready_in.recv(32)  # one datagram from each worker once it listens


def reap(exits: dict[int, int | None]) -> None:
    """Record the exit code of every worker that has ended (without waiting)."""
    for pid, code in exits.items():
        if code is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                exits[pid] = os.waitstatus_to_exitcode(status)


def stop_workers(exits: dict[int, int | None], timeout: float) -> None:
    """Ask every running worker to stop (SIGTERM) and reap it; SIGKILL one that hangs."""
    reap(exits)
    running = [pid for pid, code in exits.items() if code is None]
    for pid in running:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(code is None for code in exits.values()):
        if time.monotonic() > deadline:
            for pid, code in exits.items():
                if code is None:
                    os.kill(pid, signal.SIGKILL)
                    exits[pid] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.05)
        reap(exits)


def connect_clients(host: str, port: int, count: int, timeout: float) -> Counter[str]:
    answers: Counter[str] = Counter()
    for _ in range(count):
        with Socket.create_connection((host, port), timeout=timeout) as client:
            answers[client.read(1024, ReadMode.NORMAL).decode().strip()] += 1
    return answers


def run(args: argparse.Namespace) -> int:
    family = AddressFamily.INET6 if ":" in args.host else AddressFamily.INET
    # Hold the port (bound with SO_REUSEPORT, not listening) so that port 0 means
    # one free port, the same for every worker.
    with Socket(family, SocketType.STREAM) as reservation:
        reservation.set_option(SocketOption.REUSEPORT, True)
        reservation.bind((args.host, args.port))
        port = reservation.local_address.port
        exits: dict[int, int | None] = {}
        # Handlers first: a stop request that comes while workers start is not lost.
        signal.signal(signal.SIGTERM, _request_stop)
        signal.signal(signal.SIGINT, _request_stop)
        try:
            start_workers(args.host, port, args.workers, args.timeout, exits)
            print(f"listening on {reservation.local_address} with {len(exits)} workers", flush=True)
            if args.connect:
                answers = connect_clients(args.host, port, args.connect, args.timeout)
                for answer, times in sorted(answers.items()):
                    print(f"{answer}: {times} connections", flush=True)
            else:
                while not _stopping and None in exits.values():
                    time.sleep(0.1)
                    reap(exits)
        finally:
            stop_workers(exits, args.timeout)
    print(f"stopped {len(exits)} workers", flush=True)
    return 1 if any(exits.values()) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--connect", type=int, default=0, help="connect N times, then stop")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds any wait may take")
    args = parser.parse_args()
    if not hasattr(SocketOption, "REUSEPORT"):
        print("this OS has no SO_REUSEPORT", file=sys.stderr)
        return 1
    try:
        return run(args)
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", flush=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
