<?php require __DIR__ . '/_prelude.php';
// ECONNREFUSED: nothing listens on the port.
$s = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_connect($s, "127.0.0.1", $PORT));
var_dump(socket_last_error($s), socket_last_error());
var_dump(socket_last_error($s) === SOCKET_ECONNREFUSED);
echo socket_strerror(socket_last_error($s)), "\n";
socket_clear_error();
var_dump(socket_last_error($s), socket_last_error());
try { socket_connect($s, "127.0.0.1"); } catch (Throwable $e) { caught($e); }
try { socket_connect($s, "127.0.0.1", null); } catch (Throwable $e) { caught($e); }
socket_close($s);
$u = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_connect($u, $DIR . "/nobody-listens.sock"));
var_dump(socket_last_error($u));
socket_close($u);
