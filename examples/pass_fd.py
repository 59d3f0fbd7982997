"""Hand accepted connections to a worker process over a Unix socket (SCM_RIGHTS).

The parent accepts TCP connections and passes each one, as a descriptor in a
control message, to a forked worker; the worker wraps it as a ``Socket``,
answers the client and closes it. The parent plays the clients too, so the run
is self-contained and bounded by ``--clients``.

    python examples/pass_fd.py --host 127.0.0.1 --port 0 --clients 3
"""

from __future__ import annotations

import argparse
import os

from sockkit import Message, ReadMode, Rights, Socket, SocketError


# --8<-- [start:worker]
def worker(channel: Socket) -> None:
    """Serve every connection the parent passes, until the parent closes the channel."""
    while True:
        with channel.recvmsg(16, Rights.space(1)) as message:  # closes descriptors not taken
            if not message.data:  # the parent closed the channel: done
                return
            for control in message.control:
                if isinstance(control, Rights):
                    for conn in control.sockets():  # each Socket now owns its descriptor
                        with conn:
                            conn.write_all(f"served by worker {os.getpid()}\n".encode())


# --8<-- [end:worker]


# --8<-- [start:parent]
def hand_over(listener: Socket, channel: Socket, timeout: float) -> str:
    """Connect a client, accept it, pass the connection to the worker; return its reply."""
    with Socket.create_connection(listener.local_address, timeout=timeout) as client:
        conn, _peer = listener.accept()
        with conn:  # the kernel gives the worker its own copy; ours is closed here
            channel.sendmsg(Message([b"c"], [Rights([conn])]))
        return client.read(1024, ReadMode.NORMAL).decode().strip()


# --8<-- [end:parent]


def run(host: str, port: int, clients: int, timeout: float) -> int:
    with Socket.create_server((host, port)) as listener, Socket.pair() as (channel, worker_end):
        listener.timeout = channel.timeout = worker_end.timeout = timeout
        print(f"listening on {listener.local_address}", flush=True)
        pid = os.fork()
        if pid == 0:  # the worker
            status = 1
            try:
                listener.close()
                channel.close()
                worker(worker_end)
                status = 0
            except SocketError as exc:
                print(f"worker failed: {exc}", flush=True)
            finally:
                worker_end.close()
                os._exit(status)
        worker_end.close()
        try:
            for number in range(clients):
                print(f"client {number}: {hand_over(listener, channel, timeout)}", flush=True)
        finally:
            channel.close()  # the worker reads end of stream and exits
            _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--clients", type=int, default=3, help="connections to hand over")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds any wait may take")
    args = parser.parse_args()
    try:
        code = run(args.host, args.port, args.clients, args.timeout)
    except (SocketError, ValueError) as exc:
        print(f"error: {exc}", flush=True)
        return 1
    print(f"worker exited with status {code}", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
