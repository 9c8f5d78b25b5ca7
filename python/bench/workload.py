"""The reference workload of reel-bench (../../bench/reel_bench.cpp, Workload): 9 plots x 5
series x `steps` f64 samples, series s on /plots/p{s // 5}/s{s % 5}, timeline `step`, value
sin(step / 1000 + s % 5) * (s // 5)."""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

PLOTS, SERIES = 9, 5
NUM_SERIES = PLOTS * SERIES


def entity(s: int) -> str:
    return f"/plots/p{s // SERIES}/s{s % SERIES}"


def values(steps: int) -> np.ndarray:
    """values[s, step], computed as the C++ bench does (same doubles)."""
    k = np.arange(steps, dtype=np.float64)
    return np.stack([np.sin(k / 1000.0 + s % SERIES) * (s // SERIES) for s in range(NUM_SERIES)])


def args() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=50_000)
    return p.parse_args()


def check_store(rr, mem, steps: int, expected_sum: float) -> dict:
    """Rows and the sum of every value, read back through the dataframe API (not timed)."""
    table = rr.dataframe.from_memory(mem).view(index="step", contents="/plots/**").select().read_all()
    total, cells = 0.0, 0
    for s in range(NUM_SERIES):
        column = table[f"{entity(s)}:Scalars:scalars"].to_numpy()
        total += float(np.nansum(column))
        cells += int(np.count_nonzero(~np.isnan(column)))
    ok = table.num_rows == steps and cells == steps * NUM_SERIES and math.isclose(
        total, expected_sum, rel_tol=1e-9, abs_tol=1e-6)
    return {"rows_read_back": cells, "sum_ok": ok}


def emit(result: dict) -> None:
    print(json.dumps(result))
    sys.stdout.flush()
