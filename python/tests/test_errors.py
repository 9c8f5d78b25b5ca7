"""Bad input raises a Python exception with a message naming the field or column; it never
crashes the interpreter."""

from __future__ import annotations

import numpy as np
import pytest

import reel as rr


@pytest.mark.parametrize(
    "make,error,message",
    [
        (lambda: rr.Points3D(np.zeros((5, 2))), ValueError,
         r"Points3D.positions: expected an array of shape \(N, 3\) or \(3,\), got shape \(5, 2\)"),
        (lambda: rr.Points3D(np.zeros((2, 3, 3))), ValueError, r"got shape \(2, 3, 3\)"),
        (lambda: rr.Points2D(np.array(["a", "b"])), TypeError, r"Points2D.positions: expected numbers, got an array of dtype <U1"),
        (lambda: rr.Points3D(np.array([[1, 2, 3]], dtype=object)), TypeError, "dtype object"),
        (lambda: rr.Points3D(np.ones((2, 3), dtype=bool)), TypeError, "dtype bool"),
        (lambda: rr.Points3D([[1, 2, 3], [4, 5]]), ValueError, "Points3D.positions: cannot read list"),
        (lambda: rr.Points3D(np.zeros((3, 3)), radii=[1.0, 2.0]), ValueError,
         r"Points3D: 3 positions but 2 radii \(expected 3, or 1 to apply one value to all\)"),
        (lambda: rr.Points3D(np.zeros((1, 3)), colors=[300, 0, 0]), ValueError, r"colors: color components must be in \[0, 255\]"),
        (lambda: rr.Points3D(np.zeros((1, 3)), colors=[2.0, 0.0, 0.0]), ValueError, r"in \[0, 1\]"),
        (lambda: rr.Points3D(np.zeros((1, 3)), colors=np.zeros((1, 5))), ValueError, "Points3D.colors"),
        (lambda: rr.Points3D(np.zeros((1, 3)), class_ids=[1.5]), TypeError, "class_ids: expected integers"),
        (lambda: rr.Points3D(np.zeros((1, 3)), class_ids=-1), ValueError, r"class ids are in \[0, 65535\]"),
        (lambda: rr.Points3D(np.zeros((1, 3)), labels=["a", 1]), TypeError, "expected str at index 1, got int"),
        (lambda: rr.Points3D(np.zeros((1, 3)), labels=5), TypeError, "Points3D.labels: expected str"),
        (lambda: rr.Scalars("abc"), TypeError, "Scalars.scalars: expected numbers"),
        (lambda: rr.Scalars(np.zeros((2, 2))), ValueError, r"Scalars.scalars: expected a number or an array of shape \(N,\)"),
        (lambda: rr.Scalars(np.complex64(1)), TypeError, "Scalars.scalars: expected numbers, got an array of dtype complex64"),
        (lambda: rr.Image(np.zeros((2, 2, 2), dtype=np.uint8)), ValueError, "an image has 1, 3 or 4 channels"),
        (lambda: rr.Image(np.zeros((2, 2), dtype=bool)), TypeError, "unsupported dtype bool"),
        (lambda: rr.Image(np.zeros((4, 4, 3), dtype=np.uint8), color_model="RGBA"), ValueError,
         r"color model RGBA has 4 channel\(s\) but the image has 3"),
        (lambda: rr.Image(np.zeros((4, 4), dtype=np.uint8), color_model="XYZ"), ValueError, "color model must be one of"),
        (lambda: rr.Image(bytes=b"123", width=2, height=2, color_model="L", datatype="U8"), ValueError, "needs 4 bytes, got 3"),
        (lambda: rr.Image(), ValueError, "give an image array, or bytes"),
        (lambda: rr.DepthImage(np.zeros((2, 2, 3), dtype=np.uint16)), ValueError, r"DepthImage: expected shape \(H, W\)"),
        (lambda: rr.EncodedImage("/nonexistent/x.png"), FileNotFoundError, "cannot open"),
        (lambda: rr.EncodedImage(contents=5), TypeError, "expected bytes"),
        (lambda: rr.Tensor(np.array(["a"])), TypeError, "Tensor.data: unsupported dtype"),
        (lambda: rr.TextLog(5), TypeError, "TextLog.text: expected str or a list of str, got int"),
        (lambda: rr.Transform3D(mat3x3=np.eye(4)), ValueError, "expected a 3x3 matrix"),
        (lambda: rr.ViewCoordinates("RDX"), ValueError, "axis letters are U, D, R, L, F, B"),
        (lambda: rr.ViewCoordinates([1, 2, 9]), ValueError, "axis codes are 1-6"),
        (lambda: rr.Boxes2D(centers=[[0, 0]]), ValueError, "exactly one of half_sizes and sizes"),
        (lambda: rr.SeriesPoints(markers="hexagon"), ValueError, "marker shapes are"),
        (lambda: rr.AnnotationContext([(1, "a", [0, 0, 0], 4)]), ValueError, "annotation tuples"),
        (lambda: rr.LineStrips3D([np.zeros((2, 3)), np.zeros((2, 2))]), ValueError, r"strip 1 must have shape \(M, 3\)"),
        (lambda: rr.Clear(recursive="yes"), TypeError, ""),
        (lambda: rr.Scalars.columns(nope=[1.0]), TypeError, "unexpected field 'nope'"),
        (lambda: rr.Scalars.columns(), ValueError, "needs at least one field"),
        (lambda: rr.Points3D.columns(positions=np.zeros((4, 3))).partition([1, 2]), ValueError,
         "the lengths add up to 3 but Points3D:positions has 4 instances"),
        (lambda: rr.TimeColumn("t", sequence=[1.5]), TypeError, "sequence= needs integers"),
        (lambda: rr.TimeColumn("t", sequence=[[1]]), ValueError, "expected a 1-D array"),
        (lambda: rr.TimeColumn("t"), TypeError, "exactly one of"),
        (lambda: rr.TimeColumn("t", timestamp=["x"]), TypeError, "timestamp= needs"),
        (lambda: rr.TimeColumn("t", duration=[float("nan")]), ValueError, "NaN"),
    ],
)
def test_bad_data_raises_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_bad_entity_paths(logged):
    with pytest.raises(ValueError, match="empty part"):
        logged.rec.log("a//b", rr.Scalars(1.0))
    with pytest.raises(ValueError, match="character ' ' must be escaped with a backslash"):
        logged.rec.log("world/my points", rr.Scalars(1.0))
    with pytest.raises(TypeError, match="entity path must be a str"):
        logged.rec.log(5, rr.Scalars(1.0))
    with pytest.raises(ValueError, match="empty entity path"):
        logged.rec.log("", rr.Scalars(1.0))
    logged.rec.log(["world", "my points"], rr.Scalars(1.0), static=True)  # parts are escaped
    logged.rec.log("world/my\\ points2", rr.Scalars(2.0), static=True)
    assert logged.read().entities() == ["/world/my\\ points", "/world/my\\ points2"]


