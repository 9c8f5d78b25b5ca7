"""Rerun's .rrd from Python: rec.save / rr.save by extension, load_recording of .rrd files
(the one Rerun's own viewer saved, and several recordings per file)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

import reel as rr

SAVED = Path(__file__).resolve().parents[2] / "tests" / "data" / "rerun_0.33.0_saved.rrd"


def test_save_rrd_by_extension_and_load_it_back(tmp_path):
    path = tmp_path / "out.rrd"
    with rr.RecordingStream("rrd_py", recording_id="rec_py", log_time=False, log_tick=False) as rec:
        rec.save(path)
        for i in range(5):
            rec.set_time("step", sequence=i)
            rec.log("/plot", rr.Scalars(float(i) * 0.5))
    del rec  # closes the file
    assert path.read_bytes()[:4] == b"RRF2"
    assert path.read_bytes()[4:8] == bytes([0, 33, 0, 0])
    data = rr.dataframe.load_recording(path)
    assert data.recording_id == "rec_py"
    table = data.view(index="step").select().read_all()
    assert table["step"].to_pylist() == [0, 1, 2, 3, 4]
    assert table["/plot:Scalars:scalars"].to_pylist() == [[0.0], [0.5], [1.0], [1.5], [2.0]]


def test_load_the_file_rerun_saved():
    data = rr.dataframe.load_recording(SAVED)
    assert data.recording_id == "rec_js_1"
    table = data.view(index="step", contents="/plots/**").select().read_all()
    assert table["step"].to_pylist() == list(range(50))
    values = [v[0] for v in table["/plots/sine:Scalars:scalars"].to_pylist()]
    assert values == pytest.approx([math.sin(t / 5) for t in range(50)], rel=0, abs=1e-15)


def test_several_recordings_first_or_the_one_asked(tmp_path):
    a, b = tmp_path / "a.rrd", tmp_path / "b.rrd"
    for path, rid, value in ((a, "first", 1.0), (b, "second", 2.0)):
        with rr.RecordingStream("multi", recording_id=rid, log_time=False, log_tick=False) as rec:
            rec.save(path)
            rec.log("/x", rr.Scalars(value), static=True)
        del rec
    both = tmp_path / "both.rrd"
    both.write_bytes(a.read_bytes() + b.read_bytes())  # concatenated streams
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = rr.dataframe.load_recording(both)
    assert first.recording_id == "first"
    assert any("recording 'second'" in str(w.message) for w in caught)
    second = rr.dataframe.load_recording(both, recording_id="second")
    assert second.recording_id == "second"
    with pytest.raises(Exception, match="no recording 'third'"):
        rr.dataframe.load_recording(both, recording_id="third")
