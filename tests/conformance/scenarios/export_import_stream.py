# ruff: noqa: F403, F405 - a line-by-line port of export_import_stream.php: PHP's names come from star imports
"""Python port of export_import_stream.php (sockkit.compat)."""

import socket

from _prelude import *

from sockkit.compat import *

# socket_export_stream / socket_import_stream: one connection, two faces.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
stream = socket_export_stream(a)
var_dump(not stream.closed)
var_dump(socket_export_stream(a) is stream)
var_dump(stream.write(b"through the stream\n"))
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_write(b, "through the socket\n"))
var_dump(stream.readline())
again = socket_import_stream(stream)
echo("imported\n" if isinstance(again, Socket) else "failed\n")
var_dump(socket_get_option(again, SOL_SOCKET, SO_TYPE) == SOCK_STREAM)
var_dump(socket_write(again, "via the import\n"))
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
server = socket.create_server(("127.0.0.1", PORT))
imported = socket_import_stream(server)
addr, port = Ref(), Ref()
var_dump(socket_getsockname(imported, addr, port), addr.value, port.value == PORT)
client = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_connect(client, "127.0.0.1", PORT))
conn = socket_accept(imported)
echo("accepted\n" if isinstance(conn, Socket) else "failed\n")
file = open(__file__, "rb")  # noqa: SIM115 - closed below, as the PHP script does
var_dump(socket_import_stream(file))
file.close()
try:
    socket_import_stream(file)
except Exception as e:
    caught(e)
socket_close(a)
var_dump(not stream.closed)
for x in [b, conn, client, imported]:
    socket_close(x)
again.close()  # the socket $a itself, closed already: PHP frees $again at exit
