<?php require __DIR__ . '/_prelude.php';
// A select() loop server: accept readiness, a non-blocking connect completing, echo, EOF.
$server = socket_create_listen($PORT, 5);
socket_set_nonblock($server);
$client = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);
socket_set_nonblock($client);
var_dump(socket_connect($client, "127.0.0.1", $PORT), socket_last_error($client) === SOCKET_EINPROGRESS);
$r = null; $w = [$client]; $e = null;
var_dump(socket_select($r, $w, $e, 5), socket_get_option($client, SOL_SOCKET, SO_ERROR));
$clients = [];
$sent = false;
$log = [];
for ($round = 0; $round < 20 && count($log) < 4; $round++) {
    $read = array_merge(["listener" => $server], $clients);
    $write = $sent ? null : [$client];
    $except = null;
    if (socket_select($read, $write, $except, 5) === false) { break; }
    if ($write) { socket_write($client, "hello select\n"); $sent = true; $log[] = "client wrote"; }
    foreach ($read as $key => $sock) {
        if ($key === "listener") {
            $clients["conn"] = socket_accept($server);
            $log[] = "accepted";
        } else {
            $data = socket_read($sock, 100);
            $log[] = "$key read " . json_encode($data);
            if ($data === "") { unset($clients[$key]); socket_close($sock); }
            else { socket_write($sock, strtoupper($data)); socket_shutdown($sock, 1); }
        }
    }
    if (count($log) === 3) { socket_shutdown($client, 1); }
}
var_dump($log);
socket_set_block($client);
var_dump(socket_read($client, 100));
socket_close($client);
socket_close($server);
