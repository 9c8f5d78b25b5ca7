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
from ._enums import ChannelDatatype, ColorModel, GraphType, TransformRelation
from ._reel import (
    Angle,
    AnnotationInfo,
    AnyValues,
    Archetype,
    ComponentColumnList,
    CorruptRecordingError,
    DataLossWarning,
    DynamicArchetype,
    ImageFormat,
    MemoryRecording,
    NotFoundError,
    Quaternion,
    RecordingStream,
    RotationAxisAngle,
    TimeColumn,
    get_global_recording,
    log,
    set_global_recording,
    set_strict_mode,
    set_time,
)
from ._types import Box2DFormat, MediaType, TextLogLevel
from . import _sinks, components, dataframe, datatypes

from ._reel import __version__  # CMake's project version, compiled into the module

__all__ = sorted([
    *_ARCHETYPES, "Angle", "AnnotationInfo", "AnyValues", "Archetype", "Box2DFormat", "ChannelDatatype",
    "ColorModel", "ComponentColumnList", "CorruptRecordingError", "DataLossWarning", "DynamicArchetype", "GraphType",
    "ImageFormat", "MediaType", "MemoryRecording", "NotAReelServerError", "NotFoundError", "Quaternion", "RecordingStream",
    "RotationAxisAngle", "TextLogLevel", "TimeColumn", "TransformRelation", "components", "connect",
    "connect_grpc", "dataframe", "datatypes", "disable_timeline", "flush", "get_global_recording", "init",
    "log", "log_file_from_path", "memory_recording", "reset_time", "save", "send_columns", "set_global_recording",
    "set_strict_mode", "set_time",
    "spawn", "stdout",
])


def init(
    application_id: str,
    recording_id: str | None = None,
    *,
    spawn: bool = False,
    log_time: bool = True,
    log_tick: bool = True,
) -> None:
    """Starts a new global recording (the previous one, if any, is flushed and closed).

    `recording_id` defaults to a random UUID. Every logged row is also stamped with the
    `log_time` (timestamp) and `log_tick` (sequence) timelines unless turned off.
    `spawn=True` is short for calling rr.spawn() next: a local `reel serve` gets the data.
    """
    set_global_recording(
        RecordingStream(application_id, recording_id, log_time=log_time, log_tick=log_tick)
    )
    if spawn:
        globals()["spawn"]()


def spawn(
    *,
    port: int = _sinks.DEFAULT_PORT,
    connect: bool = True,
    memory_limit: str = "75%",
    server_memory_limit: str = "1GiB",
    hide_welcome_screen: bool = False,
    detach_process: bool = True,
    executable_name: str = "reel",
    executable_path: str | None = None,
    default_blueprint=None,
    recording: RecordingStream | None = None,
) -> None:
    """Starts a local `reel serve` (ingest on `port`, the viewer on http://127.0.0.1:9090/ or
    a free port when that one is taken), prints the viewer's URL and, with `connect`, streams
    the recording to it. A reel server already listening on `port` is used as it is.

    The executable is `executable_path`, else the `reel` installed with this package
    (reel/bin/reel), else `executable_name` on PATH. `memory_limit` is the server's store
    budget (`reel serve --memory-limit`: the viewer shows what the server holds);
    `server_memory_limit`, `hide_welcome_screen` and `default_blueprint` are accepted for
    Rerun's signature and have no effect. With `detach_process` (the default) the server
    outlives the script, as Rerun's viewer does; otherwise it stops when Python exits.
    """
    address = _sinks.spawn(port=port, memory_limit=memory_limit, detach_process=detach_process,
                           executable_name=executable_name, executable_path=executable_path)
    if not connect:
        return
    rec = recording if recording is not None else get_global_recording()
    if rec is None:
        import warnings

        warnings.warn('spawn: no recording to connect (call rr.init("my_app") first, or pass recording=)',
                      stacklevel=2)
        return
    rec.connect(address)


def connect_grpc(
    url: str | None = None,
    *,
    default_blueprint=None,
    recording: RecordingStream | None = None,
) -> None:
    """Streams the recording to a `reel serve`, for scripts written for Rerun.

    `url` is Rerun's `rerun+http://HOST:PORT/proxy` (also `rerun://`, `rerun+https://`) or
    `HOST:PORT`; the default is the local server, 127.0.0.1:9876. The address is probed first:
    when something answers there that is not a reel server, `reel.NotAReelServerError` (a
    ConnectionError) says so; when nothing listens yet, a warning says so and the data is kept
    and the connection retried, as with rr.connect.
    """
    _sinks.connect_grpc(url, _recording(recording), default_blueprint)


NotAReelServerError = _sinks.NotAReelServerError


def _recording(recording: RecordingStream | None) -> RecordingStream:
    rec = recording if recording is not None else get_global_recording()
    if rec is None:
        raise RuntimeError('no recording: call rr.init("my_app") first, or pass recording=')
    return rec


def save(path, recording: RecordingStream | None = None) -> None:
    """Streams the recording to a .reel file (data logged so far included)."""
    _recording(recording).save(path)


def connect(
    address: str = "127.0.0.1:9876",
    recording: RecordingStream | None = None,
    *,
    max_block_secs: float | None = None,
    max_buffer_bytes: int | None = None,
) -> None:
    """Streams the recording to `reel serve` over TCP; an unreachable server is retried.

    While the server reads, logging waits when the buffer (max_buffer_bytes, default 256 MiB)
    is full, at most max_block_secs (default 10, or $REEL_MAX_BLOCK_SECS). Only an unreachable
    or stalled server makes the SDK drop data, oldest first; flush() then issues
    rr.DataLossWarning saying how much (raised under rr.set_strict_mode(True))."""
    _recording(recording).connect(address, max_block_secs=max_block_secs, max_buffer_bytes=max_buffer_bytes)


def stdout(recording: RecordingStream | None = None) -> None:
    """Streams the recording to standard output: `python log.py | reel compact > out.reel`."""
    _recording(recording).stdout()


def flush(recording: RecordingStream | None = None) -> None:
    """Returns when everything logged so far has reached every sink. Issues rr.DataLossWarning
    when data was dropped since the previous flush (a server unreachable or stalled)."""
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


def log_file_from_path(file_path, *, entity_path_prefix: str | None = None, static: bool = False,
                       recording: RecordingStream | None = None) -> None:
    """Imports a file into the recording: MCAP (ROS 2 and Foxglove schemas), ROS 1 bags,
    PNG/JPEG, PLY, OBJ/STL/GLB, .txt/.md, or a directory of these (docs/import.md). Topics
    become entities under `entity_path_prefix`; with static=True the rows carry no
    timelines. Problems in the file are Python warnings naming the byte offset."""
    _recording(recording).log_file_from_path(file_path, entity_path_prefix or "", static)


# Flush every recording (and close the global one's files) while the interpreter is intact.
_atexit.register(_reel._shutdown)
