"""Soak: a sockkit Selector echo server holding many loopback connections at once.

The server (this process) accepts ``--connections`` TCP connections on 127.0.0.1
from a client process (this script again, ``--role client``), holds them all idle
for ``--idle`` seconds, measures what an idle connection costs, then echoes
``--bytes`` of random data per connection, sent by the client in random-sized
writes and checked with SHA-256 on its way back.  Everything is bounded: every
loop by a count and by ``--time-limit``, and the client dies with the server.

Reported (``--json`` prints one JSON object):

* connections accepted and held through the idle phase;
* bytes sent, bytes echoed, bytes lost (must be 0) and connections corrupted;
* peak RSS of server and client (``ru_maxrss``);
* per idle connection on the server: Python heap (``tracemalloc``) and RSS; and, for
  comparison, the kernel's own: TCP buffer memory (``/proc/net/sockstat``, pages) and
  slab memory (``/proc/meminfo``, system-wide), both for both ends of the connection.

Examples::

    python benchmarks/soak.py                      # 10,000 connections x 256 KiB
    python benchmarks/soak.py --connections 1000   # what tests/load runs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

try:
    from sockkit import Event, Selector, Shutdown, Socket, WouldBlock
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from sockkit import Event, Selector, Shutdown, Socket, WouldBlock

HOST = "127.0.0.1"
CHUNK = 65536
READ = Event.READ
WRITE = Event.WRITE
READ_WRITE = Event.READ | Event.WRITE


def raise_fd_limit(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE to ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def current_rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def kernel_slab_bytes() -> int | None:
    """The kernel's slab memory (socket, inode, file structures live there), system-wide."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("Slab:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def kernel_tcp_pages() -> int | None:
    try:
        with open("/proc/net/sockstat") as sockstat:
            for line in sockstat:
                if line.startswith("TCP:"):
                    fields = line.split()
                    return int(fields[fields.index("mem") + 1])
    except (OSError, ValueError):
        return None
    return None


# ---------------------------------------------------------------------- server


def serve(args: argparse.Namespace) -> dict[str, Any]:
    count: int = args.connections
    deadline = time.monotonic() + args.time_limit
    limit = raise_fd_limit(count + 256)
    if limit < count + 64:
        raise SystemExit(f"RLIMIT_NOFILE allows {limit} descriptors; {count} connections need more")
    report: dict[str, Any] = {"connections wanted": count, "bytes per connection": args.bytes}

    tracemalloc.start()
    listener = Socket.create_server((HOST, 0), backlog=min(count, 4096))
    listener.blocking = False
    port = listener.local_address.port  # type: ignore[union-attr]
    selector = Selector()
    selector.register(listener, READ)
    heap_before = tracemalloc.get_traced_memory()[0]
    rss_before = current_rss_bytes()
    kernel_before = kernel_tcp_pages()
    slab_before = kernel_slab_bytes()

    client = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--role=client",
            f"--port={port}",
            f"--connections={count}",
            f"--bytes={args.bytes}",
            f"--seed={args.seed}",
            f"--time-limit={args.time_limit}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdin is not None and client.stdout is not None
    connections: list[Socket] = []
    try:
        # Phase 1: accept every connection (bounded by count and time).
        started = time.monotonic()
        for _ in range(count * 100):
            if len(connections) >= count or time.monotonic() > deadline:
                break
            if client.poll() is not None:
                break
            for _key, _events in selector.select(timeout=1.0):
                for _ in range(256):  # drain the backlog
                    try:
                        conn, _peer = listener.accept()
                    except WouldBlock:
                        break
                    conn.blocking = False
                    selector.register(conn, READ)
                    connections.append(conn)
        report["connections accepted"] = len(connections)
        report["accept seconds"] = round(time.monotonic() - started, 2)

        # Phase 2: hold them all idle, and measure what an idle connection costs.
        time.sleep(args.idle)
        held = len(connections)
        for key, _events in selector.select(timeout=0):
            if key.socket is not listener:  # nothing should arrive while idle
                held -= 1
        report["connections held idle"] = held
        heap_after = tracemalloc.get_traced_memory()[0]
        rss_after = current_rss_bytes()
        kernel_after = kernel_tcp_pages()
        slab_after = kernel_slab_bytes()
        tracemalloc.stop()
        per = max(len(connections), 1)
        report["idle python heap per connection (bytes)"] = round((heap_after - heap_before) / per)
        report["idle RSS per connection (bytes)"] = round((rss_after - rss_before) / per)
        if kernel_before is not None and kernel_after is not None:
            pages = (kernel_after - kernel_before) / per
            report["idle kernel TCP buffer memory per connection, both ends (pages)"] = round(
                pages, 3
            )
        if slab_before is not None and slab_after is not None:
            report["idle kernel slab per connection, both ends (bytes, system-wide)"] = round(
                (slab_after - slab_before) / per
            )
        selector.unregister(listener)
        listener.close()

        # Phase 3: echo until every client has sent everything and closed its side.
        client.stdin.write("GO\n")
        client.stdin.flush()
        started = time.monotonic()
        echoed = 0
        open_count = len(connections)
        for _ in range(10**9):
            if not open_count or time.monotonic() > deadline:
                break
            for key, events in selector.select(timeout=1.0):
                peer = key.socket
                assert isinstance(peer, Socket)
                if events & WRITE:  # registered for WRITE only while an echo is pending
                    pending: memoryview = key.data
                    try:
                        sent = peer.send(pending)
                    except WouldBlock:
                        sent = 0
                    echoed += sent
                    if sent < len(pending):
                        selector.modify(peer, WRITE, pending[sent:])
                    else:
                        selector.modify(peer, READ, None)  # read again
                    continue
                try:
                    data = peer.recv(CHUNK)
                except WouldBlock:
                    continue
                if not data:
                    selector.unregister(peer)
                    peer.close()
                    open_count -= 1
                    continue
                try:
                    sent = peer.send(data)
                except WouldBlock:
                    sent = 0
                echoed += sent
                if sent < len(data):
                    # Stop reading this one until its echo is out: back pressure.
                    selector.modify(peer, WRITE, memoryview(data)[sent:])
        report["echo seconds"] = round(time.monotonic() - started, 2)
        report["bytes echoed"] = echoed
        report["connections still open at the end"] = open_count
        report["server peak RSS (KiB)"] = peak_rss_kib()
        remaining = max(5.0, deadline - time.monotonic())
        try:
            out, _ = client.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            client.kill()
            out, _ = client.communicate()
        client_report = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        report.update(client_report)
        report["client exit code"] = client.returncode
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        for conn in connections:
            conn.close()
        selector.close()
        listener.close()
    return report


