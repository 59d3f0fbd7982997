# ruff: noqa: F403, F405 - a line-by-line port of coercion.php: PHP's names come from star imports
"""Python port of coercion.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

NAN = float("nan")
INF = float("inf")
PHP_INT_MIN = -(2**63)

# PHP's default (coercive) mode: how internal functions take scalars of other types.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
values = [
    5, 2.0, 1.5, -0.5, 1e20, NAN, INF, True, False, None, "12", " 12", "12 ", "\n12\n",
    "1.5", "2.0", "1e3", "12abc", "abc", "", "0x1A", " ", "1e100", "+3", "-3", ".5", "5.",
    "9223372036854775808", "1.5abc", 0.1 + 0.2, 1e15, 0.00001, -0.0, 123.456789012345678, [],
]  # fmt: skip
for value in values:
    try:
        var_dump(socket_strerror(value))
    except Exception as e:
        caught(e)
    try:
        n = socket_write(p[0], value)
        var_dump(n, socket_read(p[1], 100) if n else None)
    except Exception as e:
        caught(e)
    try:
        n = socket_write(p[0], "abcdefghijklmnopqrstuvwxyz", value)
        var_dump(n, socket_read(p[1], 100) if n else None)
    except Exception as e:
        caught(e)
# The six lines of the ported programs.
unix = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_bind(unix, f"{DIR}/x.sock", None))
tcp = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_connect(tcp, "127.0.0.1", str(PORT)))
var_dump(socket_last_error(tcp))
r = [p[1]]
w = None
x = None
var_dump(socket_select(r, w, x, 1.0))
r = [p[1]]
var_dump(socket_select(r, w, x, "0"))
var_dump(socket_write(p[0], 12345))
var_dump(socket_send(p[0], "abc", 2.0, 0))
var_dump(socket_read(p[1], "10", "2"))
# By reference, numeric strings for the lengths and flags.
socket_write(p[0], "hello")
data = Ref()
var_dump(socket_recv(p[1], data, "3", "0"), data.value)
var_dump(socket_read(p[1], 2.0, True))
made = socket_create("2", "1", "0")
var_dump(isinstance(made, Socket))
socket_close(made)
var_dump(socket_get_option(p[0], "1", str(SO_TYPE)))
var_dump(socket_shutdown(p[0], "1"))
var_dump(socket_cmsg_space("1", "1", "1"))
try:
    socket_listen(p[0], "5x")
except Exception as e:
    caught(e)
try:
    socket_last_error(5)
except Exception as e:
    caught(e)
try:
    socket_select(r, w, x, "x")
except Exception as e:
    caught(e)
r = [p[1]]
var_dump(socket_select(r, w, x, 0, "1000"))
try:
    socket_select(5, w, x, 0)
except Exception as e:
    caught(e)
var_dump(socket_read(p[1], None))
# Argument counts.
tries = [
    lambda: socket_connect(tcp),
    lambda: socket_accept(),
    lambda: socket_accept(tcp, 1),
    lambda: socket_write(tcp, "a", 1, 2),
    lambda: socket_last_error(None, 1),
    lambda: socket_create_pair(AF_UNIX, SOCK_STREAM, 0),
    lambda: socket_close(tcp, 1, 2),
    lambda: socket_strerror(PHP_INT_MIN),
    lambda: socket_strerror(2147483648),
    lambda: socket_select(r, w, x),
    lambda: socket_select(r, w, x, 0, 0, 1),
]
for attempt in tries:
    try:
        attempt()
        echo("no error\n")
    except Exception as e:
        caught(e)
# Soft failures: the kernel's answer, as a warning and false.
var_dump(socket_set_option(p[1], SOL_SOCKET, SO_RCVTIMEO, {"sec": 0, "usec": 1000000}))
var_dump(socket_last_error(p[1]))
var_dump(socket_set_option(p[1], SOL_SOCKET, SO_SNDTIMEO, {"sec": -1, "usec": 0}))
u = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_connect(u, ""))
var_dump(socket_last_error(u))
var_dump(silenced(socket_connect, u, ""))
for s in (p[0], p[1], unix, tcp, u):
    socket_close(s)
