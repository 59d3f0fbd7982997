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
