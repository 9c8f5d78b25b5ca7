// Writes a large MCAP for measuring import speed (not a test): 30 fps 640x480 rgb8 images,
// 10 Hz point clouds of 20,000 points (x, y, z, intensity) and 100 Hz IMU, as sensor_msgs CDR
// in lz4 or zstd chunks of 4 MiB, with @mcap/core and Foxglove's serializers.
// Usage: node bench_mcap.mjs OUT.mcap SIZE_MB [lz4|zstd]
import fs from "node:fs";
import { McapWriter } from "@mcap/core";
import lz4 from "lz4js";
import * as zstd from "@foxglove/wasm-zstd";
import { stringify } from "@foxglove/rosmsg";
import { ros2jazzy } from "@foxglove/rosmsg-msgs-common";
import { MessageWriter } from "@foxglove/rosmsg2-serialization";

const [outPath, sizeArg, compression = "lz4"] = process.argv.slice(2);
const target = Number(sizeArg ?? 200) * 1e6;
await zstd.isLoaded;

function channel(type) {
  const seen = new Map();
  const visit = (n) => {
    if (seen.has(n)) return;
    seen.set(n, ros2jazzy[n]);
    for (const f of ros2jazzy[n].definitions) if (f.isComplex) visit(f.type);
  };
  visit(type);
  const defs = [...seen.values()];
  return { text: stringify(defs), writer: new MessageWriter(defs), name: type.replace("/", "/msg/") };
}

const fd = fs.openSync(outPath, "w");
let position = 0n;
const writable = {
  write: async (b) => { fs.writeSync(fd, b); position += BigInt(b.byteLength); },
  position: () => position,
};
const writer = new McapWriter({
  writable, useChunks: true, chunkSize: 4 << 20,
  compressChunk: compression === "zstd"
    ? (d) => ({ compression: "zstd", compressedData: zstd.compress(d, 1) })
    : (d) => ({ compression: "lz4", compressedData: lz4.compress(d) }),
});
await writer.start({ profile: "ros2", library: "bench_mcap.mjs" });
const ids = {};
const chans = { image: channel("sensor_msgs/Image"), cloud: channel("sensor_msgs/PointCloud2"), imu: channel("sensor_msgs/Imu") };
for (const [key, topic] of [["image", "/camera/image_raw"], ["cloud", "/lidar/points"], ["imu", "/imu"]]) {
  const schemaId = await writer.registerSchema({ name: chans[key].name, encoding: "ros2msg", data: new TextEncoder().encode(chans[key].text) });
  ids[key] = await writer.registerChannel({ topic, schemaId, messageEncoding: "cdr", metadata: new Map() });
}
const W = 640, H = 480;
const pixels = new Uint8Array(W * H * 3);
const points = 20000;
const cloud = new Float32Array(points * 4);
let seed = 12345;
const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 15;
let seq = 0, written = 0, tick = 0;
while (written < target) {
  const t = 1700000000n * 1000000000n + BigInt(tick) * 10000000n;  // 10 ms ticks
  const stamp = { sec: 1700000000 + Math.floor(tick / 100), nanosec: (tick % 100) * 10000000 };
  const add = async (key, msg) => {
    const data = chans[key].writer.writeMessage(msg);
    written += data.byteLength;
    await writer.addMessage({ channelId: ids[key], sequence: seq++, logTime: t, publishTime: t, data });
  };
  await add("imu", {
    header: { stamp, frame_id: "imu" }, orientation: { x: 0, y: 0, z: 0, w: 1 },
    orientation_covariance: new Float64Array(9), angular_velocity: { x: 0, y: 0, z: tick * 1e-3 },
    angular_velocity_covariance: new Float64Array(9), linear_acceleration: { x: 0, y: 0, z: 9.81 },
    linear_acceleration_covariance: new Float64Array(9),
  });
  if (tick % 10 === 0 || tick % 10 === 3 || tick % 10 === 6) {
    for (let y = 0; y < H; ++y) for (let x = 0; x < W; ++x) {
      const o = (y * W + x) * 3;
      pixels[o] = (x + tick) & 255; pixels[o + 1] = (y + noise()) & 255; pixels[o + 2] = ((x ^ y) + tick) & 255;
    }
    await add("image", { header: { stamp, frame_id: "camera" }, height: H, width: W, encoding: "rgb8",
                         is_bigendian: 0, step: W * 3, data: pixels });
  }
  if (tick % 10 === 5) {
    for (let k = 0; k < points; ++k) cloud.set([Math.cos(k) * 10, Math.sin(k) * 10, (k % 64) * 0.1, noise()], k * 4);
    await add("cloud", { header: { stamp, frame_id: "lidar" }, height: 1, width: points,
      fields: ["x", "y", "z", "intensity"].map((name, i) => ({ name, offset: i * 4, datatype: 7, count: 1 })),
      is_bigendian: false, point_step: 16, row_step: 16 * points, data: new Uint8Array(cloud.buffer), is_dense: true });
  }
  ++tick;
}
await writer.end();
fs.closeSync(fd);
console.log(`bench_mcap.mjs: ${outPath}: ${Number(position) / 1e6} MB, ${seq} messages, ${compression}`);
