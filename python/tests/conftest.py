"""Shared fixtures: an explicit recording with its embedded store, read back through the
dataframe API. Tests import the `reel` package staged by the build (PYTHONPATH is set by
CTest) or, failing that, the installed one."""

from __future__ import annotations

import pytest

import reel as rr


class Logged:
    """A recording with an embedded store; `.read()` flushes and opens it for queries."""

    def __init__(self, **options):
        options.setdefault("log_time", False)
        options.setdefault("log_tick", False)
        self.rec = rr.RecordingStream("reel_tests", **options)
        self.mem = self.rec.memory_recording()

    def read(self) -> rr.dataframe.Recording:
        self.rec.flush()
        return rr.dataframe.from_memory(self.mem)

    def table(self, index="frame", contents="/**", fill=False) -> rr.dataframe.Table:
        view = self.read().view(index=index, contents=contents)
        if fill:
            view = view.fill_latest_at()
        return view.select().read_all()


@pytest.fixture
def logged():
    return Logged()
