"""rr.spawn() and rr.connect_grpc() against real `reel serve` processes: the executable the
package finds, the printed viewer URL, Rerun-style URLs, and a clear error when the address
is not a reel server. The CLI comes from the build (REEL_CLI, set by CTest); every server a
test starts is stopped by its pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import urllib.request

import pytest

import reel as rr
from reel import _sinks

CLI = os.environ.get("REEL_CLI")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_info(viewer_url: str) -> dict:
    with urllib.request.urlopen(viewer_url.rstrip("/") + "/api/info", timeout=30) as r:
        return json.loads(r.read())


def wait_for_rows(viewer_url: str, rows: int) -> dict:
    # Bounded only so that a hung server fails the test instead of hanging it.
    for _ in range(3000):
        info = api_info(viewer_url)
        if info["rows"] >= rows:
            return info
        threading.Event().wait(0.01)
    return info


class Serve:
    """`reel serve` on free ports, started by the test (stopped by pid)."""

    def __init__(self):
        assert CLI, "REEL_CLI (the build's reel binary) is set by CTest"
        self.process = subprocess.Popen([CLI, "serve", "--port", "0", "--ingest-port", "0", "--web-root", "/nonexistent"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        viewer = self.process.stdout.readline().strip()
        ingest = self.process.stdout.readline().strip()
        assert viewer.startswith("reel: viewer at http://127.0.0.1:"), viewer
        assert ingest.startswith("reel: ingest at 127.0.0.1:"), ingest
        self.viewer_url = viewer[len("reel: viewer at "):]
        self.ingest_port = int(ingest.rsplit(":", 1)[1])

    def stop(self):
        os.kill(self.process.pid, signal.SIGTERM)
        assert self.process.wait(timeout=60) == 0


@pytest.fixture
def serve():
    s = Serve()
    yield s
    s.stop()


def test_the_package_finds_the_reel_executable_installed_with_it():
    exe = _sinks.find_executable()
    package_bin = os.path.join(os.path.dirname(rr.__file__), "bin", "reel")
    assert exe == package_bin
    assert os.path.realpath(exe) == os.path.realpath(CLI)


def test_rerun_urls_map_to_the_ingest_address():
    assert _sinks.ingest_address(None) == ("127.0.0.1", 9876)
    assert _sinks.ingest_address("rerun+http://127.0.0.1:9876/proxy") == ("127.0.0.1", 9876)
    assert _sinks.ingest_address("rerun://10.0.0.2:7000/proxy") == ("10.0.0.2", 7000)
    assert _sinks.ingest_address("rerun+http://localhost/proxy") == ("localhost", 9876)
    assert _sinks.ingest_address("127.0.0.1:5555") == ("127.0.0.1", 5555)
    assert _sinks.ingest_address("tcp://[::1]:5555") == ("::1", 5555)
    with pytest.raises(ValueError, match="the path must be /proxy"):
        _sinks.ingest_address("rerun+http://127.0.0.1:9876/somewhere")
    with pytest.raises(ValueError, match="unsupported URL"):
        _sinks.ingest_address("ftp://127.0.0.1:9876")


def test_connect_grpc_streams_to_reel_serve_from_a_rerun_url(serve):
    rec = rr.RecordingStream("connect_grpc_test", log_time=False, log_tick=False)
    rr.connect_grpc(f"rerun+http://127.0.0.1:{serve.ingest_port}/proxy", recording=rec)
    for i in range(25):
        rec.set_time("frame", sequence=i)
        rec.log("plots/a", rr.Scalars(i * 0.5))
    rec.flush()
    info = wait_for_rows(serve.viewer_url, 25)
    assert info["rows"] == 25
    assert info["application_id"] == "connect_grpc_test"


def test_connect_grpc_says_when_the_address_is_not_a_reel_server():
    # A server that answers as HTTP does, and one that accepts and never says anything.
    for reply in (b"HTTP/1.1 400 Bad Request\r\n\r\n", None):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        done = threading.Event()

        def serve_once():
            conn, _ = listener.accept()
            conn.recv(64)
            if reply is not None:
                conn.sendall(reply)
            done.wait(30)
            conn.close()

        thread = threading.Thread(target=serve_once)
        thread.start()
        rec = rr.RecordingStream("not_reel", log_time=False, log_tick=False)
        expected = "is not a reel server" if reply else "did not answer as a reel server"
        with pytest.raises(rr.NotAReelServerError, match=expected):
            rr.connect_grpc(f"rerun+http://127.0.0.1:{port}/proxy", recording=rec)
        done.set()
        thread.join()
        listener.close()


def test_connect_grpc_to_nothing_warns_and_keeps_the_data():
    rec = rr.RecordingStream("nobody_home", log_time=False, log_tick=False)
    with pytest.warns(UserWarning, match="no reel server at 127.0.0.1:.* yet"):
        rr.connect_grpc(f"127.0.0.1:{free_port()}", recording=rec)


def test_spawn_starts_reel_serve_prints_the_viewer_url_and_connects(capsys):
    port = free_port()
    rec = rr.RecordingStream("spawn_test", log_time=False, log_tick=False)
    rr.spawn(port=port, recording=rec, memory_limit="256MiB")
    spawned = [s for s in _sinks.spawned() if s[1] == f"127.0.0.1:{port}"]
    assert len(spawned) == 1
    pid, _, viewer_url, log = spawned[0]
    try:
        out = capsys.readouterr().out
        assert f"reel: viewer at {viewer_url}" in out
        assert viewer_url.startswith("http://127.0.0.1:")
        rec.set_time("frame", sequence=1)
        rec.log("world/points", rr.Points3D([[1, 2, 3], [4, 5, 6]]))
        rec.flush()
        info = wait_for_rows(viewer_url, 1)
        assert info["application_id"] == "spawn_test"
        assert info["memory_limit"] == 256 << 20
        # A second spawn on the same port finds the running server instead of starting one.
        rr.spawn(port=port, connect=False)
        assert len([s for s in _sinks.spawned() if s[1] == f"127.0.0.1:{port}"]) == 1
    finally:
        os.kill(pid, signal.SIGTERM)
        for process, _, _, _ in _sinks._spawned:
            if process.pid == pid:
                assert process.wait(timeout=60) == 0
        os.remove(log)


def test_init_spawn_true_is_init_then_spawn(monkeypatch):
    calls = []
    monkeypatch.setattr(rr, "spawn", lambda **kw: calls.append(kw))
    rr.init("init_spawn_test", spawn=True)
    assert calls == [{}]
    rr.set_global_recording(None)
