"""Recordings and sinks from Python: files, stdout, buffering before a sink, several
recordings at once, and flushing at interpreter exit."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

import reel as rr


def run(code: str, cwd: Path, stdout=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(rr.__file__).resolve().parents[1]))
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, stdout=stdout,
                          stderr=subprocess.PIPE, text=stdout is None, timeout=300, check=False)


def load_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a cleanly closed file loads without warnings
        return rr.dataframe.load_recording(path)


def test_stdout_streams_a_recording(tmp_path):
    out = tmp_path / "piped.reel"
    with open(out, "wb") as f:
        result = run("import reel as rr\n"
                     "rr.init('piped')\n"
                     "rr.stdout()\n"
                     "for i in range(1000):\n"
                     "    rr.set_time('i', sequence=i)\n"
                     "    rr.log('x', rr.Scalars(float(i)))\n", tmp_path, stdout=f)
    assert result.returncode == 0, result.stderr
    rec = load_quietly(out)
    assert rec.application_id == "piped"
    values = rec.view(index="i").select().read_all()["/x:Scalars:scalars"].to_numpy()
    assert values.tolist() == [float(i) for i in range(1000)]


def test_exit_flushes_every_recording(tmp_path):
    code = """
import numpy as np, reel as rr
rr.init("exit_global", log_time=False, log_tick=False)
rr.save("global.reel")
explicit = rr.RecordingStream("exit_explicit")
explicit.save("explicit.reel")
for i in range(20000):
    rr.set_time("i", sequence=i)
    rr.log("x", rr.Scalars(float(i)))
    explicit.set_time("i", sequence=i)
    explicit.log("y", rr.Scalars(float(i)))
# no flush: interpreter exit must deliver everything
"""
    result = run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    for name, entity in (("global.reel", "/x"), ("explicit.reel", "/y")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an explicit stream may outlive exit without its footer
            rec = rr.dataframe.load_recording(tmp_path / name)
        table = rec.view(index="i", contents=entity).select().read_all()
        assert table.num_rows == 20000, name
    load_quietly(tmp_path / "global.reel")  # the global recording's file is closed cleanly


def test_data_logged_before_a_sink_is_kept():
    rec = rr.RecordingStream("buffered", log_time=False)
    rec.set_time("frame", sequence=1)
    rec.log("early", rr.Scalars(1.0))
    mem = rec.memory_recording()
    rec.set_time("frame", sequence=2)
    rec.log("late", rr.Scalars(2.0))
    rec.flush()
    assert rr.dataframe.from_memory(mem).entities() == ["/early", "/late"]


def test_save_then_memory_and_path_objects(tmp_path):
    with rr.RecordingStream("ctx", log_time=False, log_tick=False) as rec:
        rec.save(tmp_path / "ctx.reel")
        mem = rec.memory_recording()
        rec.send_columns("x", [rr.TimeColumn("t", sequence=np.arange(10))], rr.Scalars.columns(scalars=np.ones(10)))
    assert mem.num_rows == 10 and mem.num_chunks >= 1
    del rec  # closes the file
    rec = load_quietly(tmp_path / "ctx.reel")
    assert rec.view(index="t").select().read_all().num_rows == 10


def test_recordings_are_independent():
    a = rr.RecordingStream("a", recording_id="run-a")
    b = rr.RecordingStream("b")
    assert a.recording_id == "run-a" and len(b.recording_id) == 36  # a UUID
    ma, mb = a.memory_recording(), b.memory_recording()
    a.set_time("t", sequence=1)
    a.log("only_a", rr.Scalars(1.0))
    rr.log("only_b", rr.Scalars(2.0), recording=b)
    a.flush()
    b.flush()
    assert rr.dataframe.from_memory(ma).entities() == ["/only_a"]
    assert rr.dataframe.from_memory(mb).entities() == ["/only_b"]
    assert rr.dataframe.from_memory(ma).recording_id == "run-a"


def test_init_replaces_the_global_recording():
    previous = rr.get_global_recording()
    try:
        rr.init("first")
        first = rr.get_global_recording()
        assert first.application_id == "first"
        rr.init("second", recording_id="fixed")
        assert rr.get_global_recording().recording_id == "fixed"
        assert first.application_id == "first"  # still usable while referenced
    finally:
        rr.set_global_recording(previous)


def test_connect_to_an_absent_server_does_not_raise(capfd):
    rec = rr.RecordingStream("tcp")
    rec.connect("127.0.0.1:1")  # nothing listens: reported on stderr and retried, data kept
    rec.log("x", rr.Scalars(1.0))
    rec.flush()
    del rec


def test_memory_recording_after_save_holds_the_whole_recording(tmp_path):
    # The order of the API sketch: save, log, flush, then ask for the embedded store.
    rec = rr.RecordingStream("late_memory", log_time=False, log_tick=False)
    rec.save(tmp_path / "late.reel")
    rec.send_columns("a", [rr.TimeColumn("step", sequence=np.arange(5000))], rr.Scalars.columns(scalars=np.arange(5000.0)))
    for k in range(100):
        rec.set_time("step", sequence=k)
        rec.log("b", rr.Scalars(float(k)))
    rec.flush()
    mem = rec.memory_recording()
    for k in range(100, 150):
        rec.set_time("step", sequence=k)
        rec.log("b", rr.Scalars(float(k)))  # after: reaches the store directly
    rec.flush()
    assert mem.num_rows == 5150  # everything once: no gap, no duplicate
    table = rr.dataframe.from_memory(mem).view(index="step").select().read_all()
    assert table["/a:Scalars:scalars"].to_numpy().tolist() == list(np.arange(5000.0))
    b = table["/b:Scalars:scalars"].to_numpy()
    assert b[:150].tolist() == [float(k) for k in range(150)] and np.isnan(b[150:]).all()
    assert rec.memory_recording().num_rows == 5150  # the same store afterwards
