"""Every message text ``sockkit.compat`` produces, in one table.

The texts are PHP 8.2's, checked by running PHP (``php -r``) against the sockets
extension; capitalisation is as PHP has it (PHP is not consistent: ``socket_bind``
says "Unable", ``socket_connect`` says "unable").  Keeping them here, and nowhere
else, means a port to another PHP version edits one file.

Names ending in ``_FAILED`` are the first half of an OS-error warning: compat formats
them as PHP's ``PHP_SOCKET_ERROR`` does, ``"<function>(): <text> [<errno>]: <strerror>"``.
The others are complete texts with ``str.format`` fields.

Texts marked *sockkit* are not PHP 8.2's: they belong to the deviations listed on
the porting page (a value PHP 8.2 would silently truncate is refused instead), and
are worded as PHP 8's own argument errors are.
"""

from __future__ import annotations

from typing import Final

# --------------------------------------------------------------------- OS-error warnings
# "<function>(): <text> [<errno>]: <strerror>"

CREATE_FAILED: Final = "Unable to create socket"
CREATE_PAIR_FAILED: Final = "Unable to create socket pair"
CREATE_LISTEN_SOCKET_FAILED: Final = "unable to create listening socket"
CREATE_LISTEN_BIND_FAILED: Final = "unable to bind to given address"
LISTEN_FAILED: Final = "unable to listen on socket"
ACCEPT_FAILED: Final = "unable to accept incoming connection"
SET_NONBLOCK_FAILED: Final = "unable to set nonblocking mode"
SET_BLOCK_FAILED: Final = "unable to set blocking mode"
WRITE_FAILED: Final = "unable to write to socket"
READ_FAILED: Final = "unable to read from socket"
GETSOCKNAME_FAILED: Final = "unable to retrieve socket name"
GETPEERNAME_FAILED: Final = "unable to retrieve peer name"
CONNECT_FAILED: Final = "unable to connect"
BIND_FAILED: Final = "Unable to bind address"
RECV_FAILED: Final = "Unable to read from socket"
SEND_FAILED: Final = "Unable to write to socket"
RECVFROM_FAILED: Final = "Unable to recvfrom"
RECVFROM6_FAILED: Final = "unable to recvfrom"
GET_OPTION_FAILED: Final = "Unable to retrieve socket option"
GET_PKTINFO_FAILED: Final = "unable to get socket option"
SET_OPTION_FAILED: Final = "Unable to set socket option"
SHUTDOWN_FAILED: Final = "Unable to shutdown socket"
ATMARK_FAILED: Final = "Unable to apply sockmark"
HOST_LOOKUP_FAILED: Final = "Host lookup failed"
IMPORT_FAMILY_FAILED: Final = "Unable to obtain socket family"
IMPORT_BLOCKING_FAILED: Final = "Unable to obtain blocking state"

# --------------------------------------------------------------------- other warnings
# "<function>(): <text>" (PHP's php_error_docref without an errno)

IMPORT_NOT_A_SOCKET: Final = "Cannot represent a stream of type STDIO as a Socket Descriptor"
EXPORT_FAILED: Final = "Failed to create stream"
NO_SUCH_INTERFACE: Final = 'No interface with name "{name}" could be found'
INTERFACE_ADDRESS_FAILED: Final = "Failed obtaining address for interface {index}: error {errno}"
UNSUPPORTED_FAMILY: Final = "Unsupported address family {family}"
UNEXPECTED_SOCKET_TYPE: Final = "IP address used in the context of an unexpected type of socket"
NON_INET_RESULT: Final = "Host lookup failed: Non AF_INET domain returned on AF_INET socket"
CONVERSION_FAILED: Final = "error converting user data (path: {path}): {reason}"
KEY_REQUIRED: Final = "The key '{key}' is required"
EXPECTED_ARRAY: Final = "expected an array here"
UNRESOLVABLE_INET6: Final = "could not resolve address '{address}' to get an AF_INET6 address"

# PHP's E_DEPRECATED texts: the first with the function prefix, the others without.
NULL_TO_SCALAR: Final = (
    "Passing null to parameter #{position} (${name}) of type {type} is deprecated"
)
FLOAT_LOSES_PRECISION: Final = "Implicit conversion from float {value} to int loses precision"
FLOAT_STRING_LOSES_PRECISION: Final = (
    'Implicit conversion from float-string "{value}" to int loses precision'
)

