<?php require __DIR__ . '/_prelude.php';
// UDP on loopback: sendto/recvfrom, truncated datagrams, the sender's address and port.
$server = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP);
var_dump(socket_bind($server, "127.0.0.1", $PORT));
$client = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP);
var_dump(socket_bind($client, "127.0.0.1"));
socket_getsockname($client, $clientAddr, $clientPort);
var_dump(socket_sendto($client, "first datagram", 100, 0, "127.0.0.1", $PORT));
var_dump(socket_sendto($client, "second", 3, 0, "localhost", $PORT));
var_dump(socket_sendto($client, "", 0, 0, "127.0.0.1", $PORT));
var_dump(socket_recvfrom($server, $buf, 5, 0, $from, $port), $buf, $from, $port === $clientPort);
var_dump(socket_recvfrom($server, $buf, 100, 0, $from, $port), $buf, $from);
var_dump(socket_recvfrom($server, $buf, 100, 0, $from, $port), $buf, $from);
$buf = $from = $port = "untouched";
var_dump(socket_recvfrom($server, $buf, 0, 0, $from, $port), $buf, $from, $port);
var_dump(socket_recvfrom($server, $buf, 100, MSG_DONTWAIT, $from, $port), $buf, $from, $port);
var_dump(socket_last_error($server) === SOCKET_EAGAIN);
try { socket_sendto($client, "x", 1, 0, "127.0.0.1"); } catch (Throwable $e) { caught($e); }
try { socket_sendto($client, "x", -1, 0, "127.0.0.1", $PORT); } catch (Throwable $e) { caught($e); }
try { socket_recvfrom($server, $buf, 10, 0, $from); } catch (Throwable $e) { echo $e->getMessage(), "\n"; }
var_dump(socket_connect($client, "127.0.0.1", $PORT));
var_dump(socket_send($client, "connected", 9, 0));
var_dump(socket_recvfrom($server, $buf, 100, 0, $from, $port), $buf, $port === $clientPort);
socket_close($client);
socket_close($server);
