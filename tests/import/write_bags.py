#!/usr/bin/python3
"""Writes the ROS 1 bags that reel's import tests read, with Debian's python3-rosbag and its
message packages (genpy serialization). Nothing here comes from reel.

Usage: /usr/bin/python3 write_bags.py OUT_DIR

Writes OUT_DIR/*.bag (chunk compression none, bz2 and lz4, and one bag left unclosed as a
recorder that lost power leaves it) and OUT_DIR/bags.json, which lists per bag every message in
file order: topic, type, time (integer nanoseconds, as a string), the byte position by which the
writer had put it into the file (`complete_at`) and its value as written, in the form reel's
Arrow conversion gives it (times as nanoseconds in a string, uint8/char arrays as
{"base64": ...}, 64-bit integers as strings). It also lists the chunks: their offset and the
messages each holds.
"""
import base64
import io
import json
import math
import os
import struct
import sys

import genpy
import rosbag
import rospy
from geometry_msgs.msg import Point, Pose, PoseStamped, Quaternion, Transform, TransformStamped
from geometry_msgs.msg import Vector3
from sensor_msgs.msg import Image, Imu, JointState, NavSatFix, NavSatStatus, PointCloud2
from sensor_msgs.msg import PointField
from std_msgs.msg import Header, String
from tf2_msgs.msg import TFMessage


def normalize(value, slot_type):
    """A value of a genpy field, as reel's Arrow conversion gives it."""
    base = slot_type.split("[")[0]
    if "[" in slot_type:
        if base in ("uint8", "char"):
            raw = value if isinstance(value, (bytes, bytearray)) else bytes(value)
            return {"base64": base64.b64encode(raw).decode()}
        return [normalize(v, base) for v in value]
    if base in ("time", "duration"):
        return str(value.secs * 1000000000 + value.nsecs)
    if base in ("int64", "uint64"):
        return str(value)
    if isinstance(value, genpy.Message):
        return {name: normalize(getattr(value, name), t)
                for name, t in zip(value.__slots__, value._slot_types)}
    if isinstance(value, bytes):
        return value.decode()
    return value


def header(seq, secs, nsecs, frame):
    return Header(seq=seq, stamp=rospy.Time(secs, nsecs), frame_id=frame)


def dataset():
    """(topic, time, message) in write order."""
    out = []
    for step in range(30):
        secs, nsecs = 1700000000, step * 10000000
        t = rospy.Time(secs, nsecs)
        imu = Imu(header=header(step, secs, nsecs, "imu_link"))
        imu.orientation = Quaternion(0, 0, math.sin(step / 10), math.cos(step / 10))
        imu.orientation_covariance = [k * 0.1 for k in range(9)]
        imu.angular_velocity = Vector3(0.01 * step, -0.02, 0.5)
        imu.angular_velocity_covariance = [-1.0] + [0.0] * 8
        imu.linear_acceleration = Vector3(0.1, 0.2, 9.81)
        imu.linear_acceleration_covariance = [0.001] * 9
        out.append(("/imu", t, imu))
        if step % 3 == 0:
            f = step // 3
            w, h = 8, 6
            img = Image(header=header(f, secs, nsecs + 1, "camera_optical"), height=h, width=w,
                        encoding="rgb8", is_bigendian=0, step=w * 3,
                        data=bytes(((k * 7 + f * 13) & 255) for k in range(w * h * 3)))
            out.append(("/camera/image_raw", rospy.Time(secs, nsecs + 1), img))
        if step % 5 == 0:
            f = step // 5
            n = 10
            data = b"".join(struct.pack("<ffff", k, -k * 0.5, f, k * 10) for k in range(n))
            cloud = PointCloud2(header=header(f, secs, nsecs + 2, "lidar"), height=1, width=n,
                                fields=[PointField("x", 0, PointField.FLOAT32, 1),
                                        PointField("y", 4, PointField.FLOAT32, 1),
                                        PointField("z", 8, PointField.FLOAT32, 1),
                                        PointField("intensity", 12, PointField.FLOAT32, 1)],
                                is_bigendian=False, point_step=16, row_step=16 * n, data=data,
                                is_dense=True)
            out.append(("/points", rospy.Time(secs, nsecs + 2), cloud))
        if step % 10 == 0:
            f = step // 10
            tfs = TFMessage(transforms=[
                TransformStamped(header=header(0, secs, nsecs, "map"), child_frame_id="base_link",
                                 transform=Transform(Vector3(f, 2 * f, 0),
                                                     Quaternion(0, 0, 0.6, 0.8))),
                TransformStamped(header=header(0, secs, nsecs, "base_link"),
                                 child_frame_id="camera_optical",
                                 transform=Transform(Vector3(0.1, 0, 0.3),
                                                     Quaternion(-0.5, 0.5, -0.5, 0.5))),
            ])
            out.append(("/tf", rospy.Time(secs, nsecs + 3), tfs))
            fix = NavSatFix(header=header(f, secs, nsecs + 4, "gps"),
                            status=NavSatStatus(status=NavSatStatus.STATUS_FIX,
                                                service=NavSatStatus.SERVICE_GPS),
                            latitude=48.8584 + f * 1e-5, longitude=2.2945, altitude=35.5,
                            position_covariance=[1, 0, 0, 0, 1, 0, 0, 0, 4],
                            position_covariance_type=NavSatFix.COVARIANCE_TYPE_DIAGONAL_KNOWN)
            out.append(("/gps", rospy.Time(secs, nsecs + 4), fix))
            joints = JointState(header=header(f, secs, nsecs + 5, ""),
                                name=["shoulder", "elbow", "wrist"],
                                position=[0.1 * f, -0.2, 0.3], velocity=[], effort=[1.0, 2.0, 3.0])
            out.append(("/joint_states", rospy.Time(secs, nsecs + 5), joints))
            out.append(("/chatter", rospy.Time(secs, nsecs + 6), String(data="héllo wörld %d" % f)))
            pose = PoseStamped(header=header(f, secs, nsecs + 7, "map"),
                               pose=Pose(Point(1.0, 2.0, 3.0), Quaternion(0, 0, 0, 1)))
            out.append(("/pose", rospy.Time(secs, nsecs + 7), pose))
    return out


