<?php require __DIR__ . '/_prelude.php';
// socket_create: argument errors, OS errors (global last error only), success.
try { socket_create(99, SOCK_STREAM, 0); } catch (Throwable $e) { caught($e); }
try { socket_create(AF_INET, 11, 0); } catch (Throwable $e) { caught($e); }
try { socket_create(AF_INET, SOCK_STREAM, []); } catch (Throwable $e) { caught($e); }
var_dump(socket_create(AF_INET, SOCK_STREAM, 999));
var_dump(socket_last_error());
var_dump(socket_create(AF_INET, SOCK_STREAM, 1));
var_dump(socket_last_error());
var_dump(socket_create(AF_INET, -1, 0));
echo socket_strerror(socket_last_error()), "\n";
$s = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP);
echo $s instanceof Socket ? "Socket\n" : "not a socket\n";
var_dump(socket_last_error($s));
var_dump(socket_get_option($s, SOL_SOCKET, SO_TYPE) === SOCK_DGRAM);
socket_clear_error();
var_dump(socket_last_error());
socket_close($s);
