<?php
// Shared by every PHP scenario: warnings go to stdout as "Warning: <message>" (file and
// line left out, so the output compares with the Python port's), "@" still silences.
error_reporting(E_ALL);
set_error_handler(function (int $no, string $str): bool {
    if (!(error_reporting() & $no)) {
        return true;
    }
    $kind = [E_WARNING => 'Warning', E_NOTICE => 'Notice', E_DEPRECATED => 'Deprecated'][$no] ?? "Error($no)";
    echo "$kind: $str\n";
    return true;
});

function caught(Throwable $e): void
{
    echo get_class($e), ": ", $e->getMessage(), "\n";
}

$PORT = (int) ($argv[1] ?? 0);
$DIR = $argv[2] ?? sys_get_temp_dir();