# ---------------------------------------------------------------------- client


class Flow:
    """One client connection: what it still has to send, and what came back."""

    __slots__ = ("done", "left", "pending", "received", "received_digest", "rng", "sent_digest")

    def __init__(self, seed: int, size: int) -> None:
        self.rng = random.Random(seed)
        self.left = size
        self.pending = b""
        self.sent_digest = hashlib.sha256()
        self.received_digest = hashlib.sha256()
        self.received = 0
        self.done = False


def run_client(args: argparse.Namespace) -> dict[str, Any]:
    count: int = args.connections
    size: int = args.bytes
    deadline = time.monotonic() + args.time_limit
    raise_fd_limit(count + 256)
    sockets: list[Socket] = []
    report: dict[str, Any] = {}
    flows: list[Flow] = []
    try:
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            sock = Socket()
            sockets.append(sock)
            sock.timeout = 30.0
            sock.connect((HOST, args.port))
            sock.blocking = False
        report["connections made"] = len(sockets)
        # Wait for the server's go (EOF: the server is gone, stop).
        if sys.stdin.readline().strip() != "GO":
            return report
        selector = Selector()
        flows += [Flow(args.seed * 1_000_003 + index, size) for index in range(len(sockets))]
        for sock, flow in zip(sockets, flows, strict=True):
            selector.register(sock, READ_WRITE, flow)
        started = time.monotonic()
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        sent_total = received_total = 0
        active = len(sockets)
        for _ in range(10**9):
            if not active or time.monotonic() > deadline:
                break
            for key, events in selector.select(timeout=1.0):
                client_sock = key.socket
                assert isinstance(client_sock, Socket)
                flow = key.data
                if events & WRITE:
                    if not flow.pending and flow.left:
                        chunk = flow.rng.randbytes(min(flow.rng.randint(1, CHUNK), flow.left))
                        flow.left -= len(chunk)
                        flow.sent_digest.update(chunk)
                        flow.pending = chunk
                    if flow.pending:
                        try:
                            sent = client_sock.write(flow.pending)
                        except WouldBlock:
                            sent = 0
                        sent_total += sent
                        flow.pending = flow.pending[sent:]
                    if not flow.pending and not flow.left:
                        client_sock.shutdown(Shutdown.WRITE)  # all sent: end of stream for the echo
                        selector.modify(client_sock, READ, flow)
                if events & READ:
                    try:
                        got = client_sock.recv_into(buffer)
                    except WouldBlock:
                        continue
                    if got:
                        flow.received_digest.update(view[:got])
                        flow.received += got
                        received_total += got
                        continue
                    flow.done = True  # end of the echo
                    selector.unregister(client_sock)
                    client_sock.close()
                    active -= 1
        selector.close()
        report["client seconds"] = round(time.monotonic() - started, 2)
        report["bytes sent"] = sent_total
        report["bytes received"] = received_total
        # All of it back, and each byte in its place?  Anything else counts as lost.
        verified = [
            flow.done
            and flow.received == size
            and flow.received_digest.digest() == flow.sent_digest.digest()
            for flow in flows
        ]
        report["connections verified"] = sum(verified)
        report["connections corrupted"] = sum(
            flow.received == size and not ok for flow, ok in zip(flows, verified, strict=True)
        )
        report["connections unfinished"] = active
        report["bytes lost"] = sum(
            0 if ok else size - min(flow.received, size)
            for flow, ok in zip(flows, verified, strict=True)
        )
        if report["connections corrupted"]:
            report["bytes lost"] += report["connections corrupted"] * size
        report["client peak RSS (KiB)"] = peak_rss_kib()
    finally:
        for sock in sockets:
            sock.close()
    return report


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--bytes", type=int, default=256 << 10, help="per connection")
    parser.add_argument("--idle", type=float, default=2.0, help="seconds all are held idle")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds, overall")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--role", choices=["server", "client"], default="server")
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "client":
        print(json.dumps(run_client(args)), flush=True)
        return 0
    started = time.monotonic()
    report = serve(args)
    report["total seconds"] = round(time.monotonic() - started, 2)
    ok = (
        report.get("connections held idle") == args.connections
        and report.get("bytes lost") == 0
        and report.get("connections corrupted") == 0
        and report.get("connections verified") == args.connections
    )
    report["ok"] = ok
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>66}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
