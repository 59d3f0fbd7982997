<?php require __DIR__ . '/_prelude.php';
// SCM_RIGHTS: descriptors passed over a Unix socket arrive as Sockets (sockets) or streams.
function kinds(array $data): array
{
    return array_map(fn($x) => $x instanceof Socket ? "Socket" : (is_resource($x) ? "stream" : "?"), $data);
}
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $channel);
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $passed);
file_put_contents("data.txt", "file contents\n");
$file = fopen("data.txt", "r");
// Streams are sent as given (Socket objects would be shifted by PHP 8.2).
$stream = socket_export_stream($passed[1]);
$control = [["level" => SOL_SOCKET, "type" => SCM_RIGHTS, "data" => [$stream, $file]]];
var_dump(socket_sendmsg($channel[0], ["iov" => ["fds"], "control" => $control], 0));
$m = ["controllen" => socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2)];
var_dump(socket_recvmsg($channel[1], $m, 0));
var_dump($m["iov"], $m["flags"], count($m["control"]));
$c = $m["control"][0];
var_dump($c["level"] === SOL_SOCKET, $c["type"] === SCM_RIGHTS, kinds($c["data"]));
[$sock, $fh] = $c["data"];
var_dump(socket_write($passed[0], "through the passed socket\n"));
var_dump(socket_read($sock, 100, PHP_NORMAL_READ));
var_dump(socket_write($sock, "and back"));
var_dump(socket_read($passed[0], 100));
var_dump(fread($fh, 100));
fclose($fh);
socket_close($sock);
// Room for nothing: the kernel drops the descriptors and reports MSG_CTRUNC.
var_dump(socket_sendmsg($channel[0], ["iov" => ["x"], "control" => $control], 0));
$m = ["controllen" => 1];
var_dump(socket_recvmsg($channel[1], $m, 0), $m["control"], $m["flags"] === MSG_CTRUNC);
// A closed socket, an int, and nothing at all are conversion errors.
$closed = socket_create(AF_UNIX, SOCK_STREAM, 0);
socket_close($closed);
foreach ([[$closed], [$file, 3], [], "x"] as $data) {
    var_dump(socket_sendmsg($channel[0], ["control" => [["level" => SOL_SOCKET, "type" => SCM_RIGHTS, "data" => $data]]]));
}
var_dump(socket_sendmsg($channel[0], ["control" => [["level" => SOL_SOCKET, "type" => SCM_RIGHTS]]]));
fclose($file);
foreach ([$channel[0], $channel[1], $passed[0], $passed[1]] as $s) { socket_close($s); }
