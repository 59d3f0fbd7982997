<?php require __DIR__ . '/_prelude.php';
// socket_create_pair: the pair array is filled; failures leave it alone.
$pair = "untouched";
var_dump(socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $pair));
var_dump(count($pair));
var_dump(socket_write($pair[0], "ping\n"));
var_dump(socket_read($pair[1], 100));
var_dump(socket_write($pair[1], "pong"));
var_dump(socket_read($pair[0], 2));
var_dump(socket_read($pair[0], 2));
$other = "untouched";
var_dump(socket_create_pair(AF_INET, SOCK_STREAM, 0, $other));
var_dump($other);
var_dump(socket_last_error());
try { socket_create_pair(99, SOCK_STREAM, 0, $other); } catch (Throwable $e) { caught($e); }
try { socket_create_pair(AF_UNIX, 11, 0, $other); } catch (Throwable $e) { caught($e); }
var_dump(socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, $dgram));
var_dump(socket_send($dgram[0], "one", 3, 0));
var_dump(socket_send($dgram[0], "two", 3, 0));
var_dump(socket_recv($dgram[1], $buf, 100, 0), $buf);
var_dump(socket_recv($dgram[1], $buf, 2, 0), $buf);
foreach ([$pair[0], $pair[1], $dgram[0], $dgram[1]] as $s) { socket_close($s); }