def test_bad_log_calls(logged):
    with pytest.raises(TypeError, match=r"expects archetypes such as rr.Points3D\(...\).*got int"):
        logged.rec.log("x", 5)
    with pytest.raises(TypeError, match="takes an entity path and at least one archetype"):
        logged.rec.log("x")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        logged.rec.log("x", rr.Scalars(1.0), colour=1)
    with pytest.raises(TypeError, match="recording= expects a rr.RecordingStream"):
        rr.log("x", rr.Scalars(1.0), recording="nope")
    with pytest.raises(ValueError, match="component Scalars:scalars given twice"):
        logged.rec.log("x", rr.Scalars(1.0), rr.Scalars(2.0))


def test_bad_times(logged):
    rec = logged.rec
    with pytest.raises(TypeError, match="exactly one of sequence=, duration= and timestamp="):
        rec.set_time("t")
    with pytest.raises(TypeError, match="exactly one"):
        rec.set_time("t", sequence=1, duration=2.0)
    with pytest.raises(TypeError, match="sequence must be an int, got float"):
        rec.set_time("t", sequence=1.5)
    with pytest.raises(OverflowError):
        rec.set_time("t", sequence=2**70)
    with pytest.raises(ValueError, match="must not be empty"):
        rec.set_time("", sequence=1)
    with pytest.raises(TypeError, match="timestamp must be nanoseconds"):
        rec.set_time("t", timestamp="yesterday")
    with pytest.raises(ValueError, match="NaN"):
        rec.set_time("t", duration=float("nan"))
    with pytest.raises(OverflowError):
        rec.set_time("t", duration=1e300)
    with pytest.raises(TypeError, match="timeline name must be a str"):
        rec.set_time(5, sequence=1)


