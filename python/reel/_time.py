"""Time values and arrays to int64 (sequence numbers or nanoseconds), for set_time,
TimeColumn and index filters. Internal: the native module calls these for the types its
fast path does not handle (numpy scalars, datetime, timedelta) and for arrays."""

from __future__ import annotations

import datetime as _dt

import numpy as np

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MAX_SECONDS = 9.2e9  # |seconds| whose nanoseconds fit in an int64
_INT64_MAX = np.iinfo(np.int64).max


def _seconds_to_ns(seconds: float) -> int:
    if seconds != seconds:
        raise ValueError("time in seconds is NaN")
    if abs(seconds) >= _MAX_SECONDS:
        raise OverflowError(f"{seconds} seconds do not fit in int64 nanoseconds")
    whole = np.floor(seconds)
    return int(whole) * 1_000_000_000 + int(np.floor((seconds - whole) * 1e9 + 0.5))


def _seconds_array_to_ns(a: np.ndarray, what: str) -> np.ndarray:
    a = a.astype(np.float64, copy=False)
    if np.isnan(a).any():
        raise ValueError(f"{what}: NaN seconds")
    if a.size and np.abs(a).max() >= _MAX_SECONDS:
        raise OverflowError(f"{what}: seconds out of the int64 nanosecond range")
    whole = np.floor(a)
    return whole.astype(np.int64) * 1_000_000_000 + np.floor((a - whole) * 1e9 + 0.5).astype(np.int64)


def _int_seconds_to_ns(a: np.ndarray, what: str) -> np.ndarray:
    a = a.astype(np.int64)
    if a.size and np.abs(a).max() >= _MAX_SECONDS:
        raise OverflowError(f"{what}: seconds out of the int64 nanosecond range")
    return a * 1_000_000_000


def duration_ns(value) -> int:
    if isinstance(value, _dt.timedelta):
        return (value.days * 86_400 + value.seconds) * 1_000_000_000 + value.microseconds * 1_000
    if isinstance(value, np.timedelta64):
        if np.isnat(value):
            raise ValueError("set_time: duration is NaT")
        return int(value.astype("timedelta64[ns]").astype(np.int64))
    if isinstance(value, np.integer) and not isinstance(value, np.bool_):
        return int(_int_seconds_to_ns(np.asarray([value]), "duration")[0])
    if isinstance(value, np.floating):
        return _seconds_to_ns(float(value))
    raise TypeError(
        "set_time: duration must be seconds (float or int), a datetime.timedelta or a "
        f"numpy.timedelta64, got {type(value).__name__}"
    )


def timestamp_ns(value) -> int:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)  # naive datetimes are UTC
        return duration_ns(value - _EPOCH)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("set_time: timestamp is NaT")
        return int(value.astype("datetime64[ns]").astype(np.int64))
    if isinstance(value, np.integer) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.floating):
        return _seconds_to_ns(float(value))
    raise TypeError(
        "set_time: timestamp must be nanoseconds since the Unix epoch (int), seconds (float), a "
        f"datetime.datetime or a numpy.datetime64, got {type(value).__name__}"
    )


def _one_d(values, what: str) -> np.ndarray:
    a = np.asarray(values)
    if a.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D array of times, got shape {a.shape}")
    return a


def _ints(a: np.ndarray, what: str) -> np.ndarray:
    if a.dtype.kind == "u" and a.size and a.max() > _INT64_MAX:
        raise OverflowError(f"{what}: values beyond int64")
    return np.ascontiguousarray(a, dtype=np.int64)


def sequence_array(values, timeline: str) -> np.ndarray:
    what = f"TimeColumn '{timeline}'"
    a = _one_d(values, what)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{what}: sequence= needs integers, got dtype {a.dtype}")
    return _ints(a, what)


def duration_ns_array(values, timeline: str) -> np.ndarray:
    what = f"TimeColumn '{timeline}'"
    a = _one_d(values, what)
    if a.dtype.kind == "m":
        if np.isnat(a).any():
            raise ValueError(f"{what}: NaT durations")
        return np.ascontiguousarray(a.astype("timedelta64[ns]").view(np.int64))
    if a.dtype.kind in "iu":
        return _int_seconds_to_ns(a, what)
    if a.dtype.kind == "f":
        return _seconds_array_to_ns(a, what)
    if a.dtype.kind == "O":
        return np.array([duration_ns(v) for v in a], dtype=np.int64)
    raise TypeError(f"{what}: duration= needs seconds or timedelta64, got dtype {a.dtype}")


def timestamp_ns_array(values, timeline: str) -> np.ndarray:
    what = f"TimeColumn '{timeline}'"
    a = _one_d(values, what)
    if a.dtype.kind == "M":
        if np.isnat(a).any():
            raise ValueError(f"{what}: NaT timestamps")
        return np.ascontiguousarray(a.astype("datetime64[ns]").view(np.int64))
    if a.dtype.kind in "iu":
        return _ints(a, what)
    if a.dtype.kind == "f":
        return _seconds_array_to_ns(a, what)
    if a.dtype.kind == "O":
        return np.array([timestamp_ns(v) for v in a], dtype=np.int64)
    raise TypeError(f"{what}: timestamp= needs ns (int), seconds (float) or datetime64, got dtype {a.dtype}")


def index_values_array(values, kind: str) -> np.ndarray:
    """Index values for a view on a timeline of `kind`: ints as they are (sequence numbers or
    nanoseconds), floats as seconds (temporal only), datetime64 / timedelta64 as such."""
    a = np.asarray(values)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"index values: expected a 1-D array, got shape {a.shape}")
    if a.size == 0:
        return np.zeros(0, dtype=np.int64)
    if a.dtype.kind in "iu":
        return _ints(a, "index values")
    if kind == "sequence":
        raise TypeError(f"index values of a sequence timeline must be integers, got dtype {a.dtype}")
    if a.dtype.kind == "f":
        return _seconds_array_to_ns(a, "index values")
    if a.dtype.kind == "M":
        return np.ascontiguousarray(a.astype("datetime64[ns]").view(np.int64))
    if a.dtype.kind == "m":
        return np.ascontiguousarray(a.astype("timedelta64[ns]").view(np.int64))
    raise TypeError(f"index values: unsupported dtype {a.dtype}")
