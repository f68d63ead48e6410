"""A TCP proxy in front of a real service that can pass, refuse or hang, and switch.

Tests put it between a server under test and the real PostgreSQL or Redis to
make the faults the heartbeat exists for, and to end them again:

- ``passing()``: traffic flows both ways, as if the proxy were not there;
- ``refusing()``: nothing listens on the port, so connecting is refused, and
  every open connection is dropped (the service is down);
- ``hanging()``: connections are accepted and nothing is answered, on new
  connections and on those already open (the service hangs).

A connection that hung stays hung after ``passing()`` again, as a socket
stuck on a hung server does: only new connections get through, so a
recovery has to come from a fresh attempt. ``reset()`` drops those.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

PASSING = "passing"
REFUSING = "refusing"
HANGING = "hanging"

_ABORT = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends a RST


class FaultProxy:
    """Listens on 127.0.0.1:``port`` and forwards to ``upstream``."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.mode = PASSING
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._held: list[socket.socket] = []
        self._clients: set[socket.socket] = set()
        self._stop = threading.Event()
        self._listener: socket.socket | None = self._listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(
            target=self._loop, name="fault-proxy", daemon=True
        )
        self._thread.start()

    # -- switching -------------------------------------------------------------

    def passing(self) -> None:
        with self._lock:
            if self._listener is None:
                self._listener = self._listen(self.port)
            self.mode = PASSING

    def refusing(self) -> None:
        with self._lock:
            self.mode = REFUSING
            if self._listener is not None:
                self._selector.unregister(self._listener)
                self._listener.close()
                self._listener = None
            for sock in [*self._pairs, *self._held]:
                self._drop(sock)
            self._held.clear()

    def hanging(self) -> None:
        with self._lock:
            if self._listener is None:
                self._listener = self._listen(self.port)
            self.mode = HANGING
            # Open connections hang too: nothing more is relayed on them.
            for conn in [sock for sock in self._pairs if sock in self._clients]:
                upstream = self._pairs[conn]
                if _closed_by_client(conn):
                    # Its end is not read yet, but there is nobody to hold.
                    self._drop(conn)
                    self._drop(upstream)
                    continue
                for sock in (conn, upstream):
                    self._selector.unregister(sock)
                    self._held.append(sock)
                    del self._pairs[sock]

    def reset(self) -> None:
        """Drop the connections that hung."""
        with self._lock:
            for sock in self._held:
                self._drop(sock)
            self._held.clear()

    @property
    def relaying(self) -> int:
        """Connections open and passing traffic (each counted once, both ends)."""
        with self._lock:
            return len(self._pairs) // 2

    @property
    def held(self) -> int:
        """Client connections accepted and left unanswered, still open."""
        with self._lock:
            return sum(1 for sock in self._held if sock in self._clients)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            if self._listener is not None:
                self._listener.close()
            for sock in [*self._pairs, *self._held]:
                self._drop(sock)
        self._selector.close()

    # -- the loop ----------------------------------------------------------------

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        listener.setblocking(False)
        self._selector.register(listener, selectors.EVENT_READ)
        return listener

    def _loop(self) -> None:
        while not self._stop.is_set():
            # Switching registers and unregisters sockets meanwhile: epoll
            # allows that, and a key unregistered since is skipped below.
            ready = (
                self._selector.select(timeout=0.05) if self._selector.get_map() else []
            )
            if not ready:
                self._stop.wait(0.01)
            with self._lock:
                for key, _ in ready:
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        self._accept(sock)
                    elif sock in self._pairs:
                        self._relay(sock)

    def _accept(self, listener: socket.socket) -> None:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return
        self._clients.add(conn)
        if self.mode == HANGING:
            self._held.append(conn)
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=2)
        except OSError:
            self._drop(conn)
            return
        for sock in (conn, upstream):
            sock.setblocking(True)
            sock.settimeout(2)
        self._pairs[conn], self._pairs[upstream] = upstream, conn
        self._selector.register(conn, selectors.EVENT_READ)
        self._selector.register(upstream, selectors.EVENT_READ)

    def _relay(self, sock: socket.socket) -> None:
        peer = self._pairs[sock]
        try:
            data = sock.recv(65536)
            if data:
                peer.sendall(data)
                return
        except OSError:
            pass
        self._drop(sock)
        self._drop(peer)

    def _drop(self, sock: socket.socket) -> None:
        self._clients.discard(sock)
        if sock in self._pairs:
            del self._pairs[sock]
            with suppress(KeyError, ValueError):
                self._selector.unregister(sock)
        with suppress(OSError):
            # An abortive close (RST), as a crashed server's would be.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _ABORT)
        sock.close()


def _closed_by_client(conn: socket.socket) -> bool:
    """Whether the client closed ``conn`` (the loop may not have seen it yet)."""
    timeout = conn.gettimeout()
    conn.setblocking(False)
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False  # open, nothing sent
    except OSError:
        return True
    finally:
        conn.settimeout(timeout)


@contextmanager
def fault_proxy(host: str, port: int) -> Iterator[FaultProxy]:
    proxy = FaultProxy((host, port))
    try:
        yield proxy
    finally:
        proxy.close()
