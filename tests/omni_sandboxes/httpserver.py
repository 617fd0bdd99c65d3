"""HTTP plumbing shared by the channel sandboxes.

A sandbox serves a channel's API on ``http://127.0.0.1:<port>`` from a daemon thread, records
what it receives and can be told to misbehave: :class:`Fault` queues the next answers as rate
limits, server errors, stalls or dropped connections. The channel modules only write their
routes. No Odoo import: usable from plain pytest and from Odoo tests alike.
"""

import http.server
import json
import socket
import sys
import threading


class Fault:
    """The next ``times`` requests whose path starts with ``path_prefix`` misbehave as
    ``kind``, once ``after`` of them have been answered normally (a fault in the middle of a
    walk); ``retry_after`` is the delay announced by rate-limit answers."""

    def __init__(self, kind, times=1, retry_after=1, path_prefix="", after=0):
        self.kind = str(kind)
        self.times = times
        self.retry_after = retry_after
        self.path_prefix = path_prefix
        self.after = after

    def __repr__(self):
        return f"Fault({self.kind!r}, {self.path_prefix!r}, times={self.times})"


class SandboxServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox = None

    def handle_error(self, request, client_address):
        # Clients that gave up (timeouts, dropped connections) are part of the game.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class JsonHandler(http.server.BaseHTTPRequestHandler):
    """Answers JSON; subclasses route and add their vendor's response headers."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    json_indent = None
    json_content_type = "application/json"

    def log_message(self, format, *args):  # silence the default stderr log
        pass

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK cost ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def sandbox(self):
        return self.server.sandbox

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def response_headers(self):
        """Headers every answer of this vendor carries."""
        return {}

    def send_json(self, status, body, headers=None):
        self.send_bytes(status, json.dumps(body, indent=self.json_indent).encode(), headers)

    def send_bytes(self, status, data, headers=None, content_type=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type or self.json_content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in {**self.response_headers(), **(headers or {})}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def drop(self):
        """Close the connection without answering."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def transport_fault(self, fault):
        """Play a "drop" or "timeout" fault; True when the request must not be answered.
        A timeout stalls ``timeout_seconds`` and then answers normally (the client has
        usually given up by then)."""
        if fault.kind == "drop":
            self.drop()
            return True
        if fault.kind == "timeout" and self.sandbox._stopping.wait(self.sandbox.timeout_seconds):
            self.drop()
            return True
        return False


class Sandbox:
    """Lifecycle and fault queue of a sandbox server; ``handler_class`` does the routing."""

    handler_class = JsonHandler
    name = "sandbox"
    fault_kinds = ()  # empty: any kind the handler understands

    def __init__(self):
        self.requests = []
        self.faults = []
        self.timeout_seconds = 3.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    def start(self, port=0):
        if self._server is not None:
            return self
        self._stopping.clear()
        server = SandboxServer(("127.0.0.1", port), self.handler_class)
        server.sandbox = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1] if self._server else None

    @property
    def url(self):
        if self._server is None:
            raise RuntimeError(f"{self.name} not started")
        return f"http://127.0.0.1:{self.port}"

    def add_fault(self, kind, times=1, retry_after=1, path_prefix="", after=0):
        """Queue a fault; faults are consumed in the order added."""
        if self.fault_kinds and kind not in self.fault_kinds:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {self.fault_kinds}")
        fault = Fault(kind, times, retry_after, path_prefix, after)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self):
        with self._lock:
            self.faults.clear()

    def _take_fault(self, path=""):
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path_prefix):
                    if fault.after > 0:  # answered normally, and no later fault either
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None
