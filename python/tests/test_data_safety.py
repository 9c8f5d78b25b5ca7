"""Issue 13 (data safety) from Python: lost data is never silent (rr.DataLossWarning, raised
under rr.set_strict_mode(True))."""

from __future__ import annotations

import socket
import threading

import numpy as np
import pytest

import reel as rr


class StalledServer:
    """Accepts one connection and reads nothing until released (a small receive buffer, so
    the stall is felt at once); then reads everything."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.go = threading.Event()
        self.received = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn, _ = self.listener.accept()
        self.go.wait()
        with conn:
            while True:
                data = conn.recv(1 << 16)
                if not data:
                    break
                self.received += len(data)

    def release(self):
        self.go.set()


def log_random_points(rec, start, count):
    rng = np.random.default_rng(start)
    for i in range(start, start + count):
        rec.set_time("frame", sequence=i)
        rec.log("pts", rr.Points3D(rng.random((1000, 3), dtype=np.float32)))


def test_stalled_server_flush_issues_data_loss_warning_and_strict_mode_raises():
    server = StalledServer()
    rec = rr.RecordingStream("data_safety", log_time=False, log_tick=False, flush_num_rows=1)
    rec.connect(server.address, max_block_secs=0.2, max_buffer_bytes=256 * 1024)
    log_random_points(rec, 0, 2000)  # ~24 MB of incompressible points
    with pytest.warns(rr.DataLossWarning, match=r"^data loss: dropped the \d+ oldest chunks \(\d+ rows, \d+ bytes\)"):
        rec.flush()
    rr.set_strict_mode(True)
    try:
        log_random_points(rec, 2000, 2000)
        with pytest.raises(rr.DataLossWarning, match="the server read nothing for 0.2 s"):
            rec.flush()
    finally:
        rr.set_strict_mode(False)
    server.release()
    rec.flush()  # the server reads again: nothing more lost, no warning
    del rec
    server.thread.join(timeout=600)
    assert server.received > 0
