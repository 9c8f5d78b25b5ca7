"""reel-bench send_columns_py: the send_columns workload from numpy, one call per series
(rr.TimeColumn + rr.Scalars.columns + rr.send_columns), into the embedded store, flushed.
The first run is cold (fresh memory); wall_s is the best of the next fifteen (reel-bench
measures its C++ figure the same way, in the same run). Prints one JSON line: wall_s, wall_cold_s, ns_per_row, rows, sum_ok."""

from __future__ import annotations

import time

import numpy as np

import reel as rr
from workload import NUM_SERIES, args, check_store, emit, entity, values


def load(data: np.ndarray, steps: np.ndarray):
    rec = rr.RecordingStream("reel_bench", log_time=False, log_tick=False)
    mem = rec.memory_recording()
    for s in range(NUM_SERIES):
        rec.send_columns(entity(s), indexes=[rr.TimeColumn("step", sequence=steps)],
                         columns=rr.Scalars.columns(scalars=data[s]))
    rec.flush()
    return rec, mem


def main() -> None:
    n = args().steps
    data = values(n)
    steps = np.arange(n, dtype=np.int64)
    t0 = time.perf_counter()
    rec, mem = load(data, steps)
    cold = time.perf_counter() - t0
    best = float("inf")
    for _ in range(15):
        del rec, mem
        t0 = time.perf_counter()
        rec, mem = load(data, steps)
        best = min(best, time.perf_counter() - t0)
    rows = n * NUM_SERIES
    emit({"wall_s": best, "wall_cold_s": cold, "ns_per_row": best * 1e9 / rows, "rows": rows,
          **check_store(rr, mem, n, float(data.sum()))})


if __name__ == "__main__":
    main()
