"""A typical Rerun 0.33 computer-vision script, written from Rerun's Python API documentation
(docs/snippets and rerun_py at the 0.33.0 release), runs unmodified against reel apart from
the import line, and the recording it saves holds exactly what it logged."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import reel as rr

# The script as a Rerun user writes it. The only edit reel needs is the import line; it saves
# to the path given on the command line instead of spawning a viewer.
RERUN_SCRIPT = '''
"""Object detections on a camera image, a segmentation, a point cloud, metrics and logs."""
import sys

import numpy as np
import rerun as rr

rr.init("rerun_example_detections")
rr.save(sys.argv[1])

rr.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
rr.log(
    "world/camera/image",
    rr.AnnotationContext([(0, "background", (0, 0, 0)), (1, "person", (255, 0, 0)), (2, "car", (0, 0, 255))]),
    static=True,
)

rng = np.random.default_rng(12345)
for frame in range(3):
    rr.set_time("frame", sequence=frame)
    rr.set_time("sensor_time", timestamp=1_700_000_000 + frame * 0.1)

    # The camera: 1.5 m up, looking along +Y of the world.
    rr.log(
        "world/camera",
        rr.Transform3D(
            translation=[0, 0, 1.5],
            rotation=rr.datatypes.RotationAxisAngle(axis=[1, 0, 0], angle=rr.datatypes.Angle(deg=-90)),
        ),
    )
    rr.log("world/camera/image", rr.Pinhole(focal_length=300, width=64, height=48, camera_xyz=rr.ViewCoordinates.RDF))

    image = np.zeros((48, 64, 3), dtype=np.uint8)
    image[:, :, 1] = 40 + frame
    rr.log("world/camera/image", rr.Image(image))

    # The detector's output, as children of the image: boxes in pixel coordinates and keypoints.
    rr.log(
        "world/camera/image/detections",
        rr.Boxes2D(
            array=[[10, 8, 12, 20], [30 + frame, 20, 16, 10]],
            array_format=rr.Box2DFormat.XYWH,
            class_ids=[1, 2],
            labels=["person", "car"],
        ),
    )
    rr.log(
        "world/camera/image/keypoints",
        rr.Points2D([[16, 10], [14, 18], [18, 18]], radii=1.5, colors=[255, 255, 0], class_ids=1, keypoint_ids=[0, 1, 2]),
    )
    segmentation = np.zeros((48, 64), dtype=np.uint8)
    segmentation[8:28, 10:22] = 1
    segmentation[20:30, 30 + frame : 46 + frame] = 2
    rr.log("world/camera/image/segmentation", rr.SegmentationImage(segmentation))

    positions = rng.uniform(-5, 5, size=[100, 3])
    colors = rng.uniform(0, 255, size=[100, 3]).astype(np.uint8)
    rr.log("world/points", rr.Points3D(positions, colors=colors, radii=0.02))

    rr.log("metrics/detections", rr.Scalars(2))
    rr.log("metrics/latency_ms", rr.Scalars(12.5 + frame))
    rr.log("logs", rr.TextLog(f"frame {frame}: 2 detections", level=rr.TextLogLevel.INFO))
'''


def run_as_reel(script: str, tmp_path) -> str:
    assert script.count("import rerun as rr") == 1
    source = tmp_path / "detections.py"
    source.write_text(script.replace("import rerun as rr", "import reel as rr"))
    out = tmp_path / "detections.reel"
    subprocess.run([sys.executable, str(source), str(out)], check=True, timeout=300)
    return str(out)


def test_a_typical_rerun_script_runs_unmodified_but_for_the_import(tmp_path):
    rec = rr.dataframe.load_recording(run_as_reel(RERUN_SCRIPT, tmp_path))
    assert rec.entities() == [
        "/logs", "/metrics/detections", "/metrics/latency_ms", "/world", "/world/camera", "/world/camera/image",
        "/world/camera/image/detections", "/world/camera/image/keypoints", "/world/camera/image/segmentation",
        "/world/points",
    ]
    at = dict(index="frame", at=2)

    tf = rec.latest_at("/world/camera", rr.Transform3D, **at)
    assert tf["translation"].tolist() == [[0, 0, 1.5]]
    assert tf["rotation_axis_angle"][0]["axis"] == [1, 0, 0]
    assert round(tf["rotation_axis_angle"][0]["angle"], 5) == round(-np.pi / 2, 5)
    pin = rec.latest_at("/world/camera/image", rr.Pinhole, **at)
    assert pin["image_from_camera"].tolist() == [[300, 0, 0, 0, 300, 0, 32, 24, 1]]
    assert pin["resolution"].tolist() == [[64, 48]]
    assert pin["camera_xyz"].tolist() == [[3, 2, 5]]
    image = rec.latest_at("/world/camera/image", rr.Image, **at)
    assert image["format"] == [{"width": 64, "height": 48, "color_model": 2, "channel_datatype": 1}]
    pixels = np.frombuffer(image["buffer"][0], dtype=np.uint8).reshape(48, 64, 3)
    assert (pixels[:, :, 1] == 42).all() and (pixels[:, :, [0, 2]] == 0).all()
    context = rec.latest_at("/world/camera/image", rr.AnnotationContext, **at)["context"]
    assert [(c["class_id"], c["label"], c["color"]) for c in context] == [
        (0, "background", 0x000000FF), (1, "person", 0xFF0000FF), (2, "car", 0x0000FFFF)]

    boxes = rec.latest_at("/world/camera/image/detections", rr.Boxes2D, **at)
    assert boxes["centers"].tolist() == [[16, 18], [40, 25]]  # XYWH -> centers, frame 2
    assert boxes["half_sizes"].tolist() == [[6, 10], [8, 5]]
    assert boxes["class_ids"].tolist() == [1, 2] and boxes["labels"] == ["person", "car"]
    kp = rec.latest_at("/world/camera/image/keypoints", rr.Points2D, **at)
    assert kp["positions"].tolist() == [[16, 10], [14, 18], [18, 18]]
    assert kp["keypoint_ids"].tolist() == [0, 1, 2] and kp["class_ids"].tolist() == [1, 1, 1]
    assert kp["colors"].tolist() == [0xFFFF00FF] * 3
    seg = rec.latest_at("/world/camera/image/segmentation", rr.SegmentationImage, **at)
    ids = np.frombuffer(seg["buffer"][0], dtype=np.uint8).reshape(48, 64)
    assert (ids == 1).sum() == 20 * 12 and (ids == 2).sum() == 10 * 16 and ids[25, 33] == 2

    points = rec.latest_at("/world/points", rr.Points3D, **at)
    assert points.num_instances == 100
    assert points["positions"].min() >= -5 and points["positions"].max() <= 5
    np.testing.assert_allclose(points["radii"], [0.02] * 100, rtol=1e-6)

    metrics = rec.view(index="frame", contents="/metrics/**").select().read_all()
    assert metrics["frame"].to_pylist() == [0, 1, 2]
    assert metrics["/metrics/latency_ms:Scalars:scalars"].to_pylist() == [[12.5], [13.5], [14.5]]
    assert metrics["/metrics/detections:Scalars:scalars"].to_pylist() == [[2.0]] * 3
    logs = rec.view(index="sensor_time", contents="/logs").select().read_all()
    assert logs["/logs:TextLog:text"].to_pylist() == [[f"frame {i}: 2 detections"] for i in range(3)]
    assert logs["/logs:TextLog:level"].to_pylist() == [["INFO"]] * 3
