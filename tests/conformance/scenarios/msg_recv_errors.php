<?php require __DIR__ . '/_prelude.php';
// socket_recvmsg's request array, its conversion errors, and its failures (EAGAIN warns).
socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, $p);
$requests = [
    [],
    ["buffer_size" => 10],
    ["controllen" => 0],
    ["controllen" => -1],
    ["controllen" => 2 ** 32],
    ["controllen" => "abc"],
    ["controllen" => "12abc"],
    ["controllen" => true],
    ["controllen" => null],
    ["controllen" => [1]],
    ["controllen" => 10, "buffer_size" => -1],
    ["controllen" => 10, "buffer_size" => 200 * 1024 * 1024],
    ["controllen" => 10, "buffer_size" => "x"],
    ["controllen" => 10, "name" => 5],
    ["controllen" => 10, "name" => ["family" => AF_INET]],
    ["controllen" => 10, "name" => ["family" => AF_INET6]],
    ["controllen" => 10, "name" => ["family" => 77]],
    ["controllen" => 10, "name" => ["family" => "x"]],
];
foreach ($requests as $m) {
    var_dump(socket_recvmsg($p[1], $m, MSG_DONTWAIT), $m);
}
var_dump(socket_last_error());
$m = ["controllen" => 10, "unknown" => "ignored", "name" => ["family" => AF_UNIX]];
var_dump(socket_recvmsg($p[1], $m, MSG_DONTWAIT), $m);
var_dump(socket_last_error(), socket_last_error($p[1]));
socket_set_nonblock($p[1]);
var_dump(socket_recvmsg($p[1], $m));
try { $x = 5; socket_recvmsg($p[1], $x); } catch (Throwable $e) { caught($e); }
try { socket_recvmsg($p[1], $m, 2 ** 40); } catch (Throwable $e) { caught($e); }
socket_close($p[1]);
try { socket_recvmsg($p[1], $m); } catch (Throwable $e) { caught($e); }
socket_close($p[0]);
