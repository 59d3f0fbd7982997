<?php require __DIR__ . '/_prelude.php';
// Unix path limits: sizeof(sun_path) is 108 on Linux.
$s = socket_create(AF_UNIX, SOCK_STREAM, 0);
try { socket_bind($s, str_repeat("a", 108)); } catch (Throwable $e) { caught($e); }
try { socket_connect($s, str_repeat("b", 200)); } catch (Throwable $e) { caught($e); }
var_dump(socket_connect($s, "/" . str_repeat("c", 106)));
var_dump(socket_last_error($s) === SOCKET_ENOENT);
var_dump(socket_bind($s, $DIR . "/no/such/dir/x.sock"));
var_dump(socket_last_error($s) === SOCKET_ENOENT);
try { socket_bind($s, []); } catch (Throwable $e) { caught($e); }
socket_close($s);
$u = socket_create(AF_UNIX, SOCK_DGRAM, 0);
var_dump(socket_sendto($u, "x", 1, 0, "/" . str_repeat("d", 100)));
var_dump(socket_last_error($u) === SOCKET_ENOENT);
socket_close($u);
