"""rr.spawn() and rr.connect_grpc(): a local `reel serve` for scripts written for Rerun.

Rerun's `rr.spawn()` starts a viewer and `rr.connect_grpc(url)` streams to one at
`rerun+http://127.0.0.1:9876/proxy`. reel's counterpart of both is `reel serve`: it takes SDK
connections on its ingest port (9876 by default, Rerun's gRPC port) and serves the web
viewer over HTTP (9090). `spawn()` starts one (the `reel` executable installed with this
package, else the one on PATH) and connects the recording to it; `connect_grpc()` maps a
Rerun URL to the server's ingest address, checks that a reel server answers there, and
connects. docs/python.md describes both.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings

DEFAULT_PORT = 9876  # reel serve --ingest-port, the port of Rerun's gRPC URLs
DEFAULT_HTTP_PORT = 9090  # reel serve --port (the viewer)
PROBE = b"REELPING"  # answered "REELPONG <version>\n" by reel serve (src/server/ingest.cpp)

# The `reel serve` processes this interpreter started: process, ingest address, viewer URL, log.
_spawned: list[tuple[subprocess.Popen, str, str, str]] = []


class NotAReelServerError(ConnectionError):
    """Something listens at the address, but it does not answer as `reel serve` does."""


def probe(host: str, port: int, timeout: float = 2.0) -> str | None:
    """The version of the reel server at host:port, or None when nothing listens there.

    Raises NotAReelServerError when a connection succeeds but the peer does not answer the
    probe as `reel serve` does within `timeout` seconds (another program on the port, such
    as a Rerun viewer, or a reel older than the probe)."""
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except (ConnectionRefusedError, socket.timeout, OSError):
        return None
    with conn:
        try:
            conn.sendall(PROBE)
            reply = b""
            deadline = time.monotonic() + timeout
            while not reply.endswith(b"\n") and len(reply) < 256:
                conn.settimeout(max(0.01, deadline - time.monotonic()))
                data = conn.recv(256)
                if not data:
                    break
                reply += data
        except (socket.timeout, OSError) as e:
            raise NotAReelServerError(
                f"{host}:{port} accepted a connection but did not answer as a reel server "
                f"within {timeout:g} s ({e}); is it `reel serve`'s ingest port?") from None
    if reply.startswith(b"REELPONG "):
        return reply[len(b"REELPONG "):].decode("utf-8", "replace").strip()
    if not reply:
        raise NotAReelServerError(
            f"{host}:{port} is not a reel server: it closed the connection without answering reel's "
            "hello (another program, or a reel serve older than the hello)")
    shown = reply[:40].decode("latin-1").encode("unicode_escape").decode("ascii")
    raise NotAReelServerError(
        f"{host}:{port} is not a reel server: it answered {shown!r} instead of reel's hello "
        "(is it a Rerun viewer or another program? start `reel serve`, or use rr.spawn())")


def ingest_address(url: str | None) -> tuple[str, int]:
    """host and port of `reel serve`'s ingest for a Rerun URL or a plain address.

    None -> 127.0.0.1:9876. `rerun+http://HOST:PORT/proxy`, `rerun://HOST:PORT/proxy` and
    `rerun+https://...` (Rerun's gRPC proxy URLs) -> HOST:PORT; `HOST:PORT` and
    `tcp://HOST:PORT` as they are."""
    if url is None:
        return "127.0.0.1", DEFAULT_PORT
    if not isinstance(url, str):
        raise TypeError(f"connect_grpc: url must be a str, got {type(url).__name__}")
    text = url.strip()
    if "://" not in text:
        text = "tcp://" + text
    parts = urllib.parse.urlsplit(text)
    schemes = ("rerun", "rerun+http", "rerun+https", "tcp", "http")
    if parts.scheme not in schemes:
        raise ValueError(f"connect_grpc: unsupported URL {url!r} (expected rerun+http://HOST:PORT/proxy or HOST:PORT)")
    if parts.path not in ("", "/", "/proxy"):
        raise ValueError(f"connect_grpc: {url!r}: the path must be /proxy, as in rerun+http://127.0.0.1:9876/proxy")
    if parts.scheme == "rerun+https":
        warnings.warn(f"connect_grpc: {url!r}: reel serve speaks plain TCP; connecting without TLS", stacklevel=3)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"connect_grpc: {url!r}: bad port") from None
    return parts.hostname or "127.0.0.1", port


def connect_grpc(url: str | None, recording, default_blueprint=None) -> None:
    host, port = ingest_address(url)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if probe(host, port) is None:
        warnings.warn(f"connect_grpc: no reel server at {address} yet (start `reel serve` or use rr.spawn()); "
                      "the data is kept and the connection retried", stacklevel=3)
    recording.connect(address)


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def find_executable(executable_name: str = "reel", executable_path: str | None = None) -> str:
    """The `reel` executable: executable_path, else the one installed in this package
    (reel/bin/reel), else the one on PATH."""
    if executable_path is not None:
        if not os.access(executable_path, os.X_OK):
            raise FileNotFoundError(f"spawn: {executable_path} is not an executable")
        return executable_path
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", executable_name)
    if os.access(here, os.X_OK):
        return here
    found = shutil.which(executable_name)
    if found:
        return found
    raise FileNotFoundError(
        f"spawn: cannot find the `{executable_name}` executable: neither {here} (installed with the "
        "package by `cmake --install BUILD --component python`) nor on PATH")


def spawn(*, port: int, memory_limit: str, detach_process: bool, executable_name: str,
          executable_path: str | None, timeout: float = 20.0) -> str:
    """Starts `reel serve` on ingest port `port` (or finds the reel server already there)
    and returns its ingest address."""
    address = f"127.0.0.1:{port}"
    try:
        if probe("127.0.0.1", port) is not None:
            print(f"reel: a reel server already listens at {address}; using it", file=sys.stderr)
            return address
    except NotAReelServerError as e:
        raise RuntimeError(f"spawn: port {port} is taken by something else: {e}") from None
    exe = find_executable(executable_name, executable_path)
    http_port = DEFAULT_HTTP_PORT if _free(DEFAULT_HTTP_PORT) else 0
    log = tempfile.NamedTemporaryFile(prefix=f"reel-serve-{port}-", suffix=".log", delete=False)
    args = [exe, "serve", "--ingest-port", str(port), "--port", str(http_port)]
    if memory_limit:
        args += ["--memory-limit", memory_limit]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               start_new_session=detach_process, close_fds=True)
    log.close()
    deadline = time.monotonic() + timeout
    url = None
    while url is None:
        with open(log.name, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        viewer = [line for line in lines if line.startswith("reel: viewer at ")]
        ingest = [line for line in lines if line.startswith("reel: ingest at ")]
        if viewer and ingest:
            url = viewer[0][len("reel: viewer at "):]
            break
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.kill()
                process.wait()
            tail = "\n  ".join(lines[-5:]) or "(no output)"
            raise RuntimeError(f"spawn: `{' '.join(args)}` did not start (exit {process.returncode}); "
                               f"its log ({log.name}):\n  {tail}")
        time.sleep(0.02)
    _spawned.append((process, address, url, log.name))
    if not detach_process:
        atexit.register(_stop, process)
    print(f"reel: viewer at {url} (reel serve, pid {process.pid}, log {log.name})")
    return address


def spawned() -> list[tuple[int, str, str, str]]:
    """(pid, ingest address, viewer URL, log file) of every `reel serve` this interpreter
    started."""
    return [(p.pid, address, url, log) for p, address, url, log in _spawned]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
