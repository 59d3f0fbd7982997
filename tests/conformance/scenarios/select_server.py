# ruff: noqa: F403, F405 - a line-by-line port of select_server.php: PHP's names come from star imports
"""Python port of select_server.php (sockkit.compat)."""

import json

from _prelude import *

from sockkit.compat import *

# A select() loop server: accept readiness, a non-blocking connect completing, echo, EOF.
server = socket_create_listen(PORT, 5)
socket_set_nonblock(server)
client = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
socket_set_nonblock(client)
var_dump(socket_connect(client, "127.0.0.1", PORT), socket_last_error(client) == SOCKET_EINPROGRESS)
r, w, e = None, [client], None
var_dump(socket_select(r, w, e, 5), socket_get_option(client, SOL_SOCKET, SO_ERROR))
clients = {}
sent = False
log = []
for _round in range(20):
    if len(log) >= 4:
        break
    read = {"listener": server, **clients}
    write = None if sent else [client]
    except_ = None
    if socket_select(read, write, except_, 5) is False:
        break
    if write:
        socket_write(client, "hello select\n")
        sent = True
        log.append("client wrote")
    for key, sock in list(read.items()):
        if key == "listener":
            clients["conn"] = socket_accept(server)
            log.append("accepted")
        else:
            data = socket_read(sock, 100)
            log.append(f"{key} read " + json.dumps(data.decode()))
            if data == b"":
                del clients[key]
                socket_close(sock)
            else:
                socket_write(sock, data.upper())
                socket_shutdown(sock, 1)
    if len(log) == 3:
        socket_shutdown(client, 1)
var_dump(log)
socket_set_block(client)
var_dump(socket_read(client, 100))
socket_close(client)
socket_close(server)
