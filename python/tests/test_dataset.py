"""Datasets from Python: views across recordings, a corrupt file skipped with a warning, and
SQL over datasets and recordings (DuckDB, when the set-up installed it)."""

from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest

import reel as rr


def write_recording(path, recording_id, offset, frames):
    rec = rr.RecordingStream("fleet", recording_id=recording_id, log_time=False, log_tick=False)
    rec.save(str(path))
    rec.send_columns("/arm/force", indexes=[rr.TimeColumn("frame", sequence=frames)],
                     columns=rr.Scalars.columns(scalars=frames + offset))
    rec.log("/meta", rr.TextLog(f"about {recording_id}"), static=True)
    rec.flush()
    del rec
    gc.collect()  # the file is finished when its stream goes


@pytest.fixture
def dataset_dir(tmp_path):
    for i in range(3):
        write_recording(tmp_path / f"r{i}.reel", f"rec-{i}", 10.0 * i, np.arange(10))
    (tmp_path / "broken.reel").write_bytes(b"REEL but not really a recording")
    return tmp_path


def load(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = rr.dataframe.load_dataset(path)
    return ds, [str(w.message) for w in caught]


def test_load_dataset_skips_a_corrupt_file_with_a_warning(dataset_dir):
    ds, caught = load(dataset_dir)
    assert len(ds) == 3
    assert [r["recording_id"] for r in ds.recordings] == ["rec-0", "rec-1", "rec-2"]
    assert len(caught) == 1 and "broken.reel" in caught[0]
    assert ds.warnings == caught


def test_globs_and_lists(dataset_dir):
    ds, caught = load(str(dataset_dir / "r[12].reel"))
    assert [r["recording_id"] for r in ds.recordings] == ["rec-1", "rec-2"]
    assert caught == []
    ds, _ = load([dataset_dir / "r0.reel", dataset_dir / "r2.reel"])
    assert [r["source"] for r in ds.recordings] == [str(dataset_dir / "r0.reel"), str(dataset_dir / "r2.reel")]


def test_view_across_recordings(dataset_dir):
    ds, _ = load(dataset_dir)
    view = ds.view(index="frame", contents="/arm/**").filter_range_sequence(8, 9)
    table = view.select().read_all()
    assert table.column_names == ["recording_id", "application_id", "source", "frame", "/arm/force:Scalars:scalars"]
    assert table["recording_id"].to_pylist() == ["rec-0", "rec-0", "rec-1", "rec-1", "rec-2", "rec-2"]
    assert table["frame"].to_numpy().tolist() == [8, 9, 8, 9, 8, 9]
    assert table["/arm/force:Scalars:scalars"].to_numpy().tolist() == [8.0, 9.0, 18.0, 19.0, 28.0, 29.0]
    df = table.to_pandas()
    assert list(df["source"].unique()) == [str(dataset_dir / f"r{i}.reel") for i in range(3)]


def test_using_index_values_and_fill_per_recording(dataset_dir):
    ds, _ = load(dataset_dir)
    table = (ds.view(index="frame", contents="/**").using_index_values([20]).fill_latest_at()
             .select("/arm/force:Scalars:scalars", "/meta:TextLog:text").read_all())
    assert table["/arm/force:Scalars:scalars"].to_numpy().tolist() == [9.0, 19.0, 29.0]
    assert table["/meta:TextLog:text"].to_pylist() == [["about rec-0"], ["about rec-1"], ["about rec-2"]]


def test_filters_open_only_the_recordings_that_can_answer(tmp_path):
    write_recording(tmp_path / "early.reel", "early", 0.0, np.arange(10))
    write_recording(tmp_path / "late.reel", "late", 0.0, np.arange(1000, 1010))
    ds, _ = load(tmp_path)
    rows = ds.view(index="frame", contents="/arm/**").filter_range_sequence(0, 20).select().read_all()
    assert rows.num_rows == 10
    assert ds.stats()["recordings_opened"] == 1
    assert ds.stats()["recordings_skipped"] == 1
    # The file is read chunk by chunk (only the chunks that can match), not loaded.
    assert ds.stats()["recordings_streamed"] == 1
    assert 0 < ds.stats()["bytes_read"] <= (tmp_path / "early.reel").stat().st_size


def duckdb_or_skip(ds):
    try:
        return ds.sql("SELECT 1")
    except Exception as e:  # noqa: BLE001 - the message says what is missing
        if "libduckdb" in str(e) or "DuckDB" in str(e):
            pytest.skip(f"DuckDB is not installed (scripts/duckdb.sh --install): {e}")
        raise


def test_dataset_sql_aggregates(dataset_dir):
    ds, _ = load(dataset_dir)
    duckdb_or_skip(ds)
    t = ds.sql('SELECT recording_id, sum(scalars[1]) AS total, count(*) AS n FROM "Scalars" '
               "GROUP BY recording_id ORDER BY recording_id")
    assert t["recording_id"].to_pylist() == ["rec-0", "rec-1", "rec-2"]
    assert t["total"].to_numpy().tolist() == [45.0, 145.0, 245.0]
    assert t["n"].to_numpy().tolist() == [10, 10, 10]
    df = ds.sql(f"SELECT frame, \"Scalars:scalars\"[1] AS v FROM reel_scan('{dataset_dir}', index := 'frame', "
                "min := 3, max := 4, recording_id := 'rec-2') ORDER BY frame").to_pandas()
    assert df["frame"].tolist() == [3, 4] and df["v"].tolist() == [23.0, 24.0]


def test_rrd_files_answer_beside_reel_files(tmp_path):
    write_recording(tmp_path / "a.reel", "rec-reel", 0.0, np.arange(10))
    write_recording(tmp_path / "b.rrd", "rec-rrd", 100.0, np.arange(10))
    ds, caught = load(tmp_path)
    assert caught == []
    assert [r["recording_id"] for r in ds.recordings] == ["rec-reel", "rec-rrd"]
    table = ds.view(index="frame", contents="/**").filter_range_sequence(8, 9).fill_latest_at() \
        .select("/arm/force:Scalars:scalars", "/meta:TextLog:text").read_all()
    assert table["source"].to_pylist() == [str(tmp_path / f) for f in ("a.reel", "a.reel", "b.rrd", "b.rrd")]
    assert table["/arm/force:Scalars:scalars"].to_numpy().tolist() == [8.0, 9.0, 108.0, 109.0]
    assert table["/meta:TextLog:text"].to_pylist() == [["about rec-reel"]] * 2 + [["about rec-rrd"]] * 2
    # The .reel file streams, the .rrd one is loaded (reel does not read Rerun's manifest yet).
    assert ds.stats()["recordings_opened"] == 2 and ds.stats()["recordings_streamed"] == 1
    duckdb_or_skip(ds)
    t = ds.sql('SELECT recording_id, sum(scalars[1]) AS total FROM "Scalars" GROUP BY ALL ORDER BY 1')
    assert t["recording_id"].to_pylist() == ["rec-reel", "rec-rrd"]
    assert t["total"].to_numpy().tolist() == [45.0, 1045.0]


def test_recording_sql(dataset_dir):
    rec = rr.dataframe.load_recording(dataset_dir / "r1.reel")
    try:
        t = rec.sql('SELECT count(*) AS n, max(frame) AS last, any_value(recording_id) AS id FROM "Scalars"')
    except Exception as e:  # noqa: BLE001
        if "libduckdb" in str(e):
            pytest.skip(str(e))
        raise
    assert t["n"].to_pylist() == [10] and t["last"].to_pylist() == [9] and t["id"].to_pylist() == ["rec-1"]
