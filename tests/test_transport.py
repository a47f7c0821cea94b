"""TCP_NODELAY on the server's sockets (dashboard/transport.py), on real loopback sockets.

Streamlit binds its listening socket with ``socket.socket(family=...)`` (protocol 0), so asyncio
leaves Nagle's algorithm on for every connection it accepts; these tests build the same kind of
socket and check what :func:`enable_tcp_nodelay` changes, and what it must leave alone.
"""
import os
import socket

import pytest

from dashboard.transport import enable_tcp_nodelay

pytestmark = pytest.mark.skipif(not hasattr(socket, "TCP_NODELAY"), reason="no TCP_NODELAY on this platform")


def nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@pytest.fixture()
def server():
    """A listening socket made the way Streamlit 1.67 makes its own (protocol 0), on a free loopback port."""
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    opened = [listener]
    yield listener, opened
    for sock in opened:
        sock.close()


def connect(listener, opened):
    client = socket.create_connection(listener.getsockname(), timeout=5)
    accepted, _ = listener.accept()
    opened += [client, accepted]
    return client, accepted


def test_the_listener_and_its_connections_get_nodelay_and_later_connections_inherit_it(server):
    listener, opened = server
    client_before, accepted_before = connect(listener, opened)
    assert listener.proto == 0 and not nodelay(listener) and not nodelay(accepted_before)

    assert enable_tcp_nodelay() >= 2

    assert nodelay(listener)
    assert nodelay(accepted_before), "a connection accepted before the call (the first session's) is fixed too"
    _, accepted_after = connect(listener, opened)
    assert nodelay(accepted_after), "a connection accepted later inherits the option from the listener"


def test_outgoing_connections_and_files_are_left_alone(server, tmp_path):
    listener, opened = server
    client, _ = connect(listener, opened)
    with open(tmp_path / "notes.txt", "w", encoding="utf-8") as notes:
        enable_tcp_nodelay()
        notes.write("still open")
    assert not nodelay(client), "a socket this process opened to somebody else's port is not ours to change"
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "still open"


def test_every_socket_still_works_and_no_descriptor_is_left_behind(server):
    listener, opened = server
    client, accepted = connect(listener, opened)
    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None

    enable_tcp_nodelay()
    enable_tcp_nodelay()   # a second call (another page run) changes nothing

    client.sendall(b"GET / HTTP/1.1\r\n\r\n")
    assert accepted.recv(64).startswith(b"GET /")
    accepted.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
    assert client.recv(64).startswith(b"HTTP/1.1 200")
    if before is not None:
        assert set(os.listdir("/proc/self/fd")) == before, "the duplicate descriptors are closed again"
