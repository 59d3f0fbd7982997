"""UDP blast: datagrams per second with one system call per datagram, and with batches.

A receiver thread and a sender move ``--count`` datagrams of ``--size`` bytes over
UDP on 127.0.0.1, first with ``sendto``/``recvfrom`` (one call per datagram), then
with ``send_batch``/``recv_batch`` (one ``sendmmsg``/``recvmmsg`` per ``--batch``
datagrams on Linux); each run reports its rate and its loss::

    python examples/udp_blast.py --count 100000 --batch 32
"""

from __future__ import annotations

import argparse
import threading
import time

from sockkit import AddressFamily, Socket, SocketOption, SocketType, TimedOut


# --8<-- [start:receive]
def receive(sock: Socket, count: int, batch: int, size: int, received: list[float]) -> None:
    """Count datagrams until ``count`` arrived or none came for the socket's timeout."""
    got = 0
    last = time.perf_counter()
    try:
        while got < count:
            if batch > 1:
                got += len(sock.recv_batch(batch, size))
            else:
                sock.recvfrom(size)
                got += 1
            last = time.perf_counter()
    except TimedOut:
        pass  # the rest were lost: UDP drops what a full receive buffer cannot hold
    received += [got, last]


def send(sock: Socket, count: int, batch: int, payload: bytes) -> int:
    """Send ``count`` datagrams to the connected peer, ``batch`` per call."""
    sent = 0
    while sent < count:
        if batch > 1:
            sent += sock.send_batch([payload] * min(batch, count - sent))
        else:
            sock.send(payload)
            sent += 1
    return sent


# --8<-- [end:receive]


def blast(count: int, batch: int, size: int) -> tuple[int, int, float]:
    """One run: (sent, received, seconds)."""
    with (
        Socket(AddressFamily.INET, SocketType.DGRAM) as receiver,
        Socket(AddressFamily.INET, SocketType.DGRAM) as sender,
    ):
        receiver.set_option(SocketOption.RCVBUF, 8 << 20)  # capped by net.core.rmem_max
        receiver.bind(("127.0.0.1", 0))
        receiver.timeout = 1.0
        sender.connect(receiver.local_address)
        received: list[float] = []
        thread = threading.Thread(target=receive, args=(receiver, count, batch, size, received))
        thread.start()
        started = time.perf_counter()
        sent = send(sender, count, batch, bytes(size))
        thread.join(60)
    if not received:
        return sent, 0, 0.0
    return sent, int(received[0]), max(received[1] - started, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="datagrams per run")
    parser.add_argument("--size", type=int, default=1200, help="bytes per datagram")
    parser.add_argument("--batch", type=int, default=32, help="datagrams per batch call")
    args = parser.parse_args()
    for name, batch in (("one call per datagram", 1), (f"batches of {args.batch}", args.batch)):
        sent, received, elapsed = blast(args.count, batch, args.size)
        loss = (sent - received) / sent if sent else 0.0
        print(
            f"{name}: {sent} sent, {received} received,"
            f" {received / elapsed:,.0f} datagrams/s received, loss {loss:.1%}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
