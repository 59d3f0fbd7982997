# ruff: noqa: F403, F405 - a line-by-line port of create_pair.php: PHP's names come from star imports
"""Python port of create_pair.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_create_pair: the pair array is filled; failures leave it alone.
pair = []
var_dump(socket_create_pair(AF_UNIX, SOCK_STREAM, 0, pair))
var_dump(len(pair))
var_dump(socket_write(pair[0], "ping\n"))
var_dump(socket_read(pair[1], 100))
var_dump(socket_write(pair[1], "pong"))
var_dump(socket_read(pair[0], 2))
var_dump(socket_read(pair[0], 2))
other = Ref("untouched")
var_dump(socket_create_pair(AF_INET, SOCK_STREAM, 0, other))
var_dump(other.value)
var_dump(socket_last_error())
try:
    socket_create_pair(99, SOCK_STREAM, 0, other)
except Exception as e:
    caught(e)
try:
    socket_create_pair(AF_UNIX, 11, 0, other)
except Exception as e:
    caught(e)
dgram = {}
var_dump(socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, dgram))
var_dump(socket_send(dgram[0], "one", 3, 0))
var_dump(socket_send(dgram[0], "two", 3, 0))
buf = Ref()
var_dump(socket_recv(dgram[1], buf, 100, 0), buf.value)
var_dump(socket_recv(dgram[1], buf, 2, 0), buf.value)
for s in [pair[0], pair[1], dgram[0], dgram[1]]:
    socket_close(s)