def write_bag(out_dir, name, compression, close=True, messages_per_chunk=12):
    path = os.path.join(out_dir, name)
    bag = rosbag.Bag(path, "w", compression=compression)
    listed, pending, chunks = [], [], []

    def settle():
        # After flush() the chunk is on disk: its messages are complete at this position.
        bag.flush()
        bag._file.flush()
        pos = bag._file.tell()
        if pending:
            chunks.append({"offset": bag._chunks[-1].pos, "first_message": pending[0],
                           "message_count": len(pending)})
        for i in pending:
            listed[i]["complete_at"] = pos
        pending.clear()

    for topic, t, msg in dataset():
        bag.write(topic, msg, t)
        listed.append({"topic": topic, "type": msg._type, "time": str(t.to_nsec()),
                       "value": normalize(msg, msg._type)})
        pending.append(len(listed) - 1)
        if len(pending) == messages_per_chunk:
            settle()
    settle()
    if close:
        bag.close()
    else:
        # A recorder that lost power: chunks on disk, no index section, the bag header's
        # index_pos still 0. Leave the file as it is, without closing the bag.
        bag._file.flush()
        os.fsync(bag._file.fileno())
    size = os.path.getsize(path)
    return {"name": name, "format": "bag", "compression": compression, "closed": close,
            "size": size, "messages": listed, "chunks": chunks}


def write_seeds(seeds_dir):
    """cdr_fuzz seeds for the ROS 1 decoder: [2][schema length u16][type NUL definition][message]
    for the first message of every topic."""
    os.makedirs(seeds_dir, exist_ok=True)
    seen = set()
    for topic, _, msg in dataset():
        if topic in seen:
            continue
        seen.add(topic)
        schema = (msg._type + "\0" + msg._full_text).encode()
        if len(schema) > 65535:
            continue
        buf = io.BytesIO()
        msg.serialize(buf)
        with open(os.path.join(seeds_dir, "ros1" + topic.replace("/", "_") + ".bin"), "wb") as f:
            f.write(bytes([2, len(schema) & 255, len(schema) >> 8]) + schema + buf.getvalue())


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    if len(sys.argv) > 2:
        write_seeds(sys.argv[2])
    files = [write_bag(out_dir, "ros1_none.bag", "none"),
             write_bag(out_dir, "ros1_bz2.bag", "bz2"),
             write_bag(out_dir, "ros1_lz4.bag", "lz4"),
             write_bag(out_dir, "ros1_unclosed.bag", "lz4", close=False)]
    with open(os.path.join(out_dir, "bags.json"), "w") as f:
        json.dump({"files": files}, f)
    print("write_bags.py: wrote %d bags to %s" % (len(files), out_dir))
    os._exit(0)  # the unclosed bag must stay unclosed: no destructor may finish it


if __name__ == "__main__":
    main()
