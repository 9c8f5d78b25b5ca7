"""reel: record, store, query and view multimodal time-series data.

    import numpy as np
    import reel as rr

    rr.init("my_app")
    rr.save("out.reel")
    rr.set_time("step", sequence=7)
    rr.log("plots/sin", rr.Scalars(np.sin(0.7)))
    rr.log("world/pts", rr.Points3D(np.random.rand(1000, 3), colors=[255, 0, 0], radii=0.02))

Module functions act on the global recording (rr.init), or on `recording=` when given;
rr.RecordingStream has the same methods for explicit recordings. The time context
(set_time, disable_timeline, reset_time) is per thread. Heavy work (send_columns, flush,
file writes) runs without the GIL. docs/python.md is the guide.
"""

from __future__ import annotations

import atexit as _atexit

from . import _reel
from ._archetypes import *  # noqa: F401,F403  (every archetype class: src/types/definitions.toml)
from ._archetypes import ARCHETYPES as _ARCHETYPES
from ._reel import (
    AnnotationInfo,
    Archetype,
    ComponentColumnList,
    CorruptRecordingError,
    ImageFormat,
    MemoryRecording,
    NotFoundError,
    RecordingStream,
    TimeColumn,
    get_global_recording,
    log,
    set_global_recording,
    set_time,
)
from . import dataframe

from ._reel import __version__  # CMake's project version, compiled into the module

__all__ = sorted([
    *_ARCHETYPES, "AnnotationInfo", "Archetype", "ComponentColumnList", "CorruptRecordingError",
    "ImageFormat", "MemoryRecording", "NotFoundError", "RecordingStream", "TimeColumn", "connect",
    "dataframe", "disable_timeline", "flush", "get_global_recording", "init", "log",
    "memory_recording", "reset_time", "save", "send_columns", "set_global_recording", "set_time",
    "stdout",
])


def init(
    application_id: str,
    recording_id: str | None = None,
    *,
    log_time: bool = True,
    log_tick: bool = True,
) -> None:
    """Starts a new global recording (the previous one, if any, is flushed and closed).

    `recording_id` defaults to a random UUID. Every logged row is also stamped with the
    `log_time` (timestamp) and `log_tick` (sequence) timelines unless turned off.
    """
    set_global_recording(
        RecordingStream(application_id, recording_id, log_time=log_time, log_tick=log_tick)
    )


def _recording(recording: RecordingStream | None) -> RecordingStream:
    rec = recording if recording is not None else get_global_recording()
    if rec is None:
        raise RuntimeError('no recording: call rr.init("my_app") first, or pass recording=')
    return rec


def save(path, recording: RecordingStream | None = None) -> None:
    """Streams the recording to a .reel file (data logged so far included)."""
    _recording(recording).save(path)


def connect(address: str = "127.0.0.1:9876", recording: RecordingStream | None = None) -> None:
    """Streams the recording to `reel serve` over TCP; an unreachable server is retried."""
    _recording(recording).connect(address)


def stdout(recording: RecordingStream | None = None) -> None:
    """Streams the recording to standard output: `python log.py | reel compact > out.reel`."""
    _recording(recording).stdout()


def flush(recording: RecordingStream | None = None) -> None:
    """Returns when everything logged so far has reached every sink."""
    _recording(recording).flush()


def memory_recording(recording: RecordingStream | None = None) -> MemoryRecording:
    """The recording's embedded store (created on first call): read it with
    rr.dataframe.from_memory(mem). It holds what is logged from then on, anything still
    buffered because no sink was set yet, and what was saved to files (rr.save) before it
    existed. Data sent only to rr.stdout() or rr.connect() before the call is not in it."""
    return _recording(recording).memory_recording()


def disable_timeline(timeline: str, recording: RecordingStream | None = None) -> None:
    """Removes a timeline from this thread's time context."""
    _recording(recording).disable_timeline(timeline)


def reset_time(recording: RecordingStream | None = None) -> None:
    """Clears this thread's time context (log_time / log_tick still apply)."""
    _recording(recording).reset_time()


def send_columns(entity_path, indexes, columns, recording: RecordingStream | None = None) -> None:
    """Sends columnar data as one chunk: `indexes` is a list of rr.TimeColumn ([] for static
    data), `columns` comes from <Archetype>.columns(...). Bypasses the time context."""
    _recording(recording).send_columns(entity_path, indexes, columns)


# Flush every recording (and close the global one's files) while the interpreter is intact.
_atexit.register(_reel._shutdown)