# Engine warnings, which PHP prints without a function prefix.
ARRAY_TO_STRING: Final = "Array to string conversion"
OBJECT_TO_INT: Final = "Object of class {cls} could not be converted to int"

# --------------------------------------------------------------------- argument errors
# "<function>(): Argument #<n> ($<name>) <text>"

ARG_PREFIX: Final = "{function}(): Argument #{position} (${name}) "
MUST_BE_TYPE: Final = "must be of type {expected}, {given} given"
DOMAIN_CHOICES: Final = "must be one of AF_UNIX, AF_INET6, or AF_INET"
TYPE_CHOICES: Final = (
    "must be one of SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, or SOCK_RDM"
)
SOCKET_FAMILY_CHOICES: Final = "must be one of AF_UNIX, AF_INET, or AF_INET6"
NOT_NEGATIVE: Final = "must be greater than or equal to 0"
PORT_NOT_NULL: Final = "cannot be null when the socket type is {family}"
PATH_TOO_LONG: Final = "must be less than {limit}"
HAS_ALREADY_BEEN_CLOSED: Final = "has already been closed"
MUST_HAVE_KEY: Final = 'must have key "{key}"'
BETWEEN: Final = "must be between {low} and {high}"
NOT_BY_REFERENCE: Final = "could not be passed by reference"
# sockkit: PHP's text and how Python passes a reference (PHP refuses the call when compiling).
NOT_BY_REFERENCE_HINT: Final = NOT_BY_REFERENCE + " (pass a sockkit.compat.Ref(); read its .value)"
NOT_PASSED: Final = "not passed"
NO_NULL_BYTES: Final = "must not contain any null bytes"  # sockkit (PHP 8's wording)
CANNOT_BE_EMPTY: Final = "cannot be empty"  # sockkit (PHP 8's wording)
PORT_RANGE: Final = "must be between 0 and 65535"  # sockkit (newer PHP's wording)
KEY_BETWEEN: Final = '"{key}" must be between {low} and {high}'  # sockkit
STRING_TOO_LONG: Final = "must be shorter than {limit} bytes"  # sockkit

# Errors PHP raises without the "Argument #n" prefix.
EXPECTS_EXACTLY: Final = "{function}() expects exactly {count} {arguments}, {given} given"
EXPECTS_AT_LEAST: Final = "{function}() expects at least {count} {arguments}, {given} given"
EXPECTS_AT_MOST: Final = "{function}() expects at most {count} {arguments}, {given} given"
ARGUMENT: Final = "argument"
ARGUMENTS: Final = "arguments"
WRONG_PARAM_COUNT: Final = "Wrong parameter count for {function}()"
NO_KEY_IN_OPTVAL: Final = 'No key "{key}" passed in optval'
INDEX_RANGE: Final = "Index must be between 0 and 4294967295"
OBJECT_TO_STRING: Final = "Object of class {cls} could not be converted to string"
INVALID_STREAM: Final = "{function}(): supplied resource is not a valid stream resource"

# --------------------------------------------------------------------- socket_strerror
# hstrerror(3) texts, for the host-lookup codes PHP stores as -10000 - h_errno.

HSTRERROR: Final[dict[int, str]] = {
    1: "Unknown host",
    2: "Host name lookup failure",
    3: "Unknown server error",
    4: "No address associated with name",
}
HSTRERROR_UNKNOWN: Final = "Unknown resolver error"
STRERROR_UNKNOWN: Final = "Unknown error {code}"

# --------------------------------------------------------------------- part two
# socket_select, socket_addrinfo_*, socket_sendmsg/recvmsg/cmsg_space, the iovec API,
# socket_wsaprotocol_info_*.

SELECT_FAILED: Final = "Unable to select"
SELECT_NO_ARRAYS: Final = "{function}(): At least one array argument must be passed"
SELECT_ELEMENT_TYPE: Final = "must only have elements of type Socket, {given} given"
SELECT_CLOSED: Final = "contains a closed socket"

