"""Dataframe semantics from Python: the cases of src/query/dataframe_test.cpp, a randomized
model test against a naive reference, and the numpy / pandas outputs."""

from __future__ import annotations

import random

import numpy as np
import pytest

import reel as rr


def log(logged, entity, frame, value):
    """One scalar row; frame None = static."""
    if frame is None:
        logged.rec.log(entity, rr.Scalars(value), static=True)
    else:
        logged.rec.set_time("frame", sequence=frame)
        logged.rec.log(entity, rr.Scalars(value))


def rows(table):
    """The table as rows: index value, then each cell as a list of values or None."""
    cols = [table[name].to_pylist() for name in table.column_names]
    return [list(r) for r in zip(*cols)]


def read(logged, view_fn=lambda v: v, index="frame", contents="/**"):
    view = view_fn(logged.read().view(index=index, contents=contents))
    return rows(view.select().read_all())


def test_one_row_per_distinct_index_value_and_nulls_without_fill(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/a", 3, 3.0)
    log(logged, "/b", 2, 20.0)
    log(logged, "/b", 3, 30.0)
    view = logged.read().view(index="frame")
    assert view.schema().column_names() == ["frame", "/a:Scalars:scalars", "/b:Scalars:scalars"]
    assert read(logged) == [[1, [1.0], None], [2, None, [20.0]], [3, [3.0], [30.0]]]


def test_highest_row_id_wins_at_one_index_value(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/a", 1, 2.0)  # logged later: a greater RowId
    assert read(logged) == [[1, [2.0]]]


def test_fill_latest_at_carries_values_forward(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/a", 3, 3.0)
    log(logged, "/b", 2, 20.0)
    assert read(logged, lambda v: v.fill_latest_at()) == [[1, [1.0], None], [2, [1.0], [20.0]], [3, [3.0], [20.0]]]


def test_fill_uses_data_logged_before_the_range(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/b", 5, 50.0)
    log(logged, "/b", 6, 60.0)
    assert read(logged, lambda v: v.filter_range_sequence(5, 6).fill_latest_at()) == [
        [5, [1.0], [50.0]], [6, [1.0], [60.0]]]
    assert read(logged, lambda v: v.filter_range_sequence(5, 6)) == [[5, None, [50.0]], [6, None, [60.0]]]


def test_static_columns_hold_their_value_on_every_row(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/a", 2, 2.0)
    log(logged, "/s", None, 42.0)
    assert read(logged) == [[1, [1.0], [42.0]], [2, [2.0], [42.0]]]
    schema = logged.read().view(index="frame").schema()
    assert [c.is_static for c in schema] == [False, False, True]
    assert schema.columns[0].is_index and schema.columns[0].entity_path is None
    assert schema.column("/s:Scalars:scalars").entity_path == "/s"
    assert schema.column("/s:Scalars:scalars").component_type == "reel.components.Scalar"


def test_filter_range_is_inclusive(logged):
    for f in range(10):
        log(logged, "/a", f, float(f))
    assert read(logged, lambda v: v.filter_range_sequence(3, 5)) == [[3, [3.0]], [4, [4.0]], [5, [5.0]]]
    assert read(logged, lambda v: v.filter_range_sequence(20, 30)) == []


def test_filter_index_values_keeps_only_those_with_data(logged):
    for f in range(10):
        log(logged, "/a", f * 10, float(f))
    assert read(logged, lambda v: v.filter_index_values([20, 25, 90])) == [[20, [2.0]], [90, [9.0]]]
    assert read(logged, lambda v: v.filter_index_values(np.array([90, 20], dtype=np.uint8))) == [
        [20, [2.0]], [90, [9.0]]]


def test_filter_is_not_null_keeps_rows_where_the_column_has_data(logged):
    for f in (1, 2, 3):
        log(logged, "/a", f, float(f))
    log(logged, "/b", 2, 20.0)
    assert read(logged, lambda v: v.filter_is_not_null("/b:Scalars:scalars")) == [[2, [2.0], [20.0]]]
    view = logged.read().view(index="frame")
    # The filter column need not be selected; a ColumnDescriptor works as a name.
    b = view.schema().column("/b:Scalars:scalars")
    assert rows(view.filter_is_not_null(b).select("/a:Scalars:scalars").read_all()) == [[2, [2.0]]]
    with pytest.raises(KeyError) as e:
        view.filter_is_not_null("/nope:Scalars:scalars")
    assert "/a:Scalars:scalars" in str(e.value)  # the message lists the columns


def test_using_index_values_samples_at_given_times(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/a", 4, 4.0)
    assert read(logged, lambda v: v.using_index_values([0, 2, 4, 6]).fill_latest_at()) == [
        [0, None], [2, [1.0]], [4, [4.0]], [6, [4.0]]]
    assert read(logged, lambda v: v.using_index_values(np.array([4, 0, 2]))) == [[0, None], [2, None], [4, [4.0]]]


def test_select_chooses_columns_and_order(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/b", 1, 10.0)
    view = logged.read().view(index="frame")
    table = view.select("/b:Scalars:scalars", "frame", "/a:Scalars:scalars").read_all()
    assert table.column_names == ["frame", "/b:Scalars:scalars", "/a:Scalars:scalars"]
    assert rows(table) == [[1, [10.0], [1.0]]]
    assert view.select(["/a:Scalars:scalars"]).read_all().column_names == ["frame", "/a:Scalars:scalars"]
    with pytest.raises(rr.NotFoundError) as e:
        view.select("/c:Scalars:scalars")
    assert "/c:Scalars:scalars" in str(e.value)


def test_static_only_view_is_one_row(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/s", None, 42.0)
    assert read(logged, index=None) == [[[42.0]]]
    assert read(logged, lambda v: v.select_static()) == [[[42.0]]]


def test_contents_filter_and_unknown_timeline(logged):
    log(logged, "/world/a", 1, 1.0)
    log(logged, "/world/debug/x", 1, 2.0)
    log(logged, "/other", 1, 3.0)
    rec = logged.read()
    view = rec.view(index="frame", contents="/world/** -/world/debug/**")
    assert view.schema().column_names() == ["frame", "/world/a:Scalars:scalars"]
    view = rec.view(index="frame", contents={"/other": ["Scalars:scalars"], "/world/a": None})
    assert view.schema().column_names() == ["frame", "/other:Scalars:scalars", "/world/a:Scalars:scalars"]
    with pytest.raises(rr.NotFoundError) as e:
        rec.view(index="time")
    assert "frame" in str(e.value)  # names the timelines there are
    with pytest.raises(rr.NotFoundError):
        rec.view(index="frame", contents={"/other": ["positions"]})


def test_multi_instance_cells_keep_every_instance(logged):
    logged.rec.set_time("frame", sequence=1)
    logged.rec.log("/pts", rr.Points3D([[1, 2, 3], [4, 5, 6]], labels=["x", "y"]))
    logged.rec.set_time("frame", sequence=2)
    logged.rec.log("/pts", rr.Points3D(np.zeros((0, 3)), labels=[]))
    table = logged.read().view(index="frame", contents={"/pts": ["labels"]}).select().read_all()
    assert rows(table) == [[1, ["x", "y"]], [2, []]]
    cells = table["/pts:Points3D:labels"].to_numpy()
    assert cells.dtype == object and cells.tolist() == [["x", "y"], []]


def test_small_batches_give_the_same_table(logged):
    for f in range(25):
        log(logged, "/a", f, float(f))
        if f % 3 == 0:
            log(logged, "/b", f, float(-f))
    view = logged.read().view(index="frame").fill_latest_at()
    whole = view.select().read_all()
    small = view.with_batch_rows(4).select().read_all()
    assert whole.num_batches == 1 and small.num_batches == 7
    assert rows(small) == rows(whole)
    np.testing.assert_array_equal(small["/a:Scalars:scalars"].to_numpy(), whole["/a:Scalars:scalars"].to_numpy())
    batches = list(view.with_batch_rows(4).select())
    assert [b.num_rows for b in batches] == [4, 4, 4, 4, 4, 4, 1]
    reader = view.with_batch_rows(10).select()
    assert reader.read_next_batch().num_rows == 10
    assert reader.read_all().num_rows == 15  # the rest
    assert reader.read_next_batch() is None


@pytest.mark.parametrize("seed", range(1, 21))
def test_random_recordings_match_a_naive_reference(seed):
    rng = random.Random(seed)
    from conftest import Logged

    logged = Logged()
    model = []  # (entity, frame or None, value), in log order
    for i in range(150):
        entity = rng.randrange(3)
        frame = None if (entity == 2 and rng.randrange(10) == 0) else rng.randrange(40)
        model.append((entity, frame, float(i)))
        log(logged, f"/e{entity}", frame, float(i))
    fill = rng.randrange(2) == 1
    t0 = rng.randrange(20)
    t1 = t0 + rng.randrange(25)
    not_null = rng.randrange(4) - 1
    view = logged.read().view(index="frame").filter_range_sequence(t0, t1)
    if fill:
        view = view.fill_latest_at()
    entities = [int(c.entity_path[2:]) for c in view.schema() if not c.is_index]
    if not_null in entities:
        view = view.filter_is_not_null(f"/e{not_null}:Scalars:scalars")

    def static_of(e):
        values = [v for (x, f, v) in model if x == e and f is None]
        return values[-1] if values else None  # the last logged has the highest RowId

    def at(e, t, exact):
        if static_of(e) is not None:
            return static_of(e)
        best = None
        for order, (x, f, v) in enumerate(model):
            if x != e or f is None or (f != t if exact else f > t):
                continue
            if best is None or (f, order) > best[0]:
                best = ((f, order), v)
        return best[1] if best else None

    index = sorted({f for (x, f, v) in model if f is not None and t0 <= f <= t1 and static_of(x) is None})
    expected = []
    for t in index:
        if not_null in entities and at(not_null, t, True) is None:
            continue
        row = [t]
        for e in entities:
            v = at(e, t, not fill)
            row.append(None if v is None else [v])
        expected.append(row)
    assert rows(view.select().read_all()) == expected, (seed, fill, t0, t1, not_null)


@pytest.mark.parametrize("seed", range(1, 9))
def test_a_streamed_file_gives_the_tables_of_the_loaded_one(tmp_path, seed):
    """view_file reads each chunk when the table reaches it; load_recording loads them all:
    the same tables, over many small chunks that overlap in time."""
    rng = random.Random(seed)
    path = tmp_path / "run.reel"
    rec = rr.RecordingStream("reel_tests", log_time=False, log_tick=False, flush_num_rows=5)
    rec.save(str(path))
    for i in range(300):
        entity = rng.randrange(4)
        rec.set_time("frame", sequence=rng.randrange(60))
        rec.log(f"/e{entity}", rr.Scalars(float(i)), static=entity == 3 and i % 50 == 0)
    del rec  # closes the file (its footer written)
    loaded = rr.dataframe.load_recording(path)
    t0 = rng.randrange(30)
    t1 = t0 + rng.randrange(40)
    for make in (
        lambda v: v,
        lambda v: v.filter_range_sequence(t0, t1).fill_latest_at(),
        lambda v: v.filter_is_not_null("/e1:Scalars:scalars").with_batch_rows(3),
        lambda v: v.using_index_values(np.arange(t0, t1, 3)).fill_latest_at(),
    ):
        streamed = make(rr.dataframe.view_file(path, index="frame"))
        whole = make(loaded.view(index="frame"))
        assert rows(streamed.select().read_all()) == rows(whole.select().read_all())
    assert rows(rr.dataframe.view_file(path, index=None).select().read_all()) == rows(
        loaded.view(index=None).select().read_all())


def test_to_numpy_is_a_read_only_zero_copy_view(logged):
    logged.rec.send_columns("/a", [rr.TimeColumn("frame", sequence=np.arange(1000))],
                            rr.Scalars.columns(scalars=np.arange(1000) * 0.5))
    table = logged.table()
    values = table["/a:Scalars:scalars"].to_numpy()
    assert values.dtype == np.float64 and values.shape == (1000,)
    np.testing.assert_array_equal(values, np.arange(1000) * 0.5)
    assert not values.flags.writeable
    assert np.shares_memory(values, table["/a:Scalars:scalars"].to_numpy())  # both view reel's buffer
    index = table["frame"].to_numpy()
    assert index.dtype == np.int64 and np.shares_memory(index, table["frame"].to_numpy())
    del table
    assert values.sum() == np.arange(1000).sum() * 0.5  # the view keeps the buffer alive


def test_null_cells_are_nan_in_float_columns_and_none_otherwise(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/b", 2, 2.0)
    logged.rec.set_time("frame", sequence=1)
    logged.rec.log("/t", rr.TextLog("one"))
    table = logged.table()
    a = table["/a:Scalars:scalars"].to_numpy()
    assert a.dtype == np.float64 and a[0] == 1.0 and np.isnan(a[1])
    assert table["/t:TextLog:text"].to_numpy().tolist() == ["one", None]
    assert table["/a:Scalars:scalars"].null_count == 1


def test_points_column_is_n_by_3(logged):
    for f in range(3):
        logged.rec.set_time("frame", sequence=f)
        logged.rec.log("/p", rr.Points3D([[f, f + 1, f + 2]]))
    positions = logged.table()["/p:Points3D:positions"].to_numpy()
    assert positions.shape == (3, 3) and positions.dtype == np.float32
    assert positions.tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]


def test_to_pandas(logged):
    log(logged, "/a", 1, 1.5)
    log(logged, "/a", 2, 2.5)
    logged.rec.set_time("frame", sequence=2)
    logged.rec.log("/p", rr.Points3D([[1, 2, 3]]))
    df = logged.table().to_pandas()
    assert list(df.columns) == ["frame", "/a:Scalars:scalars", "/p:Points3D:positions"]
    assert df["frame"].tolist() == [1, 2]
    assert df["/a:Scalars:scalars"].tolist() == [1.5, 2.5]
    assert np.isnan(df["/p:Points3D:positions"][0]).all()
    assert df["/p:Points3D:positions"][1].tolist() == [1, 2, 3]
    assert logged.read().view(index="frame").select().to_pandas().shape == (2, 3)


def test_to_pandas_types_time_indexes(logged):
    ns = np.array([1_700_000_000_000_000_001, 1_700_000_000_500_000_000], dtype=np.int64)
    logged.rec.send_columns("/x", [rr.TimeColumn("t", timestamp=ns.view("datetime64[ns]")),
                                   rr.TimeColumn("d", duration=np.array([-1.5, 0.25]))],
                            rr.Scalars.columns(scalars=[1.0, 2.0]))
    rec = logged.read()
    df = rec.view(index="t").select().read_all().to_pandas()
    assert str(df["t"].dtype) == "datetime64[ns, UTC]"
    assert [str(t) for t in df["t"]] == ["2023-11-14 22:13:20.000000001+00:00",
                                        "2023-11-14 22:13:20.500000+00:00"]
    assert df["t"].astype("int64").tolist() == ns.tolist()
    d = rec.view(index="d").select().read_all().to_pandas()
    assert str(d["d"].dtype) == "timedelta64[ns]"
    assert d["d"].astype("int64").tolist() == [-1_500_000_000, 250_000_000]
    assert d["/x:Scalars:scalars"].tolist() == [1.0, 2.0]


def test_temporal_indexes(logged):
    base = np.datetime64("2024-05-01T12:00:00", "ns")
    for i in range(4):
        logged.rec.set_time("sensor", timestamp=base + np.timedelta64(i * 500, "ms"))
        logged.rec.set_time("sim", duration=i * 0.25)
        logged.rec.log("/x", rr.Scalars(float(i)))
    rec = logged.read()
    assert rec.timelines() == {"sensor": "timestamp", "sim": "duration"}
    table = rec.view(index="sensor").select().read_all()
    times = table["sensor"].to_numpy()
    assert times.dtype == np.dtype("datetime64[ns]")
    assert times.tolist() == (base + np.arange(4) * np.timedelta64(500, "ms")).tolist()
    sim = rec.view(index="sim")
    assert sim.select().read_all()["sim"].to_numpy().dtype == np.dtype("timedelta64[ns]")
    assert rows(sim.filter_range_secs(0.25, 0.5).select().read_all()) == [[250_000_000, [1.0]], [500_000_000, [2.0]]]
    assert rows(sim.filter_range_nanos(0, 250_000_000).select().read_all()) == [[0, [0.0]], [250_000_000, [1.0]]]
    assert rows(sim.filter_index_values(np.array([500], dtype="timedelta64[ms]")).select().read_all()) == [
        [500_000_000, [2.0]]]
    with pytest.raises(TypeError, match="filter_range_secs"):
        sim.filter_range_sequence(0, 1)
    log(logged, "/y", 1, 1.0)
    with pytest.raises(TypeError, match="filter_range_sequence"):
        logged.read().view(index="frame").filter_range_secs(0, 1)


def test_recording_schema_lists_timelines_and_components(logged):
    log(logged, "/a", 1, 1.0)
    log(logged, "/s", None, 2.0)
    schema = logged.read().schema()
    assert schema.column_names() == ["frame", "/a:Scalars:scalars", "/s:Scalars:scalars"]
    assert [c.name for c in schema.index_columns()] == ["frame"]
    assert len(schema.component_columns()) == 2
    assert logged.read().entities() == ["/a", "/s"]
