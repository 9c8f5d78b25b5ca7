"""Threads logging concurrently through one recording: nothing lost, each thread's time
context attached to its own rows, each thread's rows in the order it logged them."""

from __future__ import annotations

import threading

import numpy as np

import reel as rr
from conftest import Logged


def test_threads_log_concurrently():
    logged = Logged(log_tick=True)
    rec = logged.rec
    threads, rows = 8, 2000
    big = np.arange(3 * 20_000, dtype=np.float32).reshape(-1, 3)  # 240 KB: logged without the GIL
    barrier = threading.Barrier(threads + 2)

    def scalars(t):
        barrier.wait()
        for k in range(rows):
            rec.set_time("step", sequence=k)
            rec.log(f"/thread/{t}", rr.Scalars(float(t * 100_000 + k)))

    def points():
        barrier.wait()
        for k in range(30):
            rec.set_time("step", sequence=k)
            rec.log("/cloud", rr.Points3D(big + k))

    def columns():
        barrier.wait()
        for k in range(20):
            rec.send_columns(f"/cols/{k}", [rr.TimeColumn("step", sequence=np.arange(1000))],
                             rr.Scalars.columns(scalars=np.full(1000, float(k))))

    workers = [threading.Thread(target=scalars, args=(t,)) for t in range(threads)]
    workers += [threading.Thread(target=points), threading.Thread(target=columns)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    r = logged.read()
    for t in range(threads):
        entity = f"/thread/{t}"
        name = f"{entity}:Scalars:scalars"
        by_step = r.view(index="step", contents=entity).select().read_all()
        # Nothing lost, and every row carries the step its own thread set.
        assert by_step["step"].to_numpy().tolist() == list(range(rows))
        assert by_step[name].to_numpy().tolist() == [float(t * 100_000 + k) for k in range(rows)]
        # In log order: ordered by the global log_tick, the thread's values increase.
        by_tick = r.view(index="log_tick", contents=entity).select().read_all()[name].to_numpy()
        assert len(by_tick) == rows and (np.diff(by_tick) > 0).all()
        # ... and so do their RowIds.
        ids = [r.latest_at(entity, rr.Scalars, index="step", at=k).row_id("scalars") for k in range(0, rows, 97)]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
    cloud = r.view(index="step", contents="/cloud").select().read_all()
    assert cloud["step"].to_numpy().tolist() == list(range(30))
    last = r.latest_at("/cloud", rr.Points3D, index="step", at=29)["positions"]
    np.testing.assert_array_equal(last, big + 29)
    for k in range(20):
        assert r.latest_at(f"/cols/{k}", rr.Scalars, index="step")["scalars"].tolist() == [float(k)]


def test_the_global_recording_from_many_threads():
    previous = rr.get_global_recording()
    try:
        rr.init("threads", log_time=False, log_tick=False)
        mem = rr.memory_recording()

        def work(t):
            for k in range(500):
                rr.set_time("k", sequence=k)
                rr.log(f"/t{t}", rr.Scalars(float(k)))

        workers = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        rr.flush()
        table = rr.dataframe.from_memory(mem).view(index="k").select().read_all()
        assert table.num_rows == 500
        for t in range(4):
            assert table[f"/t{t}:Scalars:scalars"].to_numpy().tolist() == [float(k) for k in range(500)]
    finally:
        rr.set_global_recording(previous)
