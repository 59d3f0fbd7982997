<?php
// Shared by the PHP benchmark scripts: the same protocol as benchmarks/workers.py.
// Usage of every script: php SCRIPT.php ROLE JSON-PARAMETERS
// It prints one JSON object: {"seconds": s, "cpu": c, "ops": n} (wall-clock and CPU
// seconds), {"failed": "why"}, or {"cpu": c} for a helper (an echo side, a sender).
declare(strict_types=1);

error_reporting(E_ALL);

function parameters(array $argv): array
{
    if (count($argv) !== 3) {
        fwrite(STDERR, "usage: php {$argv[0]} ROLE JSON-PARAMETERS\n");
        exit(2);
    }
    return [$argv[1], json_decode($argv[2], true, 8, JSON_THROW_ON_ERROR)];
}

// A descriptor the runner passed down, as a blocking Socket.
function inherited_socket(int $fd): Socket
{
    $stream = fopen("php://fd/$fd", "r+");
    $socket = socket_import_stream($stream);  // keeps the stream alive
    if ($socket === false) {
        fail("socket_import_stream(php://fd/$fd) failed");
    }
    socket_set_block($socket);
    return $socket;
}

function report(array $result): void
{
    echo json_encode((object) $result), "\n";
    exit(0);
}

function fail(string $message): never
{
    fwrite(STDERR, "wrong result: $message\n");
    exit(1);
}

// Bulk data: byte i of the stream is i % 256; one chunk plus a period of slack.
const CHUNK = 65536;
function pattern(): string
{
    $period = '';
    for ($i = 0; $i < 256; $i++) {
        $period .= chr($i);
    }
    return str_repeat($period, intdiv(CHUNK, 256) + 1);
}

function line(int $index): string
{
    return sprintf("%039d\n", $index);
}

// CPU time (user + system) of this process, in seconds.
function cpu(): float
{
    $usage = getrusage();
    return $usage['ru_utime.tv_sec'] + $usage['ru_utime.tv_usec'] / 1e6
        + $usage['ru_stime.tv_sec'] + $usage['ru_stime.tv_usec'] / 1e6;
}
