# ruff: noqa: F403, F405 - a line-by-line port of select_errors.php: PHP's names come from star imports
"""Python port of select_errors.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_select's argument errors: element types, closed sockets, no sockets at all.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
closed = socket_create(AF_INET, SOCK_STREAM, 0)
socket_close(closed)
n = None
cases = {
    "int element": [[p[0], 5], None, None],
    "string in write": [None, ["x"], None],
    "null in except": [[p[0]], [], [None]],
    "float": [[1.5], None, None],
    "bool": [[True], None, None],
    "nested array": [[[p[0]]], None, None],
    "closed in read": [[p[0], closed], None, None],
    "closed in write": [[p[0]], [closed], None],
    "closed in except": [None, None, [closed]],
    "all null": [None, None, None],
    "all empty": [[], [], []],
}
for label, (r, w, e) in cases.items():
    echo(label, ": ")
    try:
        var_dump(socket_select(r, w, e, 0))
    except Exception as ex:
        caught(ex)
r = [p[0]]
try:
    x = 5
    socket_select(x, n, n, 0)
except Exception as ex:
    caught(ex)
try:
    t = {}
    socket_select(r, n, n, 0, t)
except Exception as ex:
    caught(ex)
var_dump(socket_last_error())
socket_close(p[0])
socket_close(p[1])
