<?php require __DIR__ . '/_prelude.php';
// socket_strerror: errno texts, host-lookup codes (below -10000), unknown codes.
$codes = [0, 1, 4, 11, 13, 22, 32, 98, 99, 104, 110, 111, 113, 115, 133, 134, 200, 10001, 10048,
          -1, -10000, -10001, -10002, -10003, -10004, -10005, -10099, -20000, 2147483647];
foreach ($codes as $code) {
    echo $code, ": ", socket_strerror($code), "\n";
}
foreach ([SOCKET_EADDRINUSE, SOCKET_ECONNREFUSED, SOCKET_EAGAIN, SOCKET_EWOULDBLOCK, SOCKET_EINPROGRESS, SOCKET_ETIMEDOUT] as $code) {
    echo $code, ": ", socket_strerror($code), "\n";
}
