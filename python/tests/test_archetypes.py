"""Every archetype of the C++ SDK logged from Python and read back with exact values,
through the latest-at binding and through the dataframe API."""

from __future__ import annotations

import numpy as np
import pytest

import reel as rr


def latest(logged, entity, archetype, frame=0):
    rec = logged.read()
    return rec.latest_at(entity, archetype, index="frame", at=frame)


def log(logged, entity, *archetypes, frame=0):
    logged.rec.set_time("frame", sequence=frame)
    logged.rec.log(entity, *archetypes)


def test_every_cpp_archetype_has_a_python_class():
    # The C++ SDK's archetypes (include/reel/types/archetypes.hpp), field names included.
    # Fields Rerun 0.33 added to an archetype reel already had come after the original ones.
    expected = {
        "Scalars": ["scalars"],
        "SeriesLines": ["colors", "widths", "names"],
        "SeriesPoints": ["colors", "markers", "marker_sizes", "names"],
        "Points2D": ["positions", "radii", "colors", "labels", "class_ids", "show_labels", "draw_order",
                     "keypoint_ids"],
        "Points3D": ["positions", "radii", "colors", "labels", "class_ids", "show_labels", "keypoint_ids"],
        "Boxes2D": ["half_sizes", "centers", "colors", "radii", "labels", "class_ids", "show_labels", "draw_order"],
        "Boxes3D": ["half_sizes", "centers", "quaternions", "colors", "radii", "labels", "class_ids",
                    "rotation_axis_angles", "fill_mode", "show_labels"],
        "LineStrips2D": ["strips", "radii", "colors", "labels", "class_ids", "show_labels", "draw_order"],
        "LineStrips3D": ["strips", "radii", "colors", "labels", "class_ids", "show_labels"],
        "Arrows3D": ["vectors", "origins", "radii", "colors", "labels", "class_ids", "show_labels"],
        "Image": ["buffer", "format", "opacity", "draw_order"],
        "EncodedImage": ["blob", "media_type", "opacity", "draw_order"],
        "DepthImage": ["buffer", "format", "meter", "colormap", "depth_range", "point_fill_ratio", "draw_order"],
        "Tensor": ["data", "value_range"],
        "TextLog": ["text", "level", "color"],
        "TextDocument": ["text", "media_type"],
        "Transform3D": ["translation", "quaternion", "scale", "mat3x3", "rotation_axis_angle", "relation",
                        "child_frame", "parent_frame"],
        "ViewCoordinates": ["xyz"],
        "Clear": ["is_recursive"],
        "AnnotationContext": ["context"],
    }
    for name, fields in expected.items():
        assert getattr(rr, name).archetype_fields() == fields, name


def test_scalars(logged):
    log(logged, "s/one", rr.Scalars(0.25))
    log(logged, "s/int", rr.Scalars(3))
    log(logged, "s/np", rr.Scalars(np.float32(1.5)))
    log(logged, "s/batch", rr.Scalars(np.array([1.0, -2.0, 3.5])))
    assert latest(logged, "s/one", rr.Scalars)["scalars"].tolist() == [0.25]
    assert latest(logged, "s/int", "Scalars")["scalars"].tolist() == [3.0]
    assert latest(logged, "s/np", rr.Scalars)["scalars"].tolist() == [1.5]
    assert latest(logged, "s/batch", rr.Scalars)["scalars"].tolist() == [1.0, -2.0, 3.5]
    assert rr.Scalars(0.5).scalars == 0.5


def test_series_lines_and_points(logged):
    log(logged, "plot", rr.SeriesLines(colors=[255, 0, 0], widths=2.0, names="sin"),
        rr.SeriesPoints(colors=0x00FF00FF, markers="diamond", marker_sizes=[3.0], names=["pts"]))
    lines = latest(logged, "plot", rr.SeriesLines)
    assert lines["colors"].tolist() == [0xFF0000FF]
    assert lines["widths"].tolist() == [2.0]
    assert lines["names"] == ["sin"]
    points = latest(logged, "plot", rr.SeriesPoints)
    assert points["colors"].tolist() == [0x00FF00FF]
    assert points["markers"].tolist() == [4]
    assert points["marker_sizes"].tolist() == [3.0]
    assert points["names"] == ["pts"]


