<?php require __DIR__ . '/_prelude.php';
// PHP's default (coercive) mode: how internal functions take scalars of other types.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
$values = [5, 2.0, 1.5, -0.5, 1e20, NAN, INF, true, false, null, "12", " 12", "12 ", "\n12\n",
    "1.5", "2.0", "1e3", "12abc", "abc", "", "0x1A", " ", "1e100", "+3", "-3", ".5", "5.",
    "9223372036854775808", "1.5abc", 0.1 + 0.2, 1e15, 0.00001, -0.0, 123.456789012345678, []];
foreach ($values as $value) {
    try { var_dump(socket_strerror($value)); } catch (Throwable $e) { caught($e); }
    try {
        $n = socket_write($p[0], $value);
        var_dump($n, $n ? socket_read($p[1], 100) : null);
    } catch (Throwable $e) { caught($e); }
    try {
        $n = socket_write($p[0], "abcdefghijklmnopqrstuvwxyz", $value);
        var_dump($n, $n ? socket_read($p[1], 100) : null);
    } catch (Throwable $e) { caught($e); }
}
// The six lines of the ported programs.
$unix = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_bind($unix, "$DIR/x.sock", null));
$tcp = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_connect($tcp, "127.0.0.1", (string) $PORT));
var_dump(socket_last_error($tcp));
$r = [$p[1]]; $w = null; $x = null;
var_dump(socket_select($r, $w, $x, 1.0));
$r = [$p[1]];
var_dump(socket_select($r, $w, $x, "0"));
var_dump(socket_write($p[0], 12345));
var_dump(socket_send($p[0], "abc", 2.0, 0));
var_dump(socket_read($p[1], "10", "2"));
// By reference, numeric strings for the lengths and flags.
socket_write($p[0], "hello");
$data = null;
var_dump(socket_recv($p[1], $data, "3", "0"), $data);
var_dump(socket_read($p[1], 2.0, true));
$made = socket_create("2", "1", "0");
var_dump($made instanceof Socket);
socket_close($made);
var_dump(socket_get_option($p[0], "1", (string) SO_TYPE));
var_dump(socket_shutdown($p[0], "1"));
var_dump(socket_cmsg_space("1", "1", "1"));
try { socket_listen($p[0], "5x"); } catch (Throwable $e) { caught($e); }
try { socket_last_error(5); } catch (Throwable $e) { caught($e); }
try { socket_select($r, $w, $x, "x"); } catch (Throwable $e) { caught($e); }
$r = [$p[1]];
var_dump(socket_select($r, $w, $x, 0, "1000"));
$bad = 5;
try { socket_select($bad, $w, $x, 0); } catch (Throwable $e) { caught($e); }
var_dump(socket_read($p[1], null));
// Argument counts.
$tries = [
    fn() => socket_connect($tcp),
    fn() => socket_accept(),
    fn() => socket_accept($tcp, 1),
    fn() => socket_write($tcp, "a", 1, 2),
    fn() => socket_last_error(null, 1),
    fn() => socket_create_pair(AF_UNIX, SOCK_STREAM, 0),
    fn() => socket_close($tcp, 1, 2),
    fn() => socket_strerror(PHP_INT_MIN),
    fn() => socket_strerror(2147483648),
    fn() => socket_select($r, $w, $x),
    fn() => socket_select($r, $w, $x, 0, 0, 1),
];
foreach ($tries as $try) {
    try { $try(); echo "no error\n"; } catch (Throwable $e) { caught($e); }
}
// Soft failures: the kernel's answer, as a warning and false.
var_dump(socket_set_option($p[1], SOL_SOCKET, SO_RCVTIMEO, ["sec" => 0, "usec" => 1000000]));
var_dump(socket_last_error($p[1]));
var_dump(socket_set_option($p[1], SOL_SOCKET, SO_SNDTIMEO, ["sec" => -1, "usec" => 0]));
$u = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_connect($u, ""));
var_dump(socket_last_error($u));
var_dump(@socket_connect($u, ""));
foreach ([$p[0], $p[1], $unix, $tcp, $u] as $s) { socket_close($s); }
