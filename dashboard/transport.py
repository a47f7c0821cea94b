"""The server's TCP sockets: turn off Nagle's algorithm (``TCP_NODELAY``) on Streamlit's listening socket.

Why
    Streamlit 1.67 binds its listening socket itself (``socket.socket(family=...)``, protocol 0)
    and hands it to uvicorn. asyncio sets ``TCP_NODELAY`` only on sockets whose protocol is
    ``IPPROTO_TCP`` (``asyncio.base_events._set_nodelay``), so every connection the server
    accepts keeps Nagle's algorithm on. A response written in more than one piece then waits for
    the browser's delayed ACK (40 ms on Linux) before its last piece leaves: each static script
    fetched over a kept-alive connection took ~43 ms instead of ~2 ms (``curl`` of five chunks in
    a row on one connection), and the ~130 scripts of a first visit queue on six connections; the
    websocket's small messages (the page's elements, "script finished") can wait the same way.

What
    :func:`enable_tcp_nodelay` finds this process's listening TCP sockets (and the connections
    already accepted on their ports) through the process's file descriptors, and sets
    ``TCP_NODELAY`` on them; on Linux an accepted socket inherits the option from its listener,
    so every later connection has it too. It touches no Streamlit object, only the operating
    system's sockets (through a duplicate descriptor, closed at once), and does nothing where
    the descriptors cannot be listed.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

_FD_DIRS = (Path("/proc/self/fd"), Path("/dev/fd"))
_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def _open_descriptors() -> list[int]:
    """This process's open file descriptors (empty where they cannot be listed)."""
    for folder in _FD_DIRS:
        try:
            return sorted(int(name) for name in os.listdir(folder) if name.isdigit())
        except OSError:
            continue
    return []


def _tcp_socket(fd: int) -> socket.socket | None:
    """A socket object on a duplicate of ``fd`` if ``fd`` is a TCP stream socket, else None."""
    try:
        dup = os.dup(fd)
    except OSError:
        return None
    try:
        sock = socket.socket(fileno=dup)
    except OSError:   # not a socket
        os.close(dup)
        return None
    if sock.family not in _TCP_FAMILIES or sock.type != socket.SOCK_STREAM:
        sock.close()
        return None
    return sock


def _is_listening(sock: socket.socket) -> bool:
    try:
        return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
    except (OSError, AttributeError):   # AttributeError: a platform without SO_ACCEPTCONN
        return False


def _local_port(sock: socket.socket) -> int | None:
    try:
        return sock.getsockname()[1]
    except OSError:
        return None


def enable_tcp_nodelay() -> int:
    """Set ``TCP_NODELAY`` on this process's listening TCP sockets and on the connections accepted on
    their ports; return how many sockets now have it. Safe to call more than once; never raises for a
    socket it cannot read or change (it skips it)."""
    sockets = [sock for sock in map(_tcp_socket, _open_descriptors()) if sock is not None]
    try:
        listening = [sock for sock in sockets if _is_listening(sock)]
        ports = {_local_port(sock) for sock in listening} - {None}
        count = 0
        for sock in sockets:
            if sock in listening or _local_port(sock) in ports:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    count += 1
                except OSError:
                    continue
        return count
    finally:
        for sock in sockets:
            sock.close()
