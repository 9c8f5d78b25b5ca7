"""The archetypes and fields added for computer-vision scenes, from Python: each is logged
with Rerun 0.33's constructor arguments, saved to a .reel file, loaded back and read with
latest-at (exact values); AnyValues columns are queryable by Rerun's names; Image.compress
makes a JPEG that PIL (an independent decoder) reads back; unknown keywords name themselves."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

import reel as rr


def test_new_archetypes_have_reruns_fields():
    # Rerun 0.33's fields (docs/content/reference/types/archetypes), in reel's order.
    expected = {
        "Pinhole": ["image_from_camera", "resolution", "camera_xyz", "child_frame", "parent_frame",
                    "image_plane_distance", "color", "line_width"],
        "Arrows2D": ["vectors", "origins", "radii", "colors", "labels", "show_labels", "draw_order", "class_ids"],
        "SegmentationImage": ["buffer", "format", "opacity", "draw_order"],
        "Mesh3D": ["vertex_positions", "triangle_indices", "vertex_normals", "vertex_colors", "vertex_texcoords",
                   "albedo_factor", "albedo_texture_buffer", "albedo_texture_format", "class_ids"],
        "Asset3D": ["blob", "media_type", "albedo_factor"],
        "Ellipsoids3D": ["half_sizes", "centers", "rotation_axis_angles", "quaternions", "colors", "line_radii",
                         "fill_mode", "labels", "show_labels", "class_ids"],
        "Capsules3D": ["lengths", "radii", "translations", "rotation_axis_angles", "quaternions", "colors",
                       "line_radii", "fill_mode", "labels", "show_labels", "class_ids"],
        "Cylinders3D": ["lengths", "radii", "centers", "rotation_axis_angles", "quaternions", "colors",
                        "line_radii", "fill_mode", "labels", "show_labels", "class_ids"],
        "InstancePoses3D": ["translations", "rotation_axis_angles", "quaternions", "scales", "mat3x3"],
        "CoordinateFrame": ["frame"],
        "BarChart": ["values", "color", "abscissa", "widths"],
        "GraphNodes": ["node_ids", "positions", "colors", "labels", "show_labels", "radii"],
        "GraphEdges": ["edges", "graph_type"],
        "GeoPoints": ["positions", "radii", "colors", "class_ids"],
        "GeoLineStrings": ["line_strings", "radii", "colors"],
    }
    for name, fields in expected.items():
        assert getattr(rr, name).archetype_fields() == fields, name


class Saved:
    """A recording saved to a file; read() closes it and loads the file back."""

    def __init__(self, tmp_path):
        self.path = tmp_path / "cv.reel"
        self.rec = rr.RecordingStream("cv_archetypes", log_time=False, log_tick=False)
        self.rec.save(self.path)
        self.rec.set_time("frame", sequence=1)

    def log(self, entity, *archetypes):
        self.rec.log(entity, *archetypes)

    def read(self):
        if self.rec is not None:
            self.rec.flush()
            self.rec = None  # closes the file
        return rr.dataframe.load_recording(self.path)


@pytest.fixture
def saved(tmp_path):
    return Saved(tmp_path)


def test_camera_overlays_and_segmentation_round_trip_through_a_file(saved):
    saved.log("world/camera", rr.Pinhole(focal_length=500, width=640, height=480, camera_xyz=rr.ViewCoordinates.RDF,
                                         image_plane_distance=2.0, color=[255, 0, 0], line_width=0.01,
                                         child_frame="camera", parent_frame="base_link"))
    saved.log("world/camera2", rr.Pinhole(image_from_camera=[[400, 0, 100], [0, 410, 80], [0, 0, 1]],
                                          resolution=[200, 160]))
    saved.log("world/camera/image/arrows", rr.Arrows2D(vectors=[[1, 0], [0, 2]], origins=[[5, 5], [6, 6]],
                                                       labels=["x", "y"], show_labels=False, draw_order=3,
                                                       class_ids=[1, 2]))
    saved.log("world/camera/image/kp", rr.Points2D([[1, 2], [3, 4]], keypoint_ids=[0, 1], class_ids=5,
                                                   draw_order=10.0, show_labels=True))
    ids = np.array([[0, 1, 1], [2, 2, 0]], dtype=np.uint8)
    saved.log("world/camera/seg", rr.SegmentationImage(ids, opacity=0.5, draw_order=1.0))
    depth = np.arange(6, dtype=np.uint16).reshape(2, 3)
    saved.log("world/camera/depth", rr.DepthImage(depth, meter=1000.0, colormap="viridis", depth_range=[0.5, 10.0],
                                                  point_fill_ratio=0.5, draw_order=-1.0))
    rec = saved.read()
    at = dict(index="frame", at=1)

    pin = rec.latest_at("/world/camera", rr.Pinhole, **at)
    # image_from_camera is stored column-major, as Rerun stores it: [fx, 0, 0, 0, fy, 0, cx, cy, 1].
    assert pin["image_from_camera"].tolist() == [[500, 0, 0, 0, 500, 0, 320, 240, 1]]
    assert pin["resolution"].tolist() == [[640, 480]]
    assert pin["camera_xyz"].tolist() == [[3, 2, 5]]  # R D F
    assert pin["image_plane_distance"].tolist() == [2.0]
    assert pin["color"].tolist() == [0xFF0000FF]
    np.testing.assert_allclose(pin["line_width"], [0.01], rtol=1e-6)
    assert pin["child_frame"] == ["camera"] and pin["parent_frame"] == ["base_link"]
    pin2 = rec.latest_at("/world/camera2", "Pinhole", **at)
    assert pin2["image_from_camera"].tolist() == [[400, 0, 0, 0, 410, 0, 100, 80, 1]]
    assert pin2["resolution"].tolist() == [[200, 160]]

    arrows = rec.latest_at("/world/camera/image/arrows", rr.Arrows2D, **at)
    assert arrows["vectors"].tolist() == [[1, 0], [0, 2]]
    assert arrows["origins"].tolist() == [[5, 5], [6, 6]]
    assert arrows["labels"] == ["x", "y"]
    assert arrows["show_labels"].tolist() == [False, False]
    assert arrows["draw_order"].tolist() == [3.0, 3.0]
    assert arrows["class_ids"].tolist() == [1, 2]
    kp = rec.latest_at("/world/camera/image/kp", rr.Points2D, **at)
    assert kp["keypoint_ids"].tolist() == [0, 1]
    assert kp["draw_order"].tolist() == [10.0, 10.0]

    seg = rec.latest_at("/world/camera/seg", rr.SegmentationImage, **at)
    assert seg["buffer"] == [ids.tobytes()]
    assert seg["format"] == [{"width": 3, "height": 2, "color_model": 1, "channel_datatype": 1}]
    assert seg["opacity"].tolist() == [0.5] and seg["draw_order"].tolist() == [1.0]
    d = rec.latest_at("/world/camera/depth", rr.DepthImage, **at)
    assert d["colormap"].tolist() == [6]  # Viridis, Rerun's code
    assert d["depth_range"].tolist() == [[0.5, 10.0]]
    assert d["point_fill_ratio"].tolist() == [0.5] and d["draw_order"].tolist() == [-1.0]


def test_shapes_meshes_and_assets_round_trip_through_a_file(saved, tmp_path):
    saved.log("mesh", rr.Mesh3D(vertex_positions=[[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]],
                                triangle_indices=[[0, 1, 2], [1, 3, 2]], vertex_normals=[0, 0, 1],
                                vertex_colors=[[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]],
                                vertex_texcoords=[[0, 0], [1, 0], [0, 1], [1, 1]], albedo_factor=[200, 200, 200],
                                albedo_texture=np.full((2, 2, 3), 7, dtype=np.uint8), class_ids=3))
    obj = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"
    (tmp_path / "tri.stl").write_bytes(b"solid t\nendsolid t\n")
    saved.log("asset/obj", rr.Asset3D(contents=obj))
    saved.log("asset/stl", rr.Asset3D(path=tmp_path / "tri.stl", albedo_factor=0x808080FF))
    saved.log("asset/io", rr.Asset3D(contents=io.BytesIO(obj), media_type=rr.MediaType.OBJ))
    saved.log("shapes/spheres", rr.Ellipsoids3D(radii=[1.0, 2.0], centers=[[0, 0, 0], [5, 0, 0]],
                                                fill_mode=rr.components.FillMode.Solid, labels=["a", "b"]))
    saved.log("shapes/capsules", rr.Capsules3D(lengths=[1.0, 2.0], radii=[0.1, 0.2], translations=[[0, 0, 0], [1, 0, 0]],
                                               rotation_axis_angles=[rr.RotationAxisAngle(axis=[1, 0, 0], degrees=90),
                                                                     rr.RotationAxisAngle([0, 1, 0], rr.Angle(rad=0.5))],
                                               fill_mode="DenseWireframe"))
    saved.log("shapes/cylinders", rr.Cylinders3D(lengths=3.0, radii=0.5, centers=[0, 0, 1],
                                                 quaternions=rr.Quaternion(xyzw=[0, 0, 0, 1])))
    saved.log("shapes/boxes", rr.Boxes3D(sizes=[[2, 2, 2]], rotations=rr.RotationAxisAngle([0, 0, 1], radians=0.25),
                                         fill_mode="transparent_fill_major_wireframe", show_labels=False))
    saved.log("shapes/instances", rr.InstancePoses3D(translations=[[0, 0, 0], [0, 0, 5]], scales=2.0,
                                                     mat3x3=np.eye(3)))
    rec = saved.read()
    at = dict(index="frame", at=1)

    mesh = rec.latest_at("/mesh", rr.Mesh3D, **at)
    assert mesh.num_instances == 4
    assert mesh["triangle_indices"].tolist() == [[0, 1, 2], [1, 3, 2]]  # its own count: not joined
    assert mesh["vertex_normals"].tolist() == [[0, 0, 1]] * 4
    assert mesh["vertex_colors"].tolist() == [0xFF0000FF, 0x00FF00FF, 0x0000FFFF, 0x090909FF]
    assert mesh["vertex_texcoords"].tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]]
    assert mesh["albedo_factor"].tolist() == [0xC8C8C8FF]
    assert mesh["albedo_texture_buffer"] == [bytes([7] * 12)]
    assert mesh["albedo_texture_format"] == [{"width": 2, "height": 2, "color_model": 2, "channel_datatype": 1}]
    assert mesh["class_ids"].tolist() == [3] * 4

    a = rec.latest_at("/asset/obj", rr.Asset3D, **at)
    assert a["blob"] == [obj] and a["media_type"] == ["model/obj"]  # guessed from the bytes
    a = rec.latest_at("/asset/stl", rr.Asset3D, **at)
    assert a["media_type"] == ["model/stl"] and a["albedo_factor"].tolist() == [0x808080FF]  # from the path
    assert rec.latest_at("/asset/io", rr.Asset3D, **at)["blob"] == [obj]

    e = rec.latest_at("/shapes/spheres", rr.Ellipsoids3D, **at)
    assert e["half_sizes"].tolist() == [[1, 1, 1], [2, 2, 2]]
    assert e["fill_mode"].tolist() == [3, 3]  # Solid
    c = rec.latest_at("/shapes/capsules", rr.Capsules3D, **at)
    assert c["lengths"].tolist() == [1.0, 2.0]
    np.testing.assert_allclose(c["radii"], [0.1, 0.2], rtol=1e-6)
    rotations = c["rotation_axis_angles"]
    assert [r["axis"] for r in rotations] == [[1, 0, 0], [0, 1, 0]]
    assert [round(r["angle"], 6) for r in rotations] == [round(math.pi / 2, 6), 0.5]
    assert c["fill_mode"].tolist() == [2, 2]
    cyl = rec.latest_at("/shapes/cylinders", rr.Cylinders3D, **at)
    assert cyl["centers"].tolist() == [[0, 0, 1]] and cyl["quaternions"].tolist() == [[0, 0, 0, 1]]
    b = rec.latest_at("/shapes/boxes", rr.Boxes3D, **at)
    assert b["half_sizes"].tolist() == [[1, 1, 1]]
    assert b["rotation_axis_angles"] == [{"axis": [0, 0, 1], "angle": 0.25}]
    assert b["fill_mode"].tolist() == [4] and b["show_labels"].tolist() == [False]
    poses = rec.latest_at("/shapes/instances", rr.InstancePoses3D, **at)
    assert poses["translations"].tolist() == [[0, 0, 0], [0, 0, 5]]
    assert poses["scales"].tolist() == [[2, 2, 2]] * 2
    assert poses["mat3x3"].tolist() == [[1, 0, 0, 0, 1, 0, 0, 0, 1]] * 2


def test_frames_charts_graphs_maps_round_trip_through_a_file(saved):
    saved.log("world/robot", rr.Transform3D(translation=[1, 2, 3], rotation=rr.RotationAxisAngle([0, 0, 1], degrees=180),
                                            relation=rr.TransformRelation.ChildFromParent,
                                            child_frame="base_link", parent_frame="odom"))
    saved.log("world/q", rr.Transform3D(rotation=rr.Quaternion(xyzw=[0, 0, 0.5, 0.5]), scale=2))
    saved.log("world/points", rr.CoordinateFrame("base_link"))
    saved.log("bars", rr.BarChart([8, 4, 0, 9, 1], color=[0, 128, 255], abscissa=np.arange(5) * 2.0,
                                  widths=[1, 1, 1, 2, 2]))
    saved.log("graph", rr.GraphNodes(["a", "b", "c"], positions=[[0, 0], [1, 0], [0, 1]], labels=["A", "B", "C"]),
              rr.GraphEdges([("a", "b"), ("b", "c")], graph_type=rr.GraphType.Directed))
    saved.log("map/points", rr.GeoPoints(lat_lon=[[59.3293, 18.0686], [48.8566, 2.3522]], radii=5.0, class_ids=[1, 2]))
    saved.log("map/route", rr.GeoLineStrings(lat_lon=[[[59.3, 18.0], [59.4, 18.1], [59.5, 18.3]]], colors=[0, 0, 255]))
    saved.log("tensor", rr.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), dim_names=["rows", "cols"],
                                  value_range=[0, 5]))
    rec = saved.read()
    at = dict(index="frame", at=1)

    t = rec.latest_at("/world/robot", rr.Transform3D, **at)
    assert t["translation"].tolist() == [[1, 2, 3]]
    assert t["rotation_axis_angle"][0]["axis"] == [0, 0, 1]
    assert round(t["rotation_axis_angle"][0]["angle"], 6) == round(math.pi, 6)
    assert t["relation"].tolist() == [2]  # ChildFromParent
    assert t["child_frame"] == ["base_link"] and t["parent_frame"] == ["odom"]
    q = rec.latest_at("/world/q", rr.Transform3D, **at)
    assert q["quaternion"].tolist() == [[0, 0, 0.5, 0.5]] and q["scale"].tolist() == [[2, 2, 2]]
    assert rec.latest_at("/world/points", rr.CoordinateFrame, **at)["frame"] == ["base_link"]

    bars = rec.latest_at("/bars", rr.BarChart, **at)
    values = bars["values"][0]
    assert values["shape"] == [5]
    assert np.frombuffer(values["buffer"], dtype=np.int64).tolist() == [8, 4, 0, 9, 1]
    assert np.frombuffer(bars["abscissa"][0]["buffer"], dtype=np.float64).tolist() == [0, 2, 4, 6, 8]
    assert bars["color"].tolist() == [0x0080FFFF]
    assert bars["widths"].tolist() == [1, 1, 1, 2, 2]  # its own count: one per bar

    nodes = rec.latest_at("/graph", rr.GraphNodes, **at)
    assert nodes["node_ids"] == ["a", "b", "c"] and nodes["labels"] == ["A", "B", "C"]
    edges = rec.latest_at("/graph", rr.GraphEdges, **at)
    assert edges["edges"] == [{"first": "a", "second": "b"}, {"first": "b", "second": "c"}]
    assert edges["graph_type"].tolist() == [2, 2]

    geo = rec.latest_at("/map/points", rr.GeoPoints, **at)
    assert geo["positions"].tolist() == [[59.3293, 18.0686], [48.8566, 2.3522]]
    assert geo["positions"].dtype == np.float64
    route = rec.latest_at("/map/route", rr.GeoLineStrings, **at)
    assert route["line_strings"] == [[[59.3, 18.0], [59.4, 18.1], [59.5, 18.3]]]
    assert route["colors"].tolist() == [0x0000FFFF]

    tensor = rec.latest_at("/tensor", rr.Tensor, **at)
    assert tensor["data"][0]["names"] == ["rows", "cols"]
    assert tensor["value_range"].tolist() == [[0, 5]]


def test_any_values_are_columns_named_as_rerun_names_them(saved):
    for frame in range(3):
        saved.rec.set_time("frame", sequence=frame)
        saved.log("robot", rr.AnyValues(speed=1.5 * frame, label=f"step {frame}", flags=[True, False],
                                        ids=np.array([frame, 7], dtype=np.uint16), nothing=None))
    saved.log("robot", rr.DynamicArchetype("Motor", components={"torque": 0.25}))
    rec = saved.read()
    table = rec.view(index="frame", contents="/robot").select().read_all()
    assert table.column_names == ["frame", "/robot:Motor:torque", "/robot:flags", "/robot:ids", "/robot:label",
                                  "/robot:speed"]
    assert table["/robot:speed"].to_pylist() == [[0.0], [1.5], [3.0]]
    assert table["/robot:label"].to_pylist() == [["step 0"], ["step 1"], ["step 2"]]
    assert table["/robot:flags"].to_pylist() == [[True, False]] * 3
    assert table["/robot:ids"].to_pylist() == [[0, 7], [1, 7], [2, 7]]
    assert table["/robot:ids"].arrow_type == "list<item: uint16>"
    selected = rec.view(index="frame", contents="/robot").select("/robot:speed").read_all()
    assert selected.column_names == ["frame", "/robot:speed"]


def test_any_values_keep_the_first_type_and_columns():
    # An int first, then a float: cast to the first type, as Rerun's type registry does.
    logged = rr.AnyValues(int_then_float=3)
    assert logged.component_names == ["int_then_float"]
    rr.AnyValues(int_then_float=4.0)
    with pytest.raises(TypeError, match="was first logged as int64, now utf8"):
        rr.AnyValues(int_then_float="x")
    cols = rr.AnyValues.columns(temperature=[20.5, 21.0, 21.5])
    assert cols.names == ["temperature"] and cols.num_rows == 3


def test_image_compress_makes_a_jpeg_that_pil_decodes(saved):
    pil = pytest.importorskip("PIL.Image")  # Debian's python3-pil (scripts/install-deps.sh)
    y, x = np.mgrid[0:48, 0:64]
    rgb = np.stack([40 + x * 2, 40 + y * 3, 120 + (x + y)], axis=-1).astype(np.uint8)
    jpeg = rr.Image(rgb).compress(jpeg_quality=95)
    assert isinstance(jpeg, rr.EncodedImage)
    saved.log("camera/jpeg", jpeg)
    got = saved.read().latest_at("/camera/jpeg", rr.EncodedImage, index="frame", at=1)
    assert got["media_type"] == ["image/jpeg"]
    decoded = np.asarray(pil.open(io.BytesIO(got["blob"][0])).convert("RGB"))
    assert decoded.shape == rgb.shape
    assert np.abs(decoded.astype(int) - rgb.astype(int)).max() <= 12
    gray = rgb[:, :, 0].copy()
    saved_gray = rr.Image(gray).compress(jpeg_quality=90)
    saved.rec = rr.RecordingStream("gray", log_time=False, log_tick=False)
    mem = saved.rec.memory_recording()
    saved.rec.log("gray", saved_gray, static=True)
    saved.rec.flush()
    blob = rr.dataframe.from_memory(mem).latest_at("/gray", rr.EncodedImage)["blob"][0]
    decoded = np.asarray(pil.open(io.BytesIO(blob)))
    assert decoded.shape == gray.shape
    assert np.abs(decoded.astype(int) - gray.astype(int)).max() <= 8
    with pytest.raises(ValueError, match="JPEG has no alpha"):
        rr.Image(np.zeros((4, 4, 4), dtype=np.uint8)).compress()
    with pytest.raises(ValueError, match="only U8 images"):
        rr.Image(np.zeros((4, 4), dtype=np.uint16)).compress()


def test_boxes2d_from_an_array_in_every_box2d_format(logged):
    formats = {
        rr.Box2DFormat.XYWH: [10, 20, 4, 6],
        rr.Box2DFormat.YXHW: [20, 10, 6, 4],
        rr.Box2DFormat.XYXY: [10, 20, 14, 26],
        rr.Box2DFormat.YXYX: [20, 10, 26, 14],
        rr.Box2DFormat.XCYCWH: [12, 23, 4, 6],
        rr.Box2DFormat.XCYCW2H2: [12, 23, 2, 3],
    }
    for i, (fmt, row) in enumerate(formats.items()):
        logged.rec.set_time("frame", sequence=0)
        logged.rec.log(f"boxes/{i}", rr.Boxes2D(array=[row], array_format=fmt, labels="det"))
    rec = logged.read()
    for i in range(len(formats)):
        got = rec.latest_at(f"/boxes/{i}", rr.Boxes2D, index="frame", at=0)
        assert got["centers"].tolist() == [[12, 23]], i
        assert got["half_sizes"].tolist() == [[2, 3]], i
    with pytest.raises(ValueError, match="array= needs array_format="):
        rr.Boxes2D(array=[[1, 2, 3, 4]])
    with pytest.raises(ValueError, match="give array= or half_sizes=, not both"):
        rr.Boxes2D(array=[[1, 2, 3, 4]], array_format="XYWH", half_sizes=[[1, 1]])


@pytest.mark.parametrize("make", [
    lambda: rr.Boxes2D(half_sizes=[[1, 1]], colour=[255, 0, 0]),
    lambda: rr.Boxes3D(half_sizes=[[1, 1, 1]], colour=1),
    lambda: rr.Image(np.zeros((2, 2), np.uint8), colour=1),
    lambda: rr.EncodedImage(contents=b"x", colour=1),
    lambda: rr.DepthImage(np.zeros((2, 2), np.uint16), colour=1),
    lambda: rr.SegmentationImage(np.zeros((2, 2), np.uint8), colour=1),
    lambda: rr.Tensor(np.zeros(3), colour=1),
    lambda: rr.Transform3D(colour=1),
    lambda: rr.Pinhole(focal_length=1, width=2, height=2, colour=1),
    lambda: rr.Mesh3D(vertex_positions=[[0, 0, 0]], colour=1),
    lambda: rr.Asset3D(contents=b"x", colour=1),
    lambda: rr.Ellipsoids3D(radii=[1], colour=1),
    lambda: rr.BarChart([1, 2], colour=1),
    lambda: rr.GeoPoints(lat_lon=[[0, 0]], colour=1),
    lambda: rr.GeoLineStrings(lat_lon=[[[0, 0], [1, 1]]], colour=1),
    lambda: rr.ViewCoordinates("RDF", colour=1),
    lambda: rr.Clear(recursive=True, colour=1),
    lambda: rr.Capsules3D(lengths=[1], radii=[1], colour=1),
    lambda: rr.Arrows2D(vectors=[[1, 0]], colour=1),
])
def test_an_unknown_keyword_names_itself(make):
    with pytest.raises(TypeError, match=r"^\w+\(\) got an unexpected keyword argument 'colour' \((arguments|fields): \w"):
        make()


def test_helpers_and_their_errors():
    q = rr.Quaternion(xyzw=[0, 0, 0, 1])
    assert q.xyzw == [0, 0, 0, 1] and rr.Quaternion.identity().xyzw == [0, 0, 0, 1]
    r = rr.RotationAxisAngle(axis=[0, 0, 1], degrees=180)
    assert r.axis == [0, 0, 1] and abs(r.angle.radians - math.pi) < 1e-6
    assert rr.Angle(deg=90).radians == pytest.approx(math.pi / 2)
    assert rr.TextLogLevel.WARN == "WARN" and rr.MediaType.GLB == "model/gltf-binary"
    assert rr.MediaType.guess_from_path("x/robot.STL") == rr.MediaType.STL
    assert rr.components.FillMode.auto("solid") is rr.components.FillMode.Solid
    with pytest.raises(ValueError, match="exactly one of angle, radians= and degrees="):
        rr.RotationAxisAngle([0, 0, 1])
    with pytest.raises(ValueError, match="rotation must be an rr.Quaternion or an rr.RotationAxisAngle"):
        rr.Transform3D(rotation=[0, 0, 0, 1])
    with pytest.raises(ValueError, match="can't be combined with quaternion="):
        rr.Transform3D(rotation=q, quaternion=[0, 0, 0, 1])
    with pytest.raises(ValueError, match="expected a FillMode"):
        rr.Boxes3D(half_sizes=[[1, 1, 1]], fill_mode="filled")
    with pytest.raises(ValueError, match="give image_from_camera or focal_length"):
        rr.Pinhole(principal_point=[1, 1])
    with pytest.raises(TypeError, match="missing required keyword argument 'lengths'"):
        rr.Capsules3D(radii=[1])
    with pytest.raises(ValueError, match="SegmentationImage: expected shape"):
        rr.SegmentationImage(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(TypeError, match="expected integers"):
        rr.SegmentationImage(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="2 dim_names for 1 dimensions"):
        rr.Tensor(np.zeros(3), dim_names=["a", "b"])
    with pytest.raises(ValueError, match="BarChart: values must be 1-D"):
        rr.BarChart(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="edge 0 must be a \\(first, second\\) pair"):
        rr.GraphEdges([("a", "b", "c")])
    with pytest.warns(UserWarning, match="neither image_from_camera nor focal_length"):
        p = rr.Pinhole(width=4, height=9)
    assert p is not None
