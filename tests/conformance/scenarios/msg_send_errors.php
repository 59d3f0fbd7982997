<?php require __DIR__ . '/_prelude.php';
// socket_sendmsg's conversion errors (warning + false, no error code) and argument errors.
socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, $p);
$s = $p[0];
$messages = [
    ["iov" => 5],
    ["control" => 5],
    ["control" => [5]],
    ["control" => [["level" => SOL_SOCKET, "type" => 999]]],
    ["control" => [["level" => "x", "type" => 1]]],
    ["control" => [["level" => 2 ** 40, "type" => 1]]],
    ["control" => [["level" => SOL_SOCKET, "type" => true]]],
    ["control" => ["a" => ["level" => SOL_SOCKET, "type" => SCM_RIGHTS, "data" => [STDIN]], "b" => 7]],
    ["name" => 5],
    ["name" => ["path" => ""]],
    ["name" => ["path" => str_repeat("a", 108)]],
    ["name" => ["family" => AF_INET, "addr" => "127.0.0.1"]],
    ["name" => ["family" => AF_INET6]],
    ["name" => ["family" => 99]],
    ["name" => ["family" => "unix"]],
    ["name" => ["path" => "no-such.sock"], "iov" => ["x"]],
    ["name" => ["family" => null, "path" => "no-such.sock"], "iov" => 7],
];
foreach ($messages as $message) {
    var_dump(socket_sendmsg($s, $message, 0));
}
var_dump(socket_last_error(), socket_last_error($s));
var_dump(socket_sendmsg($s, ["iov" => ["list"]], MSG_DONTWAIT));
try { socket_sendmsg($s, 5); } catch (Throwable $e) { caught($e); }
try { socket_sendmsg($s, [], 2 ** 40); } catch (Throwable $e) { caught($e); }
try { socket_sendmsg(5, []); } catch (Throwable $e) { caught($e); }
socket_close($p[1]);
var_dump(socket_sendmsg($s, ["iov" => ["to nobody"]]));
var_dump(socket_last_error($s));
socket_close($s);
try { socket_sendmsg($s, []); } catch (Throwable $e) { caught($e); }
