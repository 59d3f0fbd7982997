<?php require __DIR__ . '/_prelude.php';
// socket_export_stream / socket_import_stream: one connection, two faces.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
[$a, $b] = $p;
$stream = socket_export_stream($a);
var_dump(is_resource($stream));
var_dump(socket_export_stream($a) === $stream);
var_dump(fwrite($stream, "through the stream\n"));
var_dump(socket_read($b, 100, PHP_NORMAL_READ));
var_dump(socket_write($b, "through the socket\n"));
var_dump(fgets($stream));
$again = socket_import_stream($stream);
echo $again instanceof Socket ? "imported\n" : "failed\n";
var_dump(socket_get_option($again, SOL_SOCKET, SO_TYPE) === SOCK_STREAM);
var_dump(socket_write($again, "via the import\n"));
var_dump(socket_read($b, 100, PHP_NORMAL_READ));
$server = stream_socket_server("tcp://127.0.0.1:$PORT");
$imported = socket_import_stream($server);
var_dump(socket_getsockname($imported, $addr, $port), $addr, $port === $PORT);
$client = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_connect($client, "127.0.0.1", $PORT));
$conn = socket_accept($imported);
echo $conn instanceof Socket ? "accepted\n" : "failed\n";
$file = fopen(__FILE__, "r");
var_dump(socket_import_stream($file));
fclose($file);
try { socket_import_stream($file); } catch (Throwable $e) { caught($e); }
socket_close($a);
var_dump(is_resource($stream));
foreach ([$b, $conn, $client, $imported] as $x) { socket_close($x); }
