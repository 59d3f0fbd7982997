"""Out of descriptors (a low RLIMIT_NOFILE, in a subprocess): TooManyOpenFiles, then recovery."""

from __future__ import annotations

import json
import sys

import pytest

from .helpers import run_python

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

SCRIPT = r"""
import errno, json, os, resource
from sockkit import Selector, Socket, TooManyOpenFiles
from sockkit.message import Message, Rights, cmsg_space
import socket as stdlib

def open_fds():
    return len(os.listdir("/proc/self/fd"))

report = {}
listener = Socket.create_server(("127.0.0.1", 0))
port = listener.local_address.port
waiting = Socket()
waiting.connect(("127.0.0.1", port))      # queued in the listener's backlog
carrier_out, carrier_in = Socket.pair()    # will pass a descriptor while none is left
baseline = open_fds()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (baseline + 16, hard))
held = []
error = None
for _ in range(64):                        # bounded: the limit is 16 away
    try:
        held.append(Socket())
    except TooManyOpenFiles as exc:
        error = exc
        break
report["opened before the limit"] = len(held)
report["socket()"] = [type(error).__name__, error.errno == errno.EMFILE, error.operation,
                      isinstance(error, OSError)]

def outcome(call):
    try:
        result = call()
    except Exception as exc:
        return type(exc).__name__
    for item in result if isinstance(result, tuple) else (result,):
        close = getattr(item, "close", None)
        if close:
            close()
    return "succeeded"

report["accept()"] = outcome(listener.accept)
report["pair()"] = outcome(Socket.pair)
report["create_connection()"] = outcome(
    lambda: Socket.create_connection(("127.0.0.1", port), timeout=5))
report["Selector()"] = outcome(Selector)
report["listener.last_error"] = listener.last_error

# A descriptor passed to us when we cannot take one: the kernel truncates the control
# data (MSG_CTRUNC); sockkit hands over nothing and leaks nothing.
passed = held[0]
carrier_out.sendmsg(Message([b"x"], [Rights([passed])]))
message = carrier_in.recvmsg(16, cmsg_space(stdlib.SOL_SOCKET, stdlib.SCM_RIGHTS, 1))
report["recvmsg while exhausted"] = [message.data.decode(), bool(message.flags & stdlib.MSG_CTRUNC),
                                     [type(c).__name__ for c in message.control]]

# Recovery: free one descriptor, and the pending connection is accepted and works.
held.pop().close()
conn, _ = listener.accept()
waiting.write_all(b"recovered")
report["after freeing one"] = conn.recv(100).decode()
conn.close()
for sock in held:
    sock.close()
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
more = [Socket() for _ in range(32)]
for sock in more:
    sock.close()
for sock in (listener, waiting, carrier_out, carrier_in):
    sock.close()
report["descriptors back to baseline"] = open_fds() == baseline - 4
print(json.dumps(report))
"""


def test_descriptor_exhaustion_and_recovery() -> None:
    result = run_python(SCRIPT)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert 10 <= report.pop("opened before the limit") <= 17
    assert report == {
        "socket()": ["TooManyOpenFiles", True, "socket", True],
        "accept()": "TooManyOpenFiles",
        "pair()": "TooManyOpenFiles",
        "create_connection()": "TooManyOpenFiles",
        "Selector()": "TooManyOpenFiles",
        "listener.last_error": 24,
        "recvmsg while exhausted": ["x", True, []],
        "after freeing one": "recovered",
        "descriptors back to baseline": True,
    }