def test_send_columns_errors(logged):
    rec = logged.rec
    with pytest.raises(ValueError, match=r"component 'Scalars:scalars' has 2 rows but time column 'step' has 3"):
        rec.send_columns("x", [rr.TimeColumn("step", sequence=[0, 1, 2])], rr.Scalars.columns(scalars=[1.0, 2.0]))
    with pytest.raises(TypeError, match="columns must come from"):
        rec.send_columns("x", [rr.TimeColumn("step", sequence=[0])], "bad")
    with pytest.raises(TypeError, match="indexes must be rr.TimeColumn"):
        rec.send_columns("x", [5], rr.Scalars.columns(scalars=[1.0]))
    with pytest.raises(ValueError, match="empty part"):
        rec.send_columns("x//y", [], rr.Scalars.columns(scalars=[1.0]))


def test_no_global_recording():
    previous = rr.set_global_recording(None)
    try:
        with pytest.raises(RuntimeError, match=r"rr.init"):
            rr.log("x", rr.Scalars(1.0))
        with pytest.raises(RuntimeError, match=r"rr.init"):
            rr.set_time("t", sequence=1)
        with pytest.raises(RuntimeError, match=r"rr.init"):
            rr.flush()
    finally:
        rr.set_global_recording(previous)


def test_unknown_columns_and_bad_queries(logged):
    logged.rec.set_time("frame", sequence=1)
    logged.rec.log("a", rr.Scalars(1.0))
    rec = logged.read()
    table = rec.view(index="frame").select().read_all()
    with pytest.raises(KeyError) as e:
        table["/nope:Scalars:scalars"]
    assert str(e.value) == "no column '/nope:Scalars:scalars' in the table (columns: frame, /a:Scalars:scalars)"
    with pytest.raises(IndexError, match="out of range"):
        table[5]
    with pytest.raises(TypeError, match="entity path filter"):
        rec.view(index="frame", contents=5)
    with pytest.raises(ValueError, match="not of the form"):
        rec.view(index="frame").filter_is_not_null("nope")
    with pytest.raises(TypeError, match="index values of a sequence timeline must be integers"):
        rec.view(index="frame").filter_index_values([1.5])
    with pytest.raises(ValueError, match="unknown archetype 'Nope'"):
        rec.latest_at("a", "Nope")
    with pytest.raises(KeyError, match="no data for field 'radii'"):
        rec.latest_at("a", rr.Scalars, index="frame")["radii"]


def test_bad_files(tmp_path):
    with pytest.raises(OSError):
        rr.dataframe.load_recording(tmp_path / "missing.reel")
    garbage = tmp_path / "garbage.reel"
    garbage.write_bytes(b"this is not a recording at all, just some bytes")
    with pytest.raises(ValueError) as e:
        rr.dataframe.load_recording(garbage)
    assert "garbage.reel" in str(e.value)
    rec = rr.RecordingStream("x")
    with pytest.raises(OSError):
        rec.save(tmp_path / "no" / "such" / "dir" / "x.reel")
    with pytest.raises(ValueError):
        rec.connect("not an address")
