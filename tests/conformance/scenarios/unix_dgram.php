<?php require __DIR__ . '/_prelude.php';
// Unix datagram sockets: sendto a path, recvfrom reports the sender's path ("" if unnamed).
$serverPath = $DIR . "/dgram-server.sock";
$clientPath = $DIR . "/dgram-client.sock";
$server = socket_create(AF_UNIX, SOCK_DGRAM, 0);
var_dump(socket_bind($server, $serverPath));
$named = socket_create(AF_UNIX, SOCK_DGRAM, 0);
var_dump(socket_bind($named, $clientPath));
$unnamed = socket_create(AF_UNIX, SOCK_DGRAM, 0);
var_dump(socket_sendto($named, "from named", 10, 0, $serverPath));
var_dump(socket_sendto($unnamed, "from unnamed", 100, 0, $serverPath));
$port = "untouched";
var_dump(socket_recvfrom($server, $buf, 100, 0, $from, $port), $buf, str_replace($DIR, "DIR", $from), $port);
var_dump(socket_recvfrom($server, $buf, 4, 0, $from), $buf, $from);
var_dump(socket_sendto($unnamed, "lost", 4, 0, $DIR . "/nobody.sock"));
var_dump(socket_last_error($unnamed) === SOCKET_ENOENT);
var_dump(socket_sendto($unnamed, "x", 1, 0, $DIR . "/dgram-server.sock", 12345));
var_dump(socket_recv($server, $buf, 10, 0), $buf);
foreach ([$server, $named, $unnamed] as $s) { socket_close($s); }
unlink($serverPath);
unlink($clientPath);
