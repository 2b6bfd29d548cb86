"""Runs a course program under CPython, logging its socket and selector calls to stderr as JSON lines.

Usage: python3 -u cpython-trace.py PROGRAM.py
Each line: {"thread": ..., "call": ..., "fd": ..., "result": ... | "raised": ...}, in the shapes
the interpreter's CallRecords use, so the conformance test can compare the two directly.
"""
import json
import runpy
import selectors
import socket
import sys
import threading
import time

_out = sys.stderr
_lock = threading.Lock()
_NAMES = {selectors.EVENT_READ: "EVENT_READ", selectors.EVENT_WRITE: "EVENT_WRITE"}


def log(call, fd, result=None, raised=None):
    entry = {"thread": threading.current_thread().name, "call": call, "fd": fd}
    if raised is not None:
        entry["raised"] = f"{type(raised).__name__}: {raised}"
    elif result is not None:
        entry["result"] = result
    with _lock:
        _out.write("TRACE " + json.dumps(entry) + "\n")
        _out.flush()


def mask_text(mask):
    return "|".join(name for bit, name in _NAMES.items() if mask & bit)


def wrap(name, show):
    original = getattr(socket.socket, name)

    def traced(self, *args, **kwargs):
        fd = self.fileno()
        try:
            value = original(self, *args, **kwargs)
        except OSError as e:
            log(name, fd, raised=e)
            raise
        log(name, fd, show(value))
        return value

    setattr(socket.socket, name, traced)


wrap("bind", lambda v: "None")
wrap("listen", lambda v: "None")
wrap("setblocking", lambda v: "None")
wrap("setsockopt", lambda v: "None")
wrap("accept", lambda v: f"fd {v[0].fileno()}")
wrap("recv", lambda v: repr(v))
wrap("send", lambda v: str(v))
wrap("sendall", lambda v: "None")
wrap("connect", lambda v: "None")
wrap("connect_ex", lambda v: str(v))

_init = socket.socket.__init__


def traced_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    if kwargs.get("fileno") is None and len(args) < 4:
        log("socket", self.fileno(), f"fd {self.fileno()}")


socket.socket.__init__ = traced_init
_close = socket.socket.close


def traced_close(self):
    fd = self.fileno()
    if fd != -1:
        log("close", fd)
    _close(self)


socket.socket.close = traced_close


class TracedSelector(selectors.DefaultSelector):
    def __init__(self):
        super().__init__()
        log("DefaultSelector", self.fileno(), f"epoll fd {self.fileno()}")

    def register(self, fileobj, events, data=None):
        key = super().register(fileobj, events, data)
        log("register", key.fd, "SelectorKey")
        return key

    def modify(self, fileobj, events, data=None):
        key = super().modify(fileobj, events, data)
        log("modify", key.fd, "SelectorKey")
        return key

    def unregister(self, fileobj):
        key = super().unregister(fileobj)
        log("unregister", key.fd, "SelectorKey")
        return key

    def select(self, timeout=None):
        ready = super().select(timeout)
        log("select", None, "[" + ", ".join(f"(fd {k.fd}, {mask_text(m)})" for k, m in ready) + "]")
        return ready

    def close(self):
        fd = self.fileno()
        super().close()
        log("selector.close", fd)


selectors.DefaultSelector = TracedSelector
_sleep = time.sleep


def traced_sleep(seconds):
    log("sleep", None, "start")
    try:
        _sleep(seconds)
    finally:
        log("sleep", None, "end")


time.sleep = traced_sleep
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
