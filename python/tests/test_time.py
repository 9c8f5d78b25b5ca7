"""set_time in all its forms, disable_timeline / reset_time, per-thread time context, and
TimeColumn conversions."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np

import reel as rr
from conftest import Logged


def index_of(logged, timeline, entity):
    table = logged.read().view(index=timeline, contents=entity).select().read_all()
    return table[timeline].to_numpy().view(np.int64).tolist()


def test_set_time_forms():
    logged = Logged(log_tick=True)
    rec = logged.rec
    cases = [
        ("seq_int", dict(sequence=7), 7),
        ("seq_np", dict(sequence=np.int32(-3)), -3),
        ("dur_float", dict(duration=1.5), 1_500_000_000),
        ("dur_int", dict(duration=2), 2_000_000_000),
        ("dur_np_float", dict(duration=np.float32(0.25)), 250_000_000),
        ("dur_np_int", dict(duration=np.int64(3)), 3_000_000_000),
        ("dur_timedelta", dict(duration=dt.timedelta(seconds=1, microseconds=5)), 1_000_005_000),
        ("dur_td64", dict(duration=np.timedelta64(3, "ms")), 3_000_000),
        ("ts_int_ns", dict(timestamp=1_700_000_000_123_456_789), 1_700_000_000_123_456_789),
        ("ts_float_secs", dict(timestamp=1700000000.25), 1_700_000_000_250_000_000),
        ("ts_np_int", dict(timestamp=np.int64(42)), 42),
        ("ts_datetime_utc", dict(timestamp=dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc)), 1_714_564_800 * 10**9),
        ("ts_datetime_tz", dict(timestamp=dt.datetime(2024, 5, 1, 14, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
         1_714_564_800 * 10**9),
        ("ts_datetime_naive", dict(timestamp=dt.datetime(2024, 5, 1, 12)), 1_714_564_800 * 10**9),
        ("ts_datetime64", dict(timestamp=np.datetime64("2024-05-01T12:00:00.000000001")), 1_714_564_800 * 10**9 + 1),
    ]
    for name, kwargs, _ in cases:
        rec.reset_time()
        rec.set_time(name, **kwargs)
        rec.log(f"/{name}", rr.Scalars(1.0))
    timelines = logged.read().timelines()
    for name, kwargs, expected in cases:
        kind = next(iter(kwargs))
        assert timelines[name] == kind, name
        assert index_of(logged, name, f"/{name}") == [expected], name


def test_module_level_set_time_uses_the_global_recording():
    previous = rr.get_global_recording()
    try:
        rr.init("global_time", log_time=False, log_tick=False)
        mem = rr.memory_recording()
        rr.set_time("step", sequence=3)
        rr.log("x", rr.Scalars(1.0))
        rr.disable_timeline("step")
        rr.set_time("other", sequence=1)
        rr.log("y", rr.Scalars(2.0))
        rr.reset_time()
        rr.set_time("step", sequence=5)
        rr.log("x", rr.Scalars(3.0))
        rr.flush()
        rec = rr.dataframe.from_memory(mem)
        assert rec.application_id == "global_time"
        x = rec.view(index="step", contents="/x").select().read_all()
        assert x["step"].to_numpy().tolist() == [3, 5]
        assert rec.view(index="step", contents="/y").select().read_all().num_rows == 0  # disabled
        assert rec.view(index="other", contents="/y").select().read_all().num_rows == 1
    finally:
        rr.set_global_recording(previous)


def test_disable_timeline_and_reset_time():
    logged = Logged(log_tick=True)
    rec = logged.rec
    rec.set_time("a", sequence=1)
    rec.set_time("b", sequence=10)
    rec.log("/x", rr.Scalars(1.0))
    rec.disable_timeline("b")
    rec.set_time("a", sequence=2)
    rec.log("/x", rr.Scalars(2.0))
    rec.reset_time()
    rec.log("/x", rr.Scalars(3.0))
    assert index_of(logged, "a", "/x") == [1, 2]
    assert index_of(logged, "b", "/x") == [10]
    assert len(index_of(logged, "log_tick", "/x")) == 3


def test_time_context_is_per_thread():
    logged = Logged(log_tick=True)
    rec = logged.rec
    rec.set_time("frame", sequence=1)

    def other():
        rec.set_time("frame", sequence=100)
        rec.log("/other", rr.Scalars(1.0))

    t = threading.Thread(target=other)
    t.start()
    t.join()
    rec.log("/main", rr.Scalars(2.0))
    assert index_of(logged, "frame", "/other") == [100]
    assert index_of(logged, "frame", "/main") == [1]


def test_time_columns():
    assert rr.TimeColumn("s", sequence=np.arange(3, dtype=np.uint16)).to_numpy().tolist() == [0, 1, 2]
    d = rr.TimeColumn("d", duration=[0.5, 1, 2.000000001])
    assert d.kind == "duration" and d.to_numpy().tolist() == [500_000_000, 1_000_000_000, 2_000_000_001]
    assert rr.TimeColumn("d", duration=np.array([1, 2], dtype="timedelta64[us]")).to_numpy().tolist() == [1000, 2000]
    assert rr.TimeColumn("d", duration=np.array([3, 4])).to_numpy().tolist() == [3 * 10**9, 4 * 10**9]
    ts = rr.TimeColumn("t", timestamp=np.array(["2024-05-01T12:00:00"], dtype="datetime64[s]"))
    assert ts.kind == "timestamp" and ts.to_numpy().tolist() == [1_714_564_800 * 10**9]
    assert rr.TimeColumn("t", timestamp=[1.5]).to_numpy().tolist() == [1_500_000_000]
    assert rr.TimeColumn("t", timestamp=[dt.datetime(1970, 1, 1, 0, 0, 1)]).to_numpy().tolist() == [10**9]
    assert len(rr.TimeColumn("s", sequence=[5, 1])) == 2 and not rr.TimeColumn("s", sequence=[5, 1]).is_sorted


def test_send_columns_static_and_multiple_indexes():
    logged = Logged()
    rec = logged.rec
    rec.send_columns("/s", [], rr.Scalars.columns(scalars=[42.0]))
    rec.send_columns(
        "/x",
        [rr.TimeColumn("frame", sequence=[0, 1, 2]), rr.TimeColumn("time", duration=[0.0, 0.5, 1.0])],
        [rr.Scalars.columns(scalars=[1.0, 2.0, 3.0])],
    )
    r = logged.read()
    assert r.latest_at("/s", rr.Scalars)["scalars"].tolist() == [42.0]
    t = r.view(index="time", contents="/x").filter_range_secs(0.5, 1.0).select().read_all()
    assert t["/x:Scalars:scalars"].to_numpy().tolist() == [2.0, 3.0]
