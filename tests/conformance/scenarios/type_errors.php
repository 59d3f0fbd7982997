<?php require __DIR__ . '/_prelude.php';
// PHP 8's TypeError texts, with PHP's type names.
$s = socket_create(AF_INET, SOCK_STREAM, 0);
$tries = [
    fn() => socket_bind("not a socket", "127.0.0.1"),
    fn() => socket_bind(null, "127.0.0.1"),
    fn() => socket_bind([], "127.0.0.1"),
    fn() => socket_bind(42, "127.0.0.1"),
    fn() => socket_bind(1.5, "127.0.0.1"),
    fn() => socket_bind(true, "127.0.0.1"),
    fn() => socket_last_error("x"),
    fn() => socket_clear_error([]),
    fn() => socket_write($s, []),
    fn() => socket_read($s, []),
    fn() => socket_read($s, "ten"),
    fn() => socket_send($s, [], 1, 0),
    fn() => socket_strerror("abc"),
    fn() => socket_create([], SOCK_STREAM, 0),
    fn() => socket_create_listen("port"),
    fn() => socket_get_option($s, [], SO_TYPE),
    fn() => socket_set_option($s, SOL_SOCKET, "x", 1),
    fn() => socket_connect($s, [], 80),
    fn() => socket_accept(new stdClass()),
    fn() => socket_import_stream(5),
    fn() => socket_import_stream($s),
];
foreach ($tries as $try) {
    try { $try(); echo "no error\n"; } catch (Throwable $e) { caught($e); }
}
socket_close($s);
