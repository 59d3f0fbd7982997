<?php require __DIR__ . '/_prelude.php';
// socket_select's argument errors: element types, closed sockets, no sockets at all.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
$closed = socket_create(AF_INET, SOCK_STREAM, 0);
socket_close($closed);
$n = null;
$cases = [
    "int element" => [[$p[0], 5], null, null],
    "string in write" => [null, ["x"], null],
    "null in except" => [[$p[0]], [], [null]],
    "float" => [[1.5], null, null],
    "bool" => [[true], null, null],
    "nested array" => [[[$p[0]]], null, null],
    "closed in read" => [[$p[0], $closed], null, null],
    "closed in write" => [[$p[0]], [$closed], null],
    "closed in except" => [null, null, [$closed]],
    "all null" => [null, null, null],
    "all empty" => [[], [], []],
];
foreach ($cases as $label => [$r, $w, $e]) {
    echo $label, ": ";
    try {
        var_dump(socket_select($r, $w, $e, 0));
    } catch (Throwable $ex) {
        caught($ex);
    }
}
$r = [$p[0]];
try { $x = 5; socket_select($x, $n, $n, 0); } catch (Throwable $ex) { caught($ex); }
try { $t = []; socket_select($r, $n, $n, 0, $t); } catch (Throwable $ex) { caught($ex); }
var_dump(socket_last_error());
socket_close($p[0]);
socket_close($p[1]);
