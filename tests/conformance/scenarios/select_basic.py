# ruff: noqa: F403, F405 - a line-by-line port of select_basic.php: PHP's names come from star imports
"""Python port of select_basic.php (sockkit.compat)."""

import time

from _prelude import *

from sockkit.compat import *

# socket_select over lists: readiness, in-place filtering, counts, timeouts, null sets.
a, b = [], []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, a)
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, b)
read, write, except_ = [a[1], b[1]], None, None
var_dump(socket_select(read, write, except_, 0))
var_dump(len(read))
socket_write(a[0], "ping")
read, write = [a[1], b[1]], [a[0], b[0]]
var_dump(socket_select(read, write, except_, 0))
var_dump(len(read), read[0] is a[1], len(write), write[1] is b[0])
read, write = [b[1]], None
t = time.monotonic()
var_dump(socket_select(read, write, except_, 0, 200000), read)
elapsed = time.monotonic() - t
var_dump(elapsed >= 0.15 and elapsed < 2.0)
read = [b[1]]
var_dump(socket_select(read, write, except_, 0, 1000000 + 50000), read)
read, write = [a[1], a[1]], [a[1]]
var_dump(socket_select(read, write, except_, None))
var_dump(len(read), len(write))
var_dump(socket_read(a[1], 10))
socket_shutdown(b[0], 1)
read = [a[1], b[1]]
var_dump(socket_select(read, write, except_, 1), read[0] is b[1])
var_dump(socket_read(b[1], 10))
read, write = [a[1]], None
var_dump(socket_select(read, write, except_, -1), read[0] is a[1])
var_dump(socket_last_error(), socket_last_error(a[1]))
var_dump(socket_select(read, write, except_, 0, -5))
var_dump(socket_select(read, write, except_, -3, 3500000), len(read))
socket_clear_error()
var_dump(socket_last_error())
for s in [a[0], a[1], b[0], b[1]]:
    socket_close(s)
