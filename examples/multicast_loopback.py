"""Multicast on the loopback interface: join a group, send to it, hear it back.

The receiver joins the group on ``lo``; the sender picks ``lo`` as its multicast
interface, keeps loopback delivery on and sets the hop limit to 0, so nothing
leaves the machine. Where the OS refuses multicast on loopback (IPv6 on a Linux
``lo`` without the MULTICAST flag, some containers), the program says
``skipped: ...`` and exits 0.

    python examples/multicast_loopback.py --group 239.255.42.99
    python examples/multicast_loopback.py --group ff12::5:1234
"""

from __future__ import annotations

import argparse
import ipaddress

from sockkit import (
    AddressFamily,
    GroupRequest,
    IPOption,
    IPv6Option,
    Socket,
    SocketError,
    SocketOption,
    SocketType,
)
from sockkit.options import interface_index


# --8<-- [start:multicast]
def round_trip(group: str, port: int, interface: str, timeout: float) -> bytes:
    """Join ``group`` on ``interface``, send one datagram to it and return what arrives."""
    ipv6 = ipaddress.ip_address(group).version == 6
    family = AddressFamily.INET6 if ipv6 else AddressFamily.INET
    request = GroupRequest(group, interface)
    with Socket(family, SocketType.DGRAM) as receiver, Socket(family, SocketType.DGRAM) as sender:
        receiver.set_option(SocketOption.REUSEADDR, True)
        receiver.bind(("::" if ipv6 else group, port))
        receiver.timeout = timeout
        destination: tuple[str, int] | tuple[str, int, int, int]
        if ipv6:
            receiver.set_option(IPv6Option.JOIN_GROUP, request)
            sender.set_option(IPv6Option.MULTICAST_IF, interface)
            sender.set_option(IPv6Option.MULTICAST_LOOP, True)
            sender.set_option(IPv6Option.MULTICAST_HOPS, 0)  # never leaves this host
            destination = (group, receiver.local_address.port, 0, interface_index(interface))
        else:
            receiver.set_option(IPOption.ADD_MEMBERSHIP, request)
            sender.set_option(IPOption.MULTICAST_IF, interface)
            sender.set_option(IPOption.MULTICAST_LOOP, True)
            sender.set_option(IPOption.MULTICAST_TTL, 0)  # never leaves this host
            destination = (group, receiver.local_address.port)
        sender.sendto(b"hello, group", destination)
        data, origin = receiver.recvfrom(1024)
        print(f"received {data!r} from {origin} via group {group}", flush=True)
        leave = IPv6Option.LEAVE_GROUP if ipv6 else IPOption.DROP_MEMBERSHIP
        receiver.set_option(leave, request)
    return data


# --8<-- [end:multicast]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group", default="239.255.42.99", help="multicast group address")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--interface", default="lo", help="interface name (default lo)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for it")
    args = parser.parse_args()
    try:
        interface_index(args.interface)
    except ValueError as exc:
        print(f"error: {exc}", flush=True)
        return 1
    try:
        round_trip(args.group, args.port, args.interface, args.timeout)
    except (SocketError, ValueError) as exc:
        print(f"skipped: multicast on {args.interface} is not available here: {exc}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
