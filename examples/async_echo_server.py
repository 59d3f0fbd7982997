"""An asyncio line-echo server: many clients at once, one task each, with AsyncSocket.

Every line a client sends comes back unchanged; ``quit`` closes that client's
connection and ``shutdown`` stops the server (closing the listening socket wakes
the task waiting in ``accept()``).  Runs on uvloop with ``--uvloop`` where it is
installed.

Run it, then talk to it with ``python examples/async_echo_client.py`` or
``nc 127.0.0.1 8007``:

    python examples/async_echo_server.py --host 127.0.0.1 --port 8007
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from sockkit import ReadMode, SocketClosedError, SocketError
from sockkit.aio import AsyncSocket


# --8<-- [start:serve]
async def serve_client(conn: AsyncSocket, server: AsyncSocket) -> None:
    """Echo one client's lines until it hangs up or says ``quit``/``shutdown``."""
    async with conn:
        while True:
            line = await conn.read(4096, ReadMode.NORMAL)  # waits for a whole line
            if not line:
                return  # the client hung up
            command = line.strip()
            if command == b"quit":
                return
            if command == b"shutdown":
                await conn.write_all(b"bye\n")
                server.close()  # wakes the accept() below with SocketClosedError
                return
            await conn.write_all(line)


async def serve(host: str, port: int) -> None:
    async with await AsyncSocket.create_server((host, port)) as server:
        address = server.local_address
        print(f"listening on {address.host}:{address.port}", flush=True)
        clients: set[asyncio.Task[None]] = set()
        try:
            while True:
                try:
                    conn, _peer = await server.accept()
                except SocketClosedError:
                    break  # a client asked for shutdown
                task = asyncio.create_task(serve_client(conn, server))
                clients.add(task)
                task.add_done_callback(clients.discard)
        finally:
            for task in clients:
                task.cancel()
            await asyncio.gather(*clients, return_exceptions=True)
    print("server stopped", flush=True)


# --8<-- [end:serve]


def run(main: Coroutine[Any, Any, None], use_uvloop: bool) -> None:
    if use_uvloop:
        import uvloop  # noqa: PLC0415 - optional

        loop = uvloop.new_event_loop()
        try:
            loop.run_until_complete(main)
        finally:
            loop.close()
    else:
        asyncio.run(main)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8007, help="port (0: any free port)")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop")
    args = parser.parse_args()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            run(serve(args.host, args.port), args.uvloop)
    except SocketError as exc:
        print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