@pytest.mark.parametrize("cls,dims", [(rr.Points2D, 2), (rr.Points3D, 3)])
def test_points(logged, cls, dims):
    positions = np.arange(4 * dims, dtype=np.float32).reshape(4, dims)
    colors = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [1, 2, 3]], dtype=np.uint8)
    log(logged, "pts", cls(positions, radii=0.5, colors=colors, labels=["a", "b", "c", "d"],
                           class_ids=np.array([1, 2, 3, 4])))
    got = latest(logged, "pts", cls)
    assert got.num_instances == 4
    np.testing.assert_array_equal(got["positions"], positions)
    assert got["positions"].dtype == np.float32
    assert got["radii"].tolist() == [0.5] * 4  # the splat is repeated by the join
    assert got["colors"].tolist() == [0xFF0000FF, 0x00FF00FF, 0x0000FFFF, 0x010203FF]
    assert got["labels"] == ["a", "b", "c", "d"]
    assert got["class_ids"].tolist() == [1, 2, 3, 4]


def test_points_from_lists_and_other_dtypes(logged):
    log(logged, "pts", rr.Points3D([[1, 2, 3], [4, 5, 6]], colors=[0.0, 1.0, 0.5, 1.0]))
    got = latest(logged, "pts", rr.Points3D)
    assert got["positions"].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert got["colors"].tolist() == [0x00FF80FF] * 2


def test_boxes(logged):
    log(logged, "b2", rr.Boxes2D(sizes=[[2, 4]], mins=[[1, 1]], labels="box"))
    log(logged, "b3", rr.Boxes3D(half_sizes=[[1, 2, 3], [4, 5, 6]], centers=[[0, 0, 0], [1, 1, 1]],
                                 quaternions=[0, 0, 0, 1], colors=[[9, 9, 9, 9], [8, 8, 8, 8]], radii=0.1,
                                 class_ids=7))
    b2 = latest(logged, "b2", rr.Boxes2D)
    assert b2["half_sizes"].tolist() == [[1, 2]]
    assert b2["centers"].tolist() == [[2, 3]]
    assert b2["labels"] == ["box"]
    b3 = latest(logged, "b3", rr.Boxes3D)
    assert b3["half_sizes"].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert b3["centers"].tolist() == [[0, 0, 0], [1, 1, 1]]
    assert b3["quaternions"].tolist() == [[0, 0, 0, 1]] * 2
    assert b3["colors"].tolist() == [0x09090909, 0x08080808]
    np.testing.assert_allclose(b3["radii"], [0.1, 0.1], rtol=1e-6)
    assert b3["class_ids"].tolist() == [7, 7]


def test_line_strips(logged):
    strip_a = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0]], dtype=np.float32)
    strip_b = np.array([[5, 5, 5], [6, 6, 6]], dtype=np.float32)
    log(logged, "l3", rr.LineStrips3D([strip_a, strip_b], radii=[0.1, 0.2], colors=[[1, 2, 3], [4, 5, 6]]))
    log(logged, "l2", rr.LineStrips2D(np.zeros((2, 3, 2)) + [1, 2], labels=["x", "y"]))
    got = latest(logged, "l3", rr.LineStrips3D)
    assert got["strips"] == [strip_a.tolist(), strip_b.tolist()]
    np.testing.assert_allclose(got["radii"], [0.1, 0.2], rtol=1e-6)
    assert got["colors"].tolist() == [0x010203FF, 0x040506FF]
    got = latest(logged, "l2", rr.LineStrips2D)
    assert got["strips"] == [[[1, 2]] * 3] * 2
    assert got["labels"] == ["x", "y"]


def test_arrows(logged):
    log(logged, "arrows", rr.Arrows3D(vectors=[[1, 0, 0], [0, 1, 0]], origins=[[0, 0, 0], [1, 1, 1]],
                                      labels=["x", "y"]))
    got = latest(logged, "arrows", rr.Arrows3D)
    assert got["vectors"].tolist() == [[1, 0, 0], [0, 1, 0]]
    assert got["origins"].tolist() == [[0, 0, 0], [1, 1, 1]]
    assert got["labels"] == ["x", "y"]


