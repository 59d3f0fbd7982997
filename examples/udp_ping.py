"""UDP ping: an echo responder and a client that measures round trips.

Start the responder, then ping it (``--count`` bounds both sides)::

    python examples/udp_ping.py --serve --host 127.0.0.1 --port 9999 --count 3
    python examples/udp_ping.py --host 127.0.0.1 --port 9999 --count 3

The client connects its UDP socket, so it only hears its peer and an ICMP "port
unreachable" surfaces as ``ConnectionRefused`` instead of a silent timeout.
"""

from __future__ import annotations

import argparse
import time

from sockkit import AddrInfo, AIFlag, ConnectionRefused, Socket, SocketError, SocketType, TimedOut


# --8<-- [start:serve]
def serve(host: str, port: int, count: int, idle_timeout: float) -> int:
    """Echo ``count`` datagrams (0: until idle for ``idle_timeout`` seconds)."""
    info = AddrInfo.lookup(host, port, type=SocketType.DGRAM, flags=AIFlag.PASSIVE)[0]
    with info.bind() as sock:
        sock.timeout = idle_timeout
        print(f"listening on {sock.local_address}", flush=True)
        served = 0
        while count == 0 or served < count:
            try:
                data, peer = sock.recvfrom(2048)
            except TimedOut:
                print("idle: stopping", flush=True)
                break
            sock.sendto(data, peer)
            served += 1
    return 0


# --8<-- [end:serve]


# --8<-- [start:ping]
def ping(host: str, port: int, count: int, timeout: float) -> int:
    """Send ``count`` pings; return 0 if every one was answered."""
    info = AddrInfo.lookup(host, port, type=SocketType.DGRAM)[0]
    answered = 0
    with Socket(info.family, info.type) as sock:
        sock.timeout = timeout
        sock.connect(info.address)  # fixes the peer: recv() only hears from it
        for seq in range(count):
            payload = f"ping {seq}".encode()
            start = time.perf_counter()
            sock.send(payload)
            try:
                reply = sock.recv(2048)
            except TimedOut:
                print(f"seq={seq} timed out", flush=True)
                continue
            except ConnectionRefused:
                print(f"seq={seq} port unreachable", flush=True)
                continue
            elapsed = (time.perf_counter() - start) * 1000
            status = "ok" if reply == payload else "corrupt"
            print(f"{len(reply)} bytes from {info.address}: seq={seq} {status} {elapsed:.3f} ms")
            answered += reply == payload
    print(f"{count} sent, {answered} answered", flush=True)
    return 0 if answered == count else 1


# --8<-- [end:ping]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help="be the echo responder")
    parser.add_argument("--host", default="127.0.0.1", help="address to ping or listen on")
    parser.add_argument("--port", type=int, default=9999, help="port (responder: 0 for any)")
    parser.add_argument("--count", type=int, default=3, help="pings to send or answer")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a reply")
    args = parser.parse_args()
    try:
        if args.serve:
            return serve(args.host, args.port, args.count, args.timeout)
        return ping(args.host, args.port, args.count, args.timeout)
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", flush=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
