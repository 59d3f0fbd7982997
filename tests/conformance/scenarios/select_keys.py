# ruff: noqa: F403, F405 - a line-by-line port of select_keys.php: PHP's names come from star imports
"""Python port of select_keys.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_select keeps the keys of the ready sockets (string and integer keys alike).
a, b, c = [], [], []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, a)
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, b)
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, c)
socket_write(a[0], "x")
socket_write(c[0], "y")
read = {"first": a[1], "second": b[1], 7: c[1], "again": a[1]}
write = {10: a[0], "w": b[0]}
except_ = {}
var_dump(socket_select(read, write, except_, 0))
var_dump(list(read), list(write), except_)
var_dump(read["first"] is a[1], read[7] is c[1], write["w"] is b[0])
read = {"none": b[1]}
write = None
var_dump(socket_select(read, write, except_, 0), read)
socket_send(a[0], "!", 1, MSG_OOB)
read = {"r": a[1]}
except_ = {"oob": a[1], "quiet": b[1]}
var_dump(socket_select(read, write, except_, 0), list(read), list(except_))
for pair in [a, b, c]:
    socket_close(pair[0])
    socket_close(pair[1])
