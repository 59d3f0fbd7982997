<?php
// Read $count 40-byte lines one at a time with PHP_NORMAL_READ.
require __DIR__ . '/common.php';

[$role, $p] = parameters($argv);
$socket = inherited_socket($p['fd']);
$count = $p['count'];

socket_write($socket, 'g');
$cpu = cpu();
$start = hrtime(true);
for ($i = 0; $i < $count; $i++) {
    $line = socket_read($socket, 2048, PHP_NORMAL_READ);
    if ($line === false || strlen($line) !== 40 || $line[39] !== "\n") {
        fail("line $i is " . var_export($line, true));
    }
    if ($i % 1000 === 0 && $line !== line($i)) {
        fail("line $i is " . var_export($line, true));
    }
}
$seconds = (hrtime(true) - $start) / 1e9;
$cpu = cpu() - $cpu;
if (socket_recv($socket, $rest, 1, 0) !== 0) {
    fail('data left after the last line');
}
report(['seconds' => $seconds, 'cpu' => $cpu, 'ops' => $count]);