def test_image_from_array_and_bytes(logged):
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    log(logged, "img/rgb", rr.Image(rgb))
    depth16 = np.arange(6, dtype=np.uint16).reshape(2, 3)
    log(logged, "img/raw", rr.Image(bytes=depth16.tobytes(), width=3, height=2, color_model="L", datatype="U16"))
    bgra = np.ones((4, 5, 4), dtype=np.float32)
    log(logged, "img/bgra", rr.Image(bgra, color_model="BGRA"))
    got = latest(logged, "img/rgb", rr.Image)
    assert got["buffer"] == [rgb.tobytes()]
    assert got["format"] == [{"width": 3, "height": 2, "color_model": 2, "channel_datatype": 1}]
    got = latest(logged, "img/raw", rr.Image)
    assert got["buffer"] == [depth16.tobytes()]
    assert got["format"] == [{"width": 3, "height": 2, "color_model": 1, "channel_datatype": 2}]
    got = latest(logged, "img/bgra", rr.Image)
    assert got["format"] == [{"width": 5, "height": 4, "color_model": 5, "channel_datatype": 10}]
    assert rr.Image(rgb).format.color_model == "RGB"


def test_encoded_images(logged, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
    jpeg = b"\xff\xd8\xff\xe0" + bytes(16)
    path = tmp_path / "x.png"
    path.write_bytes(png)
    log(logged, "png", rr.EncodedImage(path))
    log(logged, "jpeg", rr.EncodedImage(contents=jpeg))
    log(logged, "other", rr.EncodedImage(contents=b"GIF89a", media_type="image/gif"))
    assert latest(logged, "png", rr.EncodedImage)["blob"] == [png]
    assert latest(logged, "png", rr.EncodedImage)["media_type"] == ["image/png"]
    assert latest(logged, "jpeg", rr.EncodedImage)["media_type"] == ["image/jpeg"]
    assert latest(logged, "other", rr.EncodedImage)["media_type"] == ["image/gif"]


def test_depth_image(logged):
    depth = np.linspace(0, 5, 12, dtype=np.float32).reshape(3, 4)
    log(logged, "depth", rr.DepthImage(depth, meter=1000.0))
    got = latest(logged, "depth", rr.DepthImage)
    assert got["buffer"] == [depth.tobytes()]
    assert got["format"] == [{"width": 4, "height": 3, "color_model": 1, "channel_datatype": 10}]
    assert got["meter"].tolist() == [1000.0]


def test_tensor(logged):
    t = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    log(logged, "tensor", rr.Tensor(t))
    got = latest(logged, "tensor", rr.Tensor)["data"][0]
    assert got["shape"] == [2, 3, 4]
    assert got["datatype"] == 6  # I16
    assert np.frombuffer(got["buffer"], dtype=np.int16).reshape(2, 3, 4).tolist() == t.tolist()


def test_text(logged):
    log(logged, "log", rr.TextLog("hello", level="WARN", color=[255, 128, 0]))
    log(logged, "doc", rr.TextDocument("# Title", media_type="text/markdown"))
    got = latest(logged, "log", rr.TextLog)
    assert got["text"] == ["hello"] and got["level"] == ["WARN"] and got["color"].tolist() == [0xFF8000FF]
    got = latest(logged, "doc", rr.TextDocument)
    assert got["text"] == ["# Title"] and got["media_type"] == ["text/markdown"]


def test_transform3d(logged):
    m = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float32)  # row-major in
    log(logged, "tf", rr.Transform3D(translation=[1, 2, 3], quaternion=[0, 0, 0.6, 0.8], scale=2.0, mat3x3=m))
    got = latest(logged, "tf", rr.Transform3D)
    assert got["translation"].tolist() == [[1, 2, 3]]
    np.testing.assert_allclose(got["quaternion"], [[0, 0, 0.6, 0.8]], rtol=1e-6)
    assert got["scale"].tolist() == [[2, 2, 2]]
    assert got["mat3x3"].tolist() == [m.T.reshape(9).tolist()]  # stored column-major


