"""Issue 13 (data safety) from Python: lost data is never silent (rr.DataLossWarning, raised
under rr.set_strict_mode(True)), a timeline keeps one type per recording (TypeError), and the
embedded store takes a memory limit."""

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


def test_timeline_type_is_fixed_per_recording():
    rec = rr.RecordingStream("data_safety", log_time=False, log_tick=False)
    mem = rec.memory_recording()
    rr.set_time("t", sequence=1, recording=rec)
    rr.log("a", rr.Scalars(1.0), recording=rec)
    with pytest.raises(TypeError, match=r"timeline 't' is a sequence timeline in this recording: it cannot also be set as a duration"):
        rr.set_time("t", duration=2.5, recording=rec)
    # The context is unchanged: the next row is still at sequence 1... then 2.
    rr.set_time("t", sequence=2, recording=rec)
    rr.log("b", rr.Scalars(2.0), recording=rec)
    with pytest.raises(TypeError, match="timeline 't' is a sequence timeline"):
        rec.send_columns("c", [rr.TimeColumn("t", timestamp=[1.0])], rr.Scalars.columns(scalars=[3.0]))
    # The automatic timelines are claimed too.
    rec2 = rr.RecordingStream("data_safety")
    with pytest.raises(TypeError, match="timeline 'log_tick' is a sequence timeline"):
        rr.set_time("log_tick", timestamp=0, recording=rec2)
    rec.flush()
    # Everything logged is readable: the recording loads and queries whole.
    table = rr.dataframe.from_memory(mem).view(index="t", contents="/**").select().read_all()
    assert table.num_rows == 2


def test_memory_recording_takes_a_memory_limit():
    rec = rr.RecordingStream("data_safety", log_time=False, log_tick=False)
    mem = rec.memory_recording(memory_limit="2MB")
    assert mem.memory_limit == 2_000_000
    steps = np.arange(4096, dtype=np.int64)
    values = steps.astype(np.float64)
    for k in range(200):  # ~13 MB of scalars and times: far over the limit
        rec.send_columns("big", [rr.TimeColumn("frame", sequence=steps + k * 4096)], rr.Scalars.columns(scalars=values))
    rec.flush()
    assert mem.memory_bytes <= 2_000_000
    # The oldest data went, the newest stays.
    table = rr.dataframe.from_memory(mem).view(index="frame", contents="/big").select().read_all()
    frames = table.column("frame").to_pylist()
    assert frames[-1] == 200 * 4096 - 1
    assert 0 < len(frames) < 200 * 4096
    # Given later with another limit, or unparsable: a clear error.
    with pytest.raises(ValueError, match="exists already with memory limit 2000000 bytes"):
        rec.memory_recording(memory_limit="1GB")
    with pytest.raises(ValueError, match="bad memory size '2 parsecs'"):
        rr.RecordingStream("data_safety").memory_recording(memory_limit="2 parsecs")
    # The module function, on the global recording: same parsing as --memory-limit.
    rr.init("data_safety_global")
    assert rr.memory_recording(memory_limit="1.5GiB").memory_limit == int(1.5 * 2**30)