HINTS_KEYS: Final = (
    'must only contain array keys "ai_flags", "ai_socktype", "ai_protocol", or "ai_family"'
)
ADDRINFO_CONNECT_FAILED: Final = "Unable to connect address"
ADDRINFO_CONNECT_FAMILY: Final = "socket type must be one of AF_UNIX, AF_INET, or AF_INET6"

SENDMSG_FAILED: Final = "Error in sendmsg"
RECVMSG_FAILED: Final = "Error in recvmsg"
CONVERSION_NATIVE_FAILED: Final = "error converting native data (path: {path}): {reason}"
UNRESOLVABLE_INET: Final = "could not resolve address '{address}' to get an AF_INET address"
CMSG_PAIR_UNSUPPORTED: Final = "Pair level {level} and/or type {type} is not supported"
# The reasons of PHP's conversion errors (conversions.c), after "...(path: ...): ".
CONV_NOT_NUMERIC: Final = (
    "expected an integer, but got a non numeric string (possibly from a converted object): "
    "'{value}'"
)
CONV_NOT_INTEGER: Final = (
    "expected an integer, either of a PHP integer type or of a convertible type"
)
CONV_BOUNDS: Final = "given PHP integer is out of bounds for {what}"
CONTROLLEN_ZERO: Final = "controllen cannot be 0"
BUFFER_SIZE_RANGE: Final = "the buffer size must be between 1 and {high}; given {given}"
CMSG_UNSUPPORTED: Final = "cmsghdr with level {level} and type {type} not supported"
CMSG_NEEDS_DATA: Final = "cmsghdr should have a 'data' element here"
CMSG_TOO_SMALL: Final = (
    "the cmsghdr structure is unexpectedly small; expected a length of at least {expected}, "
    "but got {got}"
)
FD_ARRAY_EMPTY: Final = "expected at least one element in this array"
FD_NOT_SOCKET_OR_STREAM: Final = "expected a Socket object or a stream resource"
FD_SOCKET_CLOSED: Final = "socket is already closed"
FD_NOT_A_STREAM: Final = "resource is not a stream"
FD_CAST_FAILED: Final = "cast stream to file descriptor failed"
FD_FSTAT_FAILED: Final = (
    "error creating resource for received file descriptor {fd}: fstat() call failed with errno "
    "{errno}"
)
PATH_EMPTY: Final = "the path is cannot be empty"
PATH_TOO_LONG_MAX: Final = "the path is too long, the maximum permitted length is {limit}"
PATH_NUL: Final = "the path must not contain null bytes after its first byte"  # sockkit
FAMILY_NUMBER_UNSUPPORTED: Final = (
    "the specified family (number {family}) is not supported on this socket"
)
FAMILY_NAME_UNSUPPORTED: Final = "the specified family ({name}) is not supported on this socket"
FAMILY_ONLY: Final = "the only families currently supported are AF_INET, AF_INET6 and AF_UNIX"
SOCKADDR_UNSUPPORTED: Final = "cannot read struct sockaddr with family {family}; not supported"
IFINDEX_RANGE: Final = (
    "the interface index cannot be negative or larger than 4294967295; given {given}"
)
IFNAME_UNKNOWN: Final = 'no interface with name "{name}" could be found'

# The iovec API of the older manual (PHP 4's texts).
IOVEC_FETCH_RANGE: Final = (
    "can't access a vector position past the amount of vectors set in the array"
)
IOVEC_SET_RANGE: Final = "can't access a vector position outside of the vector array bounds"
IOVEC_DELETE_RANGE: Final = "can't delete an IO vector that is out of array bounds"
IOVEC_FREED: Final = "has already been freed"  # sockkit (PHP 8's "closed" wording)
IOVEC_SIZES: Final = "must be the number of vector sizes given ({given})"  # sockkit

# socket_wsaprotocol_info_* (Windows' texts; on POSIX the code is the errno).
WSA_EXPORT_FAILED: Final = "Unable to export WSA protocol info [0x{code:08x}]: {text}"
WSA_IMPORT_FAILED: Final = "Unable to import WSA protocol info [0x{code:08x}]: {text}"
WSA_OPEN_FAILED: Final = "Unable to open file mapping [0x{code:08x}]"
WSA_CREATE_FAILED: Final = "Unable to create file mapping [0x{code:08x}]"
