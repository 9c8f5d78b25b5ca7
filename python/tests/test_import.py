"""Importing robot logs from Python: rr.dataframe.load_recording("run.mcap") and
rr.log_file_from_path(path), on files written by Foxglove's npm libraries and python3-rosbag
(tests/import; their manifests hold what each writer was given)."""

from __future__ import annotations

import base64
import json
import os
import warnings

import pytest

import reel as rr

DIR = os.environ.get("REEL_IMPORT_TEST_DIR", "")
pytestmark = pytest.mark.skipif(not os.path.isdir(DIR), reason="REEL_IMPORT_TEST_DIR not set")


def manifest(name, topic, listing="manifest.json"):
    with open(os.path.join(DIR, listing)) as f:
        files = json.load(f)["files"]
    file = next(f for f in files if f["name"] == name)
    return [m for m in file["messages"] if m["topic"] == topic]


def column(rec, index, name):
    table = rec.view(index=index, contents=name.split(":")[0]).select(name).read_all()
    return table[name].to_pylist()


def test_load_recording_imports_an_mcap():
    rec = rr.dataframe.load_recording(os.path.join(DIR, "ros2_mapped.mcap"))
    speeds = manifest("ros2_mapped.mcap", "/speed")
    assert column(rec, "log_time", "/speed:Scalars:scalars") == [[m["value"]["data"]] for m in speeds]
    # ros_time is the header stamp; the image bytes are what the writer gave.
    images = manifest("ros2_mapped.mcap", "/depth")
    buffers = column(rec, "ros_time", "/depth:DepthImage:buffer")
    assert buffers == [[base64.b64decode(m["value"]["data"]["base64"])] for m in images]


def test_load_recording_imports_a_bag():
    rec = rr.dataframe.load_recording(os.path.join(DIR, "ros1_lz4.bag"))
    chatter = manifest("ros1_lz4.bag", "/chatter", "bags.json")
    assert column(rec, "log_time", "/chatter:TextLog:text") == [[m["value"]["data"]] for m in chatter]


def test_log_file_from_path_into_a_recording(tmp_path):
    out = tmp_path / "out.reel"
    rec = rr.RecordingStream("import_test")
    rec.save(str(out))
    rec.log_file_from_path(os.path.join(DIR, "foxglove_protobuf.mcap"), entity_path_prefix="/robot")
    rec.flush()
    loaded = rr.dataframe.load_recording(str(out))
    fixes = manifest("foxglove_protobuf.mcap", "/pb/LocationFix")
    got = column(loaded, "log_time", "/robot/pb/LocationFix:GeoPoints:positions")
    assert got == [[[m["value"]["latitude"], m["value"]["longitude"]]] for m in fixes]


def test_log_file_from_path_warns_about_a_cut_file(tmp_path):
    data = open(os.path.join(DIR, "ros2_lz4.mcap"), "rb").read()
    cut = tmp_path / "cut.mcap"
    cut.write_bytes(data[: len(data) // 2])
    rec = rr.RecordingStream("import_test")
    rec.memory_recording()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec.log_file_from_path(cut)
    assert any("cut.mcap at byte" in str(w.message) for w in caught)
