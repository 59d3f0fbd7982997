<?php require __DIR__ . '/_prelude.php';
// socket_write: $length null, 0, shorter and longer than the data; argument errors.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
[$a, $b] = $p;
var_dump(socket_write($a, "abcdef"));
var_dump(socket_write($a, "abcdef", null));
var_dump(socket_write($a, "abcdef", 2));
var_dump(socket_write($a, "abcdef", 100));
var_dump(socket_write($a, "abcdef", 0));
var_dump(socket_write($a, ""));
var_dump(socket_read($b, 100));
var_dump(socket_write($a, "h\xc3\xa9llo"));
var_dump(socket_read($b, 100));
try { socket_write($a, "abc", -1); } catch (Throwable $e) { caught($e); }
try { socket_write($a, []); } catch (Throwable $e) { caught($e); }
try { socket_write($a, "abc", []); } catch (Throwable $e) { caught($e); }
socket_close($b);
var_dump(socket_write($a, "nobody reads this"));
var_dump(socket_last_error($a) === SOCKET_EPIPE);
var_dump(socket_send($a, "nor this", 8, 0));
socket_close($a);
try { socket_write($a, "closed"); } catch (Throwable $e) { caught($e); }
