<?php
// 64-byte round trips: the "client" times them, the "echo" side sends them back.
require __DIR__ . '/common.php';

[$role, $p] = parameters($argv);
$socket = inherited_socket($p['fd']);
const SIZE = 64;

if ($role === 'echo') {
    $cpu = cpu();
    while (true) {
        $data = socket_read($socket, SIZE);
        if ($data === '' || $data === false) {
            break;
        }
        socket_write($socket, $data);
    }
    report(['cpu' => cpu() - $cpu]);
}

function complete(Socket $socket, string $reply, string $message): void
{
    while (strlen($reply) < SIZE) {
        $more = socket_read($socket, SIZE);
        if ($more === '' || $more === false) {
            fail('the echo closed in the middle of a reply');
        }
        $reply .= $more;
    }
    if ($reply !== $message) {
        fail('the echo sent back something else');
    }
}

$message = '';
for ($i = 0; $i < SIZE; $i++) {
    $message .= chr($i);
}
$whole = cpu();
for ($i = 0; $i < $p['warmup']; $i++) {
    socket_write($socket, $message, SIZE);
    complete($socket, socket_read($socket, SIZE), $message);
}
$count = $p['count'];
$start = hrtime(true);
for ($i = 0; $i < $count; $i++) {
    socket_write($socket, $message, SIZE);
    $reply = socket_read($socket, SIZE);
    if ($reply !== $message) {
        complete($socket, $reply, $message);
    }
}
$seconds = (hrtime(true) - $start) / 1e9;
report([
    'seconds' => $seconds,
    'ops' => $count,
    'cpu' => cpu() - $whole,
    'cpu_ops' => $p['warmup'] + $count,
]);
