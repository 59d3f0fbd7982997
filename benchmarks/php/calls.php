<?php
// 64-byte write+read pairs over a socket pair in one process: the cost of a call.
require __DIR__ . '/common.php';

[$role, $p] = parameters($argv);
const SIZE = 64;
if (!socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $pair)) {
    fail('socket_create_pair failed');
}
[$one, $two] = $pair;
$message = '';
for ($i = 0; $i < SIZE; $i++) {
    $message .= chr($i);
}

function pairs(Socket $one, Socket $two, string $message, int $times): void
{
    for ($i = 0; $i < $times; $i++) {
        socket_write($one, $message);
        if (socket_read($two, SIZE) !== $message) {
            fail('a reply other than the message');
        }
    }
}

pairs($one, $two, $message, $p['warmup']);
$count = $p['count'];
$cpu = cpu();
$start = hrtime(true);
pairs($one, $two, $message, $count);
report([
    'seconds' => (hrtime(true) - $start) / 1e9,
    'cpu' => cpu() - $cpu,
    'ops' => $count,
]);
