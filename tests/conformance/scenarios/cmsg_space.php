<?php require __DIR__ . '/_prelude.php';
// socket_cmsg_space: CMSG_SPACE of PHP's registry entries, and its argument errors.
foreach ([0, 1, 2, 3, 4, 253, 1000, 2 ** 29, 2 ** 31 - 1] as $n) {
    var_dump(socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, $n));
}
var_dump(socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS), socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS, 9));
var_dump(socket_cmsg_space(IPPROTO_IPV6, IPV6_PKTINFO), socket_cmsg_space(IPPROTO_IPV6, IPV6_HOPLIMIT));
var_dump(socket_cmsg_space(IPPROTO_IPV6, IPV6_TCLASS, 5));
$bad = [
    [SOL_SOCKET, 999, 0],
    [IPPROTO_IP, 8, 0],
    [999, SCM_RIGHTS, -1],
    [SOL_SOCKET, SCM_RIGHTS, -1],
    [2 ** 40, 1, 0],
    [1, -2 ** 40, 0],
    [1, 1, 2 ** 31],
];
foreach ($bad as [$level, $type, $n]) {
    try { var_dump(socket_cmsg_space($level, $type, $n)); } catch (Throwable $e) { caught($e); }
}
try { socket_cmsg_space([], 1); } catch (Throwable $e) { caught($e); }
try { socket_cmsg_space(1, 1, [2]); } catch (Throwable $e) { caught($e); }
