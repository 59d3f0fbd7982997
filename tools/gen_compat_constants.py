"""Generate ``src/sockkit/compat/constants.py``: PHP 8.2's socket constants, declared statically.

Each PHP constant is bound to where sockkit keeps its value on the running OS: an enum
member (``AF_INET`` -> ``AddressFamily.INET``), an option enum member as a plain ``int``
(``SO_REUSEADDR`` -> ``int(SocketOption.REUSEADDR)``), the error catalog
(``SOCKET_EADDRINUSE``) or ``sockkit._platform.constant`` (``SKF_AD_*``, ``SCM_*``).
A member that its enum only defines on some OSes gets the same ``if`` guard in the
generated file, so a constant the OS lacks is absent, as in PHP.

Usage::

    python tools/gen_compat_constants.py           # rewrite the file
    python tools/gen_compat_constants.py --check   # exit 1 if the file is out of date

``tests/compat/test_constants.py`` runs the check.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "sockkit"
TARGET = SOURCE / "compat" / "constants.py"

# PHP 8.2's constants in the order ``get_defined_constants(true)["sockets"]`` lists them
# on Linux, each with the sockkit home of its value: "Enum.MEMBER" (kept as the member),
# "int:Enum.MEMBER" (an option member, as a plain int), "os:NAME" (_platform.constant)
# or "error:SYMBOL" (the error catalog).
_TABLE: tuple[tuple[str, str], ...] = (
    ("AF_UNIX", "AddressFamily.UNIX"),
    ("AF_INET", "AddressFamily.INET"),
    ("AF_INET6", "AddressFamily.INET6"),
    ("SOCK_STREAM", "SocketType.STREAM"),
    ("SOCK_DGRAM", "SocketType.DGRAM"),
    ("SOCK_RAW", "SocketType.RAW"),
    ("SOCK_SEQPACKET", "SocketType.SEQPACKET"),
    ("SOCK_RDM", "SocketType.RDM"),
    ("MSG_OOB", "MsgFlag.OOB"),
    ("MSG_WAITALL", "MsgFlag.WAITALL"),
    ("MSG_CTRUNC", "MsgFlag.CTRUNC"),
    ("MSG_TRUNC", "MsgFlag.TRUNC"),
    ("MSG_PEEK", "MsgFlag.PEEK"),
    ("MSG_DONTROUTE", "MsgFlag.DONTROUTE"),
    ("MSG_EOR", "MsgFlag.EOR"),
    ("MSG_EOF", "MsgFlag.EOF"),
    ("MSG_CONFIRM", "MsgFlag.CONFIRM"),
    ("MSG_ERRQUEUE", "MsgFlag.ERRQUEUE"),
    ("MSG_NOSIGNAL", "MsgFlag.NOSIGNAL"),
    ("MSG_DONTWAIT", "MsgFlag.DONTWAIT"),
    ("MSG_MORE", "MsgFlag.MORE"),
    ("MSG_WAITFORONE", "MsgFlag.WAITFORONE"),
    ("MSG_CMSG_CLOEXEC", "MsgFlag.CMSG_CLOEXEC"),
    ("MSG_ZEROCOPY", "MsgFlag.ZEROCOPY"),
    ("SO_DEBUG", "int:SocketOption.DEBUG"),
    ("SO_REUSEADDR", "int:SocketOption.REUSEADDR"),
    ("SO_REUSEPORT", "int:SocketOption.REUSEPORT"),
    ("SO_KEEPALIVE", "int:SocketOption.KEEPALIVE"),
    ("SO_DONTROUTE", "int:SocketOption.DONTROUTE"),
    ("SO_LINGER", "int:SocketOption.LINGER"),
    ("SO_BROADCAST", "int:SocketOption.BROADCAST"),
    ("SO_OOBINLINE", "int:SocketOption.OOBINLINE"),
    ("SO_SNDBUF", "int:SocketOption.SNDBUF"),
    ("SO_RCVBUF", "int:SocketOption.RCVBUF"),
    ("SO_SNDLOWAT", "int:SocketOption.SNDLOWAT"),
    ("SO_RCVLOWAT", "int:SocketOption.RCVLOWAT"),
    ("SO_SNDTIMEO", "int:SocketOption.SNDTIMEO"),
    ("SO_RCVTIMEO", "int:SocketOption.RCVTIMEO"),
    ("SO_TYPE", "int:SocketOption.TYPE"),
    ("SO_ERROR", "int:SocketOption.ERROR"),
    ("SO_BINDTODEVICE", "int:SocketOption.BINDTODEVICE"),
    ("SOL_SOCKET", "Level.SOCKET"),
    ("SOMAXCONN", "os:SOMAXCONN"),
    ("SO_MARK", "int:SocketOption.MARK"),
    ("SO_INCOMING_CPU", "int:SocketOption.INCOMING_CPU"),
    ("SO_MEMINFO", "int:SocketOption.MEMINFO"),
    ("SO_BPF_EXTENSIONS", "int:SocketOption.BPF_EXTENSIONS"),
    ("SKF_AD_OFF", "os:SKF_AD_OFF"),
    ("SKF_AD_PROTOCOL", "os:SKF_AD_PROTOCOL"),
    ("SKF_AD_PKTTYPE", "os:SKF_AD_PKTTYPE"),
    ("SKF_AD_IFINDEX", "os:SKF_AD_IFINDEX"),
    ("SKF_AD_NLATTR", "os:SKF_AD_NLATTR"),
    ("SKF_AD_NLATTR_NEST", "os:SKF_AD_NLATTR_NEST"),
    ("SKF_AD_MARK", "os:SKF_AD_MARK"),
    ("SKF_AD_QUEUE", "os:SKF_AD_QUEUE"),
    ("SKF_AD_HATYPE", "os:SKF_AD_HATYPE"),
    ("SKF_AD_RXHASH", "os:SKF_AD_RXHASH"),
    ("SKF_AD_CPU", "os:SKF_AD_CPU"),
    ("SKF_AD_ALU_XOR_X", "os:SKF_AD_ALU_XOR_X"),
    ("SKF_AD_VLAN_TAG", "os:SKF_AD_VLAN_TAG"),
    ("SKF_AD_VLAN_TAG_PRESENT", "os:SKF_AD_VLAN_TAG_PRESENT"),
    ("SKF_AD_PAY_OFFSET", "os:SKF_AD_PAY_OFFSET"),
    ("SKF_AD_RANDOM", "os:SKF_AD_RANDOM"),
    ("SKF_AD_VLAN_TPID", "os:SKF_AD_VLAN_TPID"),
    ("SKF_AD_MAX", "os:SKF_AD_MAX"),
    ("TCP_CONGESTION", "int:TCPOption.CONGESTION"),
    ("SO_ZEROCOPY", "int:SocketOption.ZEROCOPY"),
    ("TCP_NODELAY", "int:TCPOption.NODELAY"),
    ("TCP_NOTSENT_LOWAT", "int:TCPOption.NOTSENT_LOWAT"),
    ("TCP_DEFER_ACCEPT", "int:TCPOption.DEFER_ACCEPT"),
    ("TCP_KEEPIDLE", "int:TCPOption.KEEPIDLE"),
    ("TCP_KEEPINTVL", "int:TCPOption.KEEPINTVL"),
    ("TCP_KEEPCNT", "int:TCPOption.KEEPCNT"),
    ("PHP_NORMAL_READ", "ReadMode.NORMAL"),
    ("PHP_BINARY_READ", "ReadMode.BINARY"),
    ("MCAST_JOIN_GROUP", "int:IPOption.MCAST_JOIN_GROUP"),
    ("MCAST_LEAVE_GROUP", "int:IPOption.MCAST_LEAVE_GROUP"),
    ("MCAST_BLOCK_SOURCE", "int:IPOption.MCAST_BLOCK_SOURCE"),
    ("MCAST_UNBLOCK_SOURCE", "int:IPOption.MCAST_UNBLOCK_SOURCE"),
    ("MCAST_JOIN_SOURCE_GROUP", "int:IPOption.MCAST_JOIN_SOURCE_GROUP"),
    ("MCAST_LEAVE_SOURCE_GROUP", "int:IPOption.MCAST_LEAVE_SOURCE_GROUP"),
    ("IP_MULTICAST_IF", "int:IPOption.MULTICAST_IF"),
    ("IP_MULTICAST_TTL", "int:IPOption.MULTICAST_TTL"),
    ("IP_MULTICAST_LOOP", "int:IPOption.MULTICAST_LOOP"),
    ("IPV6_MULTICAST_IF", "int:IPv6Option.MULTICAST_IF"),
    ("IPV6_MULTICAST_HOPS", "int:IPv6Option.MULTICAST_HOPS"),
    ("IPV6_MULTICAST_LOOP", "int:IPv6Option.MULTICAST_LOOP"),
    ("IPV6_V6ONLY", "int:IPv6Option.V6ONLY"),
    *(
        (f"SOCKET_{symbol}", f"error:{symbol}")
        for symbol in (
            "EPERM",
            "ENOENT",
            "EINTR",
            "EIO",
            "ENXIO",
            "E2BIG",
            "EBADF",
            "EAGAIN",
            "ENOMEM",
            "EACCES",
            "EFAULT",
            "ENOTBLK",
            "EBUSY",
            "EEXIST",
            "EXDEV",
            "ENODEV",
            "ENOTDIR",
            "EISDIR",
            "EINVAL",
            "ENFILE",
            "EMFILE",
            "ENOTTY",
            "ENOSPC",
            "ESPIPE",
            "EROFS",
            "EMLINK",
            "EPIPE",
            "ENAMETOOLONG",
            "ENOLCK",
            "ENOSYS",
            "ENOTEMPTY",
            "ELOOP",
            "EWOULDBLOCK",
            "ENOMSG",
            "EIDRM",
            "ECHRNG",
            "EL2NSYNC",
            "EL3HLT",
            "EL3RST",
            "ELNRNG",
            "EUNATCH",
            "ENOCSI",
            "EL2HLT",
            "EBADE",
            "EBADR",
            "EXFULL",
            "ENOANO",
            "EBADRQC",
            "EBADSLT",
            "ENOSTR",
            "ENODATA",
            "ETIME",
            "ENOSR",
            "ENONET",
            "EREMOTE",
            "ENOLINK",
            "EADV",
            "ESRMNT",
            "ECOMM",
            "EPROTO",
            "EMULTIHOP",
            "EBADMSG",
            "ENOTUNIQ",
            "EBADFD",
            "EREMCHG",
            "ERESTART",
            "ESTRPIPE",
            "EUSERS",
            "ENOTSOCK",
            "EDESTADDRREQ",
            "EMSGSIZE",
            "EPROTOTYPE",
            "ENOPROTOOPT",
            "EPROTONOSUPPORT",
            "ESOCKTNOSUPPORT",
            "EOPNOTSUPP",
            "EPFNOSUPPORT",
            "EAFNOSUPPORT",
            "EADDRINUSE",
            "EADDRNOTAVAIL",
            "ENETDOWN",
            "ENETUNREACH",
            "ENETRESET",
            "ECONNABORTED",
            "ECONNRESET",
            "ENOBUFS",
            "EISCONN",
            "ENOTCONN",
            "ESHUTDOWN",
            "ETOOMANYREFS",
            "ETIMEDOUT",
            "ECONNREFUSED",
            "EHOSTDOWN",
            "EHOSTUNREACH",
            "EALREADY",
            "EINPROGRESS",
            "EISNAM",
            "EREMOTEIO",
            "EDQUOT",
            "ENOMEDIUM",
            "EMEDIUMTYPE",
        )
    ),
    ("IPPROTO_IP", "Level.IP"),
    ("IPPROTO_IPV6", "Level.IPV6"),
    ("SOL_TCP", "Level.TCP"),
    ("SOL_UDP", "Level.UDP"),
    ("IPV6_UNICAST_HOPS", "int:IPv6Option.UNICAST_HOPS"),
    ("AI_PASSIVE", "AIFlag.PASSIVE"),
    ("AI_CANONNAME", "AIFlag.CANONNAME"),
    ("AI_NUMERICHOST", "AIFlag.NUMERICHOST"),
    ("AI_V4MAPPED", "AIFlag.V4MAPPED"),
    ("AI_ALL", "AIFlag.ALL"),
    ("AI_ADDRCONFIG", "AIFlag.ADDRCONFIG"),
    ("AI_IDN", "AIFlag.IDN"),
    ("AI_CANONIDN", "AIFlag.CANONIDN"),
    ("AI_NUMERICSERV", "AIFlag.NUMERICSERV"),
    ("IPV6_RECVPKTINFO", "int:IPv6Option.RECVPKTINFO"),
    ("IPV6_PKTINFO", "int:IPv6Option.PKTINFO"),
    ("IPV6_RECVHOPLIMIT", "int:IPv6Option.RECVHOPLIMIT"),
    ("IPV6_HOPLIMIT", "int:IPv6Option.HOPLIMIT"),
    ("IPV6_RECVTCLASS", "int:IPv6Option.RECVTCLASS"),
    ("IPV6_TCLASS", "int:IPv6Option.TCLASS"),
    ("SCM_RIGHTS", "os:SCM_RIGHTS"),
    ("SCM_CREDENTIALS", "os:SCM_CREDENTIALS"),
    ("SO_PASSCRED", "int:SocketOption.PASSCRED"),
)

# The Winsock-only names PHP defines on Windows (win32_socket_constants.h), from the catalog.
_WINDOWS: tuple[tuple[str, str], ...] = (
    ("SOCKET_EDISCON", "WSAEDISCON"),
    ("SOCKET_EPROCLIM", "EPROCLIM"),
    ("SOCKET_ESTALE", "ESTALE"),
    ("SOCKET_SYSNOTREADY", "WSASYSNOTREADY"),
    ("SOCKET_VERNOTSUPPORTED", "WSAVERNOTSUPPORTED"),
    ("SOCKET_NOTINITIALISED", "WSANOTINITIALISED"),
    ("SOCKET_HOST_NOT_FOUND", "WSAHOST_NOT_FOUND"),
    ("SOCKET_TRY_AGAIN", "WSATRY_AGAIN"),
    ("SOCKET_NO_RECOVERY", "WSANO_RECOVERY"),
    ("SOCKET_NO_DATA", "WSANO_DATA"),
    ("SOCKET_NO_ADDRESS", "WSANO_DATA"),
)

_ENUM_MODULES = {
    "AddressFamily": "enums",
    "SocketType": "enums",
    "MsgFlag": "enums",
    "Level": "enums",
    "ReadMode": "enums",
    "AIFlag": "enums",
    "SocketOption": "options",
    "TCPOption": "options",
    "IPOption": "options",
    "IPv6Option": "options",
}


def _conditional_members() -> dict[str, set[str]]:
    """Enum members defined inside an ``if`` of their class body (present on some OSes only)."""
    found: dict[str, set[str]] = {}
    for module in sorted(set(_ENUM_MODULES.values())):
        tree = ast.parse((SOURCE / f"{module}.py").read_text())
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or node.name not in _ENUM_MODULES:
                continue
            names: set[str] = set()
            for statement in node.body:
                if isinstance(statement, ast.If):
                    for inner in ast.walk(statement):
                        if isinstance(inner, ast.Assign):
                            names.update(t.id for t in inner.targets if isinstance(t, ast.Name))
            found[node.name] = names
    return found


def render() -> str:
    conditional = _conditional_members()
    lines = [
        '"""PHP 8.2\'s socket constants, with the values of the running OS.',
        "",
        "GENERATED by ``tools/gen_compat_constants.py``: edit that script, not this file.",
        "",
        "Each value comes from sockkit: an enum member (``AF_INET`` is",
        "``AddressFamily.INET``), an option enum member as a plain ``int`` (option numbers",
        "repeat across levels, so compat keeps them as PHP does: numbers), the error",
        "catalog (``SOCKET_E*``; Winsock codes on Windows, as PHP has them there) or",
        "``sockkit._platform.constant``.  A constant the OS lacks is absent, as in PHP.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import sys",
        "from typing import Final",
        "",
        "from sockkit._platform import constant as _constant",
        "from sockkit.enums import AddressFamily, AIFlag, Level, MsgFlag, ReadMode, SocketType",
        "from sockkit.errors import by_symbol as _by_symbol",
        "from sockkit.options import IPOption, IPv6Option, SocketOption, TCPOption",
        "",
        "",
        "def _os(name: str) -> int:",
        "    value = _constant(name)",
        "    assert value is not None, name",
        "    return value",
        "",
        "",
        "def _error(symbol: str) -> int | None:",
        '    """The catalog\'s code for ``symbol``: the errno, or on Windows the Winsock code."""',
        "    entry = _by_symbol(symbol)",
        '    return entry.winsock if sys.platform == "win32" else entry.errno',
        "",
        "",
        "def _code(symbol: str) -> int:",
        "    value = _error(symbol)",
        "    assert value is not None, symbol",
        "    return value",
        "",
        "",
    ]
    for name, source in _TABLE:
        kind, _, where = source.rpartition(":")
        if kind == "error":
            lines.append(f'if _error("{where}") is not None:')
            lines.append(f'    {name}: Final[int] = _code("{where}")')
        elif kind == "os":
            lines.append(f'if _constant("{where}") is not None:')
            lines.append(f'    {name}: Final[int] = _os("{where}")')
        else:
            enum_name, _, member = where.partition(".")
            value = f"int({where})" if kind == "int" else where
            if member in conditional.get(enum_name, set()):
                lines.append(f'if hasattr({enum_name}, "{member}"):')
                lines.append(f"    {name}: Final[int] = {value}")
            else:
                lines.append(f"{name}: Final[int] = {value}")
    lines.append("")
    lines.append('if sys.platform == "win32":  # pragma: no cover - PHP\'s Windows-only names')
    for name, symbol in _WINDOWS:
        lines.append(f'    {name}: Final[int] = _code("{symbol}")')
    names = [name for name, _ in _TABLE] + [name for name, _ in _WINDOWS]
    lines.append("")
    lines.append("NAMES: Final[tuple[str, ...]] = (")
    lines.extend(f'    "{name}",' for name in names)
    lines.append(")")
    lines.append('"""Every PHP constant name compat knows, defined on this OS or not."""')
    lines.append("")
    lines.append("__all__ = [name for name in NAMES if name in globals()]")
    lines.append("")
    return "\n".join(lines)


def _formatted(text: str) -> str:
    """``text`` as ``ruff format`` leaves it (so the check compares like with like)."""
    result = subprocess.run(
        # This Python's ruff (the test extra installs it), not whichever is on PATH.
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    return result.stdout if result.returncode == 0 else text


def main(argv: list[str]) -> int:
    text = _formatted(render())
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run python tools/gen_compat_constants.py")
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
