<?php require __DIR__ . '/_prelude.php';
// socket_select keeps the keys of the ready sockets (string and integer keys alike).
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $a);
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $b);
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $c);
socket_write($a[0], "x");
socket_write($c[0], "y");
$read = ["first" => $a[1], "second" => $b[1], 7 => $c[1], "again" => $a[1]];
$write = [10 => $a[0], "w" => $b[0]];
$except = [];
var_dump(socket_select($read, $write, $except, 0));
var_dump(array_keys($read), array_keys($write), $except);
var_dump($read["first"] === $a[1], $read[7] === $c[1], $write["w"] === $b[0]);
$read = ["none" => $b[1]];
$write = null;
var_dump(socket_select($read, $write, $except, 0), $read);
socket_send($a[0], "!", 1, MSG_OOB);
$read = ["r" => $a[1]];
$except = ["oob" => $a[1], "quiet" => $b[1]];
var_dump(socket_select($read, $write, $except, 0), array_keys($read), array_keys($except));
foreach ([$a, $b, $c] as $pair) { socket_close($pair[0]); socket_close($pair[1]); }
