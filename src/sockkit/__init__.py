"""sockkit: BSD sockets made pleasant and safe.

The object-oriented toolkit lives here: [`Socket`][sockkit.socket.Socket], typed
addresses, enums, typed option values and typed exceptions.  PHP's ``socket_*``
functions, flat and PHP-named, live in ``sockkit.compat``.

Example:
    >>> from sockkit import Socket
    >>> with Socket.pair() as (left, right):
    ...     left.write_all(b"ping")
    ...     right.recv(4)
    b'ping'
"""

# Every public name of these modules is re-exported: each module's __all__ is the list
# (h11's habit), so adding a name to a module exports it here without a second edit.
from typing import TYPE_CHECKING, Any, Final

from sockkit import address, addrinfo, enums, errors, message, options, selector, socket
from sockkit._error_classes import *  # noqa: F403
from sockkit.address import *  # noqa: F403
from sockkit.addrinfo import *  # noqa: F403
from sockkit.enums import *  # noqa: F403
from sockkit.errors import *  # noqa: F403
from sockkit.message import *  # noqa: F403
from sockkit.options import *  # noqa: F403
from sockkit.selector import *  # noqa: F403
from sockkit.socket import *  # noqa: F403

__version__ = "0.1.0"

__all__ = ["__version__"]
__all__ += address.__all__
__all__ += addrinfo.__all__
__all__ += enums.__all__
__all__ += errors.__all__
__all__ += message.__all__
__all__ += options.__all__
__all__ += selector.__all__
__all__ += socket.__all__

# TLS brings in `ssl`, which a program that never names it should not pay for at
# import: these are loaded from sockkit.tls when first named (PEP 562).
_FROM_TLS: Final = [
    "AsyncTLSSocket",
    "CertificateVerifyError",
    "TLSError",
    "TLSHandshakeError",
    "TLSRaggedEOF",
    "TLSSocket",
]
__all__ += _FROM_TLS  # noqa: PLE0605 - a list of str, named once above

if TYPE_CHECKING:
    from sockkit.tls import AsyncTLSSocket as AsyncTLSSocket
    from sockkit.tls import CertificateVerifyError as CertificateVerifyError
    from sockkit.tls import TLSError as TLSError
    from sockkit.tls import TLSHandshakeError as TLSHandshakeError
    from sockkit.tls import TLSRaggedEOF as TLSRaggedEOF
    from sockkit.tls import TLSSocket as TLSSocket


def __getattr__(name: str) -> Any:
    if name in _FROM_TLS:
        from sockkit import tls  # noqa: PLC0415 - on first use, see above

        value = getattr(tls, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sockkit' has no attribute {name!r}")
