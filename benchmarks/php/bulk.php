<?php
// $total bytes one way in 64 KiB chunks ("send" and "receive" roles).
require __DIR__ . '/common.php';

[$role, $p] = parameters($argv);
$socket = inherited_socket($p['fd']);
$total = $p['total'];
$pattern = pattern();
const CHECK_EVERY = 64;

if ($role === 'send') {
    $chunk = substr($pattern, 0, CHUNK);
    if (socket_read($socket, 1) !== 'g') {
        fail('no start signal from the receiver');
    }
    $cpu = cpu();
    $chunks = intdiv($total, CHUNK);
    for ($i = 0; $i < $chunks; $i++) {
        $sent = socket_write($socket, $chunk);
        while ($sent !== false && $sent < CHUNK) {  // a partial write
            $more = socket_write($socket, substr($chunk, $sent));
            $sent = $more === false ? false : $sent + $more;
        }
        if ($sent === false) {
            fail('socket_write failed');
        }
    }
    $rest = $total % CHUNK;
    if ($rest && socket_write($socket, substr($chunk, 0, $rest)) !== $rest) {
        fail('socket_write failed');
    }
    report(['cpu' => cpu() - $cpu]);
}

socket_write($socket, 'g');
$cpu = cpu();
$start = hrtime(true);
$got = 0;
$calls = 0;
while ($got < $total) {
    $count = socket_recv($socket, $data, CHUNK, 0);
    if (!$count) {
        fail("end of stream after $got of $total bytes");
    }
    $calls++;
    if ($calls % CHECK_EVERY === 0 && $data !== substr($pattern, $got % 256, $count)) {
        fail("corrupt data at byte $got");
    }
    $got += $count;
}
$seconds = (hrtime(true) - $start) / 1e9;
$cpu = cpu() - $cpu;
if ($got !== $total) {
    fail("received $got bytes, $total were sent");
}
report(['seconds' => $seconds, 'cpu' => $cpu, 'ops' => $total]);
