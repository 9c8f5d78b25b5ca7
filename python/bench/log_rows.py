"""reel-bench log_rows_py: the log_rows workload from Python, written the way a user would:
rr.set_time before each rr.log of one rr.Scalars(float), batcher on, into the embedded
store, then rr.flush(). Prints one JSON line: wall_s, ns_per_row, rows, sum_ok."""

from __future__ import annotations

import time

import reel as rr
from workload import NUM_SERIES, args, check_store, emit, entity, values


def main() -> None:
    steps = args().steps
    data = values(steps)
    expected = float(data.sum())
    series = [data[s].tolist() for s in range(NUM_SERIES)]  # Python floats, as a program has them
    paths = [entity(s) for s in range(NUM_SERIES)]
    rr.init("reel_bench", log_time=False, log_tick=False)
    mem = rr.memory_recording()
    t0 = time.perf_counter()
    for k in range(steps):
        for s in range(NUM_SERIES):
            rr.set_time("step", sequence=k)
            rr.log(paths[s], rr.Scalars(series[s][k]))
    rr.flush()
    wall = time.perf_counter() - t0
    rows = steps * NUM_SERIES
    emit({"wall_s": wall, "ns_per_row": wall * 1e9 / rows, "rows": rows, **check_store(rr, mem, steps, expected)})


if __name__ == "__main__":
    main()