def test_view_coordinates_clear_and_annotation_context(logged):
    logged.rec.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
    logged.rec.log("cam", rr.ViewCoordinates("RDF"), static=True)
    logged.rec.log("ctx", rr.AnnotationContext([(1, "person", [255, 0, 0]), rr.AnnotationInfo(id=2, label="car")]),
                   static=True)
    rec = logged.read()
    assert rec.latest_at("world", rr.ViewCoordinates)["xyz"].tolist() == [[3, 5, 1]]
    assert rec.latest_at("cam", rr.ViewCoordinates)["xyz"].tolist() == [[3, 2, 5]]
    assert rr.ViewCoordinates.RIGHT_HAND_Z_UP.xyz == [3, 5, 1]
    assert rec.latest_at("ctx", rr.AnnotationContext)["context"] == [
        {"class_id": 1, "label": "person", "color": 0xFF0000FF},
        {"class_id": 2, "label": "car", "color": 0xFFFFFFFF},
    ]


def test_clear_hides_earlier_data(logged):
    log(logged, "world/pts", rr.Points3D([[1, 2, 3]]), frame=1)
    log(logged, "world", rr.Clear(recursive=True), frame=2)
    rec = logged.read()
    assert rec.latest_at("world/pts", rr.Points3D, index="frame", at=1)["positions"].tolist() == [[1, 2, 3]]
    assert "positions" not in rec.latest_at("world/pts", rr.Points3D, index="frame", at=2)
    assert rec.latest_at("world", rr.Clear, index="frame", at=2)["is_recursive"] == [True]
    assert rr.Clear.flat() is not None


def test_round_trip_through_a_file_and_the_dataframe(tmp_path):
    path = tmp_path / "all.reel"
    rec = rr.RecordingStream("files", log_time=False, log_tick=False)
    rec.save(path)
    for frame in range(3):
        rec.set_time("frame", sequence=frame)
        rec.log("pts", rr.Points3D(np.full((2, 3), frame, dtype=np.float32), labels=["a", "b"]))
        rec.log("text", rr.TextLog(f"line {frame}"))
    rec.flush()
    del rec  # closes the file (footer)
    loaded = rr.dataframe.load_recording(path)
    assert loaded.application_id == "files"
    table = loaded.view(index="frame").select().read_all()
    assert table["frame"].to_numpy().tolist() == [0, 1, 2]
    positions = table["/pts:Points3D:positions"].to_numpy()
    assert positions.dtype == object  # two instances per row: one array per row
    assert [p.tolist() for p in positions] == [[[f] * 3] * 2 for f in range(3)]
    assert table["/pts:Points3D:labels"].to_pylist() == [["a", "b"]] * 3
    assert table["/text:TextLog:text"].to_numpy().tolist() == ["line 0", "line 1", "line 2"]


def test_send_columns_of_other_archetypes(logged):
    positions = np.arange(12, dtype=np.float32).reshape(4, 3)
    logged.rec.send_columns(
        "pts",
        indexes=[rr.TimeColumn("frame", sequence=[0, 1])],
        columns=rr.Points3D.columns(positions=positions, colors=np.array([1, 2, 3, 4], dtype=np.uint32)).partition([1, 3]),
    )
    logged.rec.send_columns("txt", indexes=[rr.TimeColumn("frame", sequence=[0, 1])],
                            columns=rr.TextLog.columns(text=["a", "b"], level=["INFO", "WARN"]))
    table = logged.table()
    assert [p.tolist() for p in table["/pts:Points3D:positions"].to_numpy()] == [
        positions[:1].tolist(), positions[1:].tolist()]
    assert table["/pts:Points3D:colors"].to_pylist() == [[1], [2, 3, 4]]
    assert table["/txt:TextLog:text"].to_numpy().tolist() == ["a", "b"]
    assert table["/txt:TextLog:level"].to_numpy().tolist() == ["INFO", "WARN"]
