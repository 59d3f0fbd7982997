<?php require __DIR__ . '/_prelude.php';
// Every function refuses a closed socket with PHP's Error.
$s = socket_create(AF_INET, SOCK_STREAM, 0);
socket_close($s);
$calls = [
    'socket_close' => fn() => socket_close($s),
    'socket_bind' => fn() => socket_bind($s, "127.0.0.1", 0),
    'socket_connect' => fn() => socket_connect($s, "127.0.0.1", 1),
    'socket_listen' => fn() => socket_listen($s),
    'socket_accept' => fn() => socket_accept($s),
    'socket_read' => fn() => socket_read($s, 10),
    'socket_write' => fn() => socket_write($s, "x"),
    'socket_recv' => function () use ($s) { return socket_recv($s, $buf, 10, 0); },
    'socket_send' => fn() => socket_send($s, "x", 1, 0),
    'socket_recvfrom' => function () use ($s) { return socket_recvfrom($s, $b, 10, 0, $a, $p); },
    'socket_sendto' => fn() => socket_sendto($s, "x", 1, 0, "127.0.0.1", 1),
    'socket_getsockname' => function () use ($s) { return socket_getsockname($s, $a); },
    'socket_getpeername' => function () use ($s) { return socket_getpeername($s, $a); },
    'socket_get_option' => fn() => socket_get_option($s, SOL_SOCKET, SO_TYPE),
    'socket_set_option' => fn() => socket_set_option($s, SOL_SOCKET, SO_REUSEADDR, 1),
    'socket_getopt' => fn() => socket_getopt($s, SOL_SOCKET, SO_TYPE),
    'socket_setopt' => fn() => socket_setopt($s, SOL_SOCKET, SO_REUSEADDR, 1),
    'socket_shutdown' => fn() => socket_shutdown($s),
    'socket_set_block' => fn() => socket_set_block($s),
    'socket_set_nonblock' => fn() => socket_set_nonblock($s),
    'socket_last_error' => fn() => socket_last_error($s),
    'socket_clear_error' => fn() => socket_clear_error($s),
    'socket_export_stream' => fn() => socket_export_stream($s),
];
foreach ($calls as $name => $call) {
    try { $call(); echo "$name: no error\n"; } catch (Throwable $e) { caught($e); }
}
var_dump(socket_last_error());
