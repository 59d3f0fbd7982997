"""An asyncio client for the line-echo server: several connections at once, each checked.

Opens ``--clients`` connections concurrently (``AsyncSocket.create_connection``
races IPv6 and IPv4 as RFC 8305 says), sends each ``--message`` as a line on every
one, checks that each line comes back, and prints what the first connection got.
``--shutdown`` then asks the server to stop.

    python examples/async_echo_client.py --port 8007 --clients 10 --message hello
"""

from __future__ import annotations

import argparse
import asyncio

from sockkit import ReadMode, SocketError
from sockkit.aio import AsyncSocket


# --8<-- [start:client]
async def talk(host: str, port: int, messages: list[str], timeout: float) -> list[bytes]:
    """Send every message as a line on one connection; return the echoed lines."""
    replies = []
    async with await AsyncSocket.create_connection((host, port), timeout=timeout) as conn:
        for message in messages:
            line = message.encode() + b"\n"
            await conn.write_all(line)
            reply = await asyncio.wait_for(conn.read(4096, ReadMode.NORMAL), timeout)
            if reply != line:
                raise RuntimeError(f"sent {line!r}, got back {reply!r}")
            replies.append(reply)
        await conn.write_all(b"quit\n")
    return replies


# --8<-- [end:client]


async def run(args: argparse.Namespace) -> None:
    results = await asyncio.gather(
        *(talk(args.host, args.port, args.message, args.timeout) for _ in range(args.clients))
    )
    for reply in results[0]:
        print(f"got: {reply.decode().rstrip()}")
    print(f"{args.clients} connections echoed {len(args.message)} lines each")
    if args.shutdown:
        async with await AsyncSocket.create_connection((args.host, args.port)) as conn:
            await conn.write_all(b"shutdown\n")
            print(f"server said: {(await conn.read(100, ReadMode.NORMAL)).decode().rstrip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="the server's address")
    parser.add_argument("--port", type=int, default=8007, help="the server's port")
    parser.add_argument("--clients", type=int, default=1, help="connections to open at once")
    parser.add_argument(
        "--message", action="append", default=None, help="a line to send (repeatable)"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per step")
    parser.add_argument("--shutdown", action="store_true", help="then stop the server")
    args = parser.parse_args()
    args.message = args.message or ["hello"]
    try:
        asyncio.run(run(args))
    except (SocketError, RuntimeError, TimeoutError, asyncio.TimeoutError) as exc:
        print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
