<?php
// socket_select over $n sockets (both ends of $n/2 pairs), exactly one readable, timeout 0.
require __DIR__ . '/common.php';

[$role, $p] = parameters($argv);
$n = $p['n'];
$waits = $p['waits'];

$everyone = [];
for ($i = 0; $i < intdiv($n, 2); $i++) {
    if (!socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $pair)) {
        fail('socket_create_pair failed: ' . socket_strerror(socket_last_error()));
    }
    $everyone[] = $pair[0];
    $everyone[] = $pair[1];
}
$middle = intdiv($n, 2) & ~1;
socket_write($everyone[$middle], 'x');
$write = null;
$except = null;

$read = $everyone;
$found = @socket_select($read, $write, $except, 0);
if ($found === false) {
    // Above FD_SETSIZE PHP refuses: a failure, never a time.
    $error = error_get_last();
    $why = $error === null ? socket_strerror(socket_last_error()) : strtok($error['message'], "\n");
    report(['failed' => "socket_select: $why"]);
}
if ($found !== 1 || array_keys($read) !== [$middle + 1]) {
    fail("expected one ready socket, got $found");
}
for ($i = 0; $i < max(intdiv($waits, 20), 20); $i++) {
    $read = $everyone;
    socket_select($read, $write, $except, 0);
}
$hits = 0;
$cpu = cpu();
$start = hrtime(true);
for ($i = 0; $i < $waits; $i++) {
    $read = $everyone;
    $hits += socket_select($read, $write, $except, 0);
}
$seconds = (hrtime(true) - $start) / 1e9;
$cpu = cpu() - $cpu;
if ($hits !== $waits) {
    fail("$hits sockets reported ready over $waits waits, expected $waits");
}
report(['seconds' => $seconds, 'cpu' => $cpu, 'ops' => $waits]);
