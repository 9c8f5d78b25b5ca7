// Writes the MCAP files that reel's import tests read, with Foxglove's own libraries:
// @mcap/core (the writer), lz4js and @foxglove/wasm-zstd (chunk compression), @foxglove/rosmsg,
// @foxglove/ros2idl-parser and @foxglove/rosmsg-msgs-common (schemas), @foxglove/rosmsg2-
// serialization and @foxglove/cdr (CDR), @foxglove/schemas with protobufjs (Foxglove protobuf
// and JSON schemas). Nothing here comes from reel.
//
// Usage: node generate.mjs OUT_DIR
// Writes OUT_DIR/*.mcap and OUT_DIR/manifest.json, which lists per file every message in file
// order: topic, schema, times, the byte count from which @mcap/core's streaming reader returns
// it (`complete_at`: a reader of the file cut at that length must still yield it) and its value as
// written, in the form reel's Arrow conversion gives it (times as integer nanoseconds in a
// string, byte arrays as {"base64": ...}, 64-bit integers as strings). For indexed files it also
// lists the chunks (offset, length, the messages each holds), as @mcap/core's indexed reader sees
// them.
import fs from "node:fs";
import path from "node:path";
import { McapWriter, McapIndexedReader, McapStreamReader } from "@mcap/core";
import lz4 from "lz4js";
import * as zstd from "@foxglove/wasm-zstd";
import { parse as parseMsg, stringify } from "@foxglove/rosmsg";
import { parseRos2idl } from "@foxglove/ros2idl-parser";
import { ros2jazzy } from "@foxglove/rosmsg-msgs-common";
import { MessageWriter } from "@foxglove/rosmsg2-serialization";
import { CdrWriter, EncapsulationKind } from "@foxglove/cdr";
import {
  foxgloveMessageSchemas,
  foxgloveEnumSchemas,
  generateProto,
  generateJsonSchema,
} from "@foxglove/schemas/internal.js";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";

const out = process.argv[2];
const seeds = process.argv[3];  // optional: where cdr_fuzz seeds go
if (!out) throw new Error("usage: node generate.mjs OUT_DIR [CDR_FUZZ_SEEDS_DIR]");
fs.mkdirSync(out, { recursive: true });
await zstd.isLoaded;

// ---- writing ---------------------------------------------------------------------------------

class MemoryWritable {
  constructor() {
    this.parts = [];
    this.size = 0n;
  }
  async write(buffer) {
    this.parts.push(Buffer.from(buffer));
    this.size += BigInt(buffer.byteLength);
  }
  position() {
    return this.size;
  }
  bytes() {
    return Buffer.concat(this.parts);
  }
}

const compressors = {
  none: undefined,
  lz4: (data) => ({ compression: "lz4", compressedData: lz4.compress(data) }),
  zstd: (data) => ({ compression: "zstd", compressedData: zstd.compress(data, 3) }),
};

// Writes one MCAP file. `channels`: [{topic, schema: {name, encoding, data}, encoding}];
// `messages`: [{channel (index), log_time (bigint), data (Uint8Array), value}] in order.
async function writeMcap(name, { chunked, compression = "none", indexed, chunkSize = 4096 },
                         channels, messages) {
  const writable = new MemoryWritable();
  const writer = new McapWriter({
    writable,
    useChunks: chunked,
    chunkSize,
    compressChunk: chunked ? compressors[compression] : undefined,
    useStatistics: indexed,
    useSummaryOffsets: indexed,
    useChunkIndex: indexed,
    useMessageIndex: indexed,
    useAttachmentIndex: indexed,
    useMetadataIndex: indexed,
    repeatSchemas: indexed,
    repeatChannels: indexed,
  });
  await writer.start({ profile: "ros2", library: "reel import tests (@mcap/core)" });
  const ids = [];
  for (const ch of channels) {
    const schemaId = await writer.registerSchema(ch.schema);
    ids.push(
      await writer.registerChannel({
        topic: ch.topic,
        schemaId,
        messageEncoding: ch.encoding,
        metadata: new Map([["origin", "generate.mjs"]]),
      }),
    );
  }
  const listed = [];
  let seq = 0;
  if (seeds) writeSeeds(name, channels, messages);
  for (const m of messages) {
    const entry = {
      topic: channels[m.channel].topic,
      schema: channels[m.channel].schema.name,
      log_time: String(m.log_time),
      publish_time: String(m.log_time + 5n),
      sequence: seq,
      size: m.data.byteLength,
      value: m.value,
    };
    await writer.addMessage({
      channelId: ids[m.channel],
      sequence: seq++,
      logTime: m.log_time,
      publishTime: m.log_time + 5n,
      data: m.data,
    });
    listed.push(entry);
  }
  await writer.addAttachment({
    name: "calibration.txt",
    logTime: 1n,
    createTime: 2n,
    mediaType: "text/plain",
    data: new TextEncoder().encode("fx=500 fy=500"),
  });
  await writer.addMetadata({ name: "robot", metadata: new Map([["serial", "R2-D2"]]) });
  await writer.end();
  const bytes = writable.bytes();
  // Where each message becomes readable: the byte count after which @mcap/core's streaming
  // reader, fed the file byte by byte, returns it (the end of its record, or of its chunk).
  const ends = completeOffsets(bytes);
  if (ends.length !== listed.length) throw new Error(name + ": the stream reader found " + ends.length + " messages");
  listed.forEach((m, i) => (m.complete_at = ends[i]));
  fs.writeFileSync(path.join(out, name), bytes);
  const file = {
    name,
    format: "mcap",
    chunked,
    compression,
    indexed,
    size: bytes.length,
    messages: listed,
  };
  if (indexed && chunked) file.chunks = await chunksOf(bytes, listed);
  return file;
}

function completeOffsets(bytes) {
  const reader = new McapStreamReader({
    decompressHandlers: {
      lz4: (data, size) => lz4.decompress(data, Number(size)),
      zstd: (data, size) => zstd.decompress(data, Number(size)),
    },
  });
  const ends = [];
  for (let i = 0; i < bytes.length; ++i) {
    reader.append(bytes.subarray(i, i + 1));
    for (let r; (r = reader.nextRecord()); ) if (r.type === "Message") ends.push(i + 1);
  }
  return ends;
}

// cdr_fuzz seeds: [kind][schema length u16][name NUL text][message], for the first two
// messages of every CDR channel (kind 0: ros2msg, 1: ros2idl).
function writeSeeds(file, channels, messages) {
  fs.mkdirSync(seeds, { recursive: true });
  channels.forEach((ch, c) => {
    if (ch.encoding !== "cdr") return;
    const schema = Buffer.concat([Buffer.from(ch.schema.name + "\0"), Buffer.from(ch.schema.data)]);
    if (schema.length > 65535) return;
    messages.filter((m) => m.channel === c).slice(0, 2).forEach((m, k) => {
      const head = Buffer.from([ch.schema.encoding === "ros2idl" ? 1 : 0, schema.length & 255, schema.length >> 8]);
      const topic = ch.topic.replace(/\W/g, "_");
      fs.writeFileSync(path.join(seeds, `${file}${topic}_${k}.bin`), Buffer.concat([head, schema, Buffer.from(m.data)]));
    });
  });
}

// The chunks as @mcap/core's indexed reader sees them, with the messages each holds (matched
// by log time and channel through the message indexes).
async function chunksOf(bytes, listed) {
  const readable = {
    size: async () => BigInt(bytes.length),
    read: async (offset, size) => new Uint8Array(bytes.buffer, bytes.byteOffset + Number(offset), Number(size)),
  };
  const reader = await McapIndexedReader.Initialize({ readable });
  const chunks = [];
  let next = 0;
  for (const ci of reader.chunkIndexes) {
    let count = 0;
    // Count the messages of this chunk: their log times lie in its range, in file order.
    const first = next;
    while (next < listed.length && BigInt(listed[next].log_time) <= ci.messageEndTime &&
           BigInt(listed[next].log_time) >= ci.messageStartTime) {
      ++next;
      ++count;
    }
    chunks.push({
      offset: Number(ci.chunkStartOffset),
      length: Number(ci.chunkLength),
      compression: ci.compression,
      first_message: first,
      message_count: count,
    });
  }
  if (next !== listed.length) throw new Error("chunk ranges do not cover the messages");
  return chunks;
}

// ---- normalization: the written values as reel's Arrow conversion must give them ----------

const b64 = (bytes) => ({ base64: Buffer.from(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length).toString("base64") });
const ns = (sec, nsec) => String(BigInt(sec) * 1000000000n + BigInt(nsec));

// ROS 2 definitions (as @foxglove/rosmsg parses them) -> a normalizer.
function rosNormalizer(definitions) {
  const byName = new Map(definitions.map((d) => [d.name ?? "", d]));
  const root = definitions[0];
  const scalar = (f, v) => {
    // ros2idl definitions spell the builtin times out as messages.
    if (f.isComplex && /^builtin_interfaces\/(msg\/)?(Time|Duration)$/.test(f.type)) return ns(v.sec, v.nanosec ?? v.nsec);
    if (f.isComplex) return norm(byName.get(f.type), v);
    if (f.type === "time" || f.type === "duration") return ns(v.sec, v.nanosec ?? v.nsec);
    if (f.type === "int64" || f.type === "uint64") return String(v);
    return v;
  };
  const norm = (def, obj) => {
    const o = {};
    for (const f of def.definitions) {
      if (f.isConstant) continue;
      const v = obj[f.name];
      if (f.isArray) {
        o[f.name] = ["uint8", "byte", "char"].includes(f.type) ? b64(v) : Array.from(v, (e) => scalar(f, e));
      } else {
        o[f.name] = scalar(f, v);
      }
    }
    return o;
  };
  return (obj) => norm(root, obj);
}

// ---- ROS 2 --------------------------------------------------------------------------------

// The definition of a standard ROS 2 type and its dependencies, and its ros2msg text.
function ros2Standard(type) {
  const seen = new Map();
  const visit = (name) => {
    const d = ros2jazzy[name];
    if (!d) throw new Error("no definition of " + name);
    if (seen.has(name)) return;
    seen.set(name, d);
    for (const f of d.definitions) if (f.isComplex) visit(f.type);
  };
  visit(type);
  const defs = [...seen.values()];
  return { defs, text: stringify(defs) };
}

function ros2Channel(topic, type) {
  const { defs, text } = ros2Standard(type);
  const name = type.replace("/", "/msg/");
  return {
    topic,
    encoding: "cdr",
    schema: { name, encoding: "ros2msg", data: new TextEncoder().encode(text) },
    writer: new MessageWriter(defs),
    normalize: rosNormalizer(defs),
  };
}

// A message exercising every field kind of .msg files, in the text form rosbag2 writes
// (builtin_interfaces spelled out, with their definitions appended).
const kitchenText = `# Every field kind the decoders handle.
int32 ANSWER=42
string GREETING="hello"
float64 RATIO=0.25
bool flag
int8 small -3
uint8 tiny
int16 medium
int64 big        # aligned to 8 after an int16
uint64 huge
float32 ratio 0.5
float64 precise
char letter
byte octet
string name "default name"
string<=8 short_name
float64[3] triple [1.0, 2.0, 3.0]
int32[<=4] bounded
float64[] empty_doubles
uint8 after_empty
bool[] flags
string[] words
string<=5[<=3] short_words
custom_msgs/Item[] items
Item single
builtin_interfaces/Time stamp
builtin_interfaces/Duration span
int64[] longs
uint16[2] pair
uint8[4] quad
================================================================================
MSG: custom_msgs/Item
string label
float32 weight
uint8[] blob
int32[2] coords
================================================================================
MSG: builtin_interfaces/Time
int32 sec
uint32 nanosec
================================================================================
MSG: builtin_interfaces/Duration
int32 sec
uint32 nanosec
`;

function kitchenValue(i) {
  return {
    flag: i % 2 === 0,
    small: -3 - i,
    tiny: 200 + i,
    medium: -1234 + i,
    big: -(2n ** 40n) - BigInt(i),
    huge: 2n ** 63n + BigInt(i),
    ratio: 0.1 * (i + 1),
    precise: Math.PI * (i + 1),
    letter: 65 + i,
    octet: 255 - i,
    name: `kitchen ${i}`,  // ASCII: @foxglove/cdr 3.5 sizes strings by UTF-16 length
    short_name: "abc",
    triple: [1.5, 2.5, 3.5 + i],
    bounded: Int32Array.from({ length: i % 5 }, (_, k) => k * 10 - 7),
    empty_doubles: new Float64Array(0),
    after_empty: 7,
    flags: [true, false, i % 2 === 1],
    words: ["alpha", "", "gamma " + i],
    short_words: ["ab", "cde"],
    items: Array.from({ length: i % 3 }, (_, k) => ({
      label: `item${k}`,
      weight: 0.5 * k,
      blob: Uint8Array.from({ length: k * 3 }, (_, j) => (j * 31 + k) & 255),
      coords: Int32Array.from([k, -k]),
    })),
    single: { label: "single", weight: -1.25, blob: new Uint8Array([1, 2, 3]), coords: Int32Array.from([9, 8]) },
    stamp: { sec: 1700000000 + i, nanosec: 123456789 },
    span: { sec: -2, nanosec: 500 },
    longs: BigInt64Array.from([1n, -(2n ** 62n), BigInt(i)]),
    pair: Uint16Array.from([65535, i]),
    quad: Uint8Array.from([i, i + 1, i + 2, 250]),
  };
}

function kitchenChannel() {
  const defs = parseMsg(kitchenText, { ros2: true });
  return {
    topic: "/kitchen",
    encoding: "cdr",
    schema: { name: "custom_msgs/msg/Kitchen", encoding: "ros2msg", data: new TextEncoder().encode(kitchenText) },
    writer: new MessageWriter(defs),
    normalize: rosNormalizer(defs),
  };
}

const readingIdl = `================================================================================
IDL: custom_msgs/msg/Reading
// generated from rosidl_adapter/resource/msg.idl.em
// with input from custom_msgs/msg/Reading.msg

#include "custom_msgs/msg/Sample.idl"
#include "std_msgs/msg/Header.idl"

module custom_msgs {
  module msg {
    module Reading_Constants {
      const uint8 MODE_IDLE = 0;
      const uint8 MODE_ACTIVE = 1;
      const string UNIT = "celsius";
    };
    typedef double double__9[9];
    @verbatim (language="comment", text=
      "A sensor reading." "\\n"
      "With a comment; on two lines.")
    struct Reading {
      std_msgs::msg::Header header;

      @default (value=1)
      uint8 mode;

      double__9 covariance;

      sequence<float, 16> samples;

      sequence<custom_msgs::msg::Sample> history;

      string<32> label;

      boolean ok;

      int64 counter;

      uint16 codes[3];
    };
  };
};

================================================================================
IDL: custom_msgs/msg/Sample
module custom_msgs {
  module msg {
    struct Sample {
      int32 id;
      double value;
      string note;
    };
  };
};

================================================================================
IDL: std_msgs/msg/Header
#include "builtin_interfaces/msg/Time.idl"

module std_msgs {
  module msg {
    @verbatim (language="comment", text=
      "Standard metadata for higher-level stamped data types.")
    struct Header {
      builtin_interfaces::msg::Time stamp;

      string frame_id;
    };
  };
};

================================================================================
IDL: builtin_interfaces/msg/Time
module builtin_interfaces {
  module msg {
    struct Time {
      int32 sec;

      uint32 nanosec;
    };
  };
};
`;

function readingChannel() {
  const all = parseRos2idl(readingIdl).filter((d) => !d.name.endsWith("_Constants"));
  const root = all.find((d) => d.name === "custom_msgs/msg/Reading");
  const defs = [root, ...all.filter((d) => d !== root)];
  return {
    topic: "/reading",
    encoding: "cdr",
    schema: { name: "custom_msgs/msg/Reading", encoding: "ros2idl", data: new TextEncoder().encode(readingIdl) },
    writer: new MessageWriter(defs),
    normalize: rosNormalizer(defs),
  };
}

function readingValue(i) {
  return {
    // @foxglove/ros2idl-parser names builtin_interfaces/msg/Time's nanosec "nsec".
    header: { stamp: { sec: 1700000100 + i, nsec: i * 1000 }, frame_id: "sensor_" + i },
    mode: i % 2,
    covariance: Float64Array.from({ length: 9 }, (_, k) => k * 0.5 + i),
    samples: Float32Array.from({ length: i % 4 }, (_, k) => k + 0.25),
    history: Array.from({ length: 2 }, (_, k) => ({ id: k - i, value: k * 1.5, note: `n${k}` })),
    label: "reading",
    ok: i % 3 === 0,
    counter: BigInt(i) * 1000000000000n,
    codes: Uint16Array.from([1, 2, 3 + i]),
  };
}

// Images, point clouds, IMU and transforms in ROS 2 standard types, and the kitchen sink.
function ros2Dataset() {
  const channels = [
    ros2Channel("/camera/image_raw", "sensor_msgs/Image"),
    ros2Channel("/points", "sensor_msgs/PointCloud2"),
    ros2Channel("/imu", "sensor_msgs/Imu"),
    ros2Channel("/tf", "tf2_msgs/TFMessage"),
    kitchenChannel(),
  ];
  const values = [];
  const t0 = 1700000000n * 1000000000n;
  for (let step = 0; step < 30; ++step) {
    const t = t0 + BigInt(step) * 10000000n;  // 100 Hz
    const sec = 1700000000 + Math.floor(step / 100);
    const nanosec = (step % 100) * 10000000;
    values.push([2, t, {
      header: { stamp: { sec, nanosec }, frame_id: "imu_link" },
      orientation: { x: 0, y: 0, z: Math.sin(step / 10), w: Math.cos(step / 10) },
      orientation_covariance: Array.from({ length: 9 }, (_, k) => k * 0.1),
      angular_velocity: { x: 0.01 * step, y: -0.02, z: 0.5 },
      angular_velocity_covariance: Array.from({ length: 9 }, (_, k) => (k === 0 ? -1 : 0)),
      linear_acceleration: { x: 0.1, y: 0.2, z: 9.81 },
      linear_acceleration_covariance: Array.from({ length: 9 }, () => 0.001),
    }]);
    if (step % 3 === 0) {
      const f = step / 3;
      const width = 8, height = 6;
      values.push([0, t + 1n, {
        header: { stamp: { sec, nanosec: nanosec + 1 }, frame_id: "camera_optical" },
        height, width, encoding: "rgb8", is_bigendian: 0, step: width * 3,
        data: Uint8Array.from({ length: width * height * 3 }, (_, k) => (k * 7 + f * 13) & 255),
      }]);
    }
    if (step % 5 === 0) {
      const f = step / 5;
      const n = 10;
      const floats = new Float32Array(n * 4);
      for (let k = 0; k < n; ++k) floats.set([k, -k * 0.5, f, k * 10], k * 4);
      values.push([1, t + 2n, {
        header: { stamp: { sec, nanosec: nanosec + 2 }, frame_id: "lidar" },
        height: 1, width: n,
        fields: [
          { name: "x", offset: 0, datatype: 7, count: 1 },
          { name: "y", offset: 4, datatype: 7, count: 1 },
          { name: "z", offset: 8, datatype: 7, count: 1 },
          { name: "intensity", offset: 12, datatype: 7, count: 1 },
        ],
        is_bigendian: false, point_step: 16, row_step: 16 * n,
        data: new Uint8Array(floats.buffer), is_dense: true,
      }]);
    }
    if (step % 10 === 0) {
      const f = step / 10;
      values.push([3, t + 3n, {
        transforms: [
          { header: { stamp: { sec, nanosec }, frame_id: "map" }, child_frame_id: "base_link",
            transform: { translation: { x: f, y: 2 * f, z: 0 }, rotation: { x: 0, y: 0, z: 0.6, w: 0.8 } } },
          { header: { stamp: { sec, nanosec }, frame_id: "base_link" }, child_frame_id: "camera_optical",
            transform: { translation: { x: 0.1, y: 0, z: 0.3 }, rotation: { x: -0.5, y: 0.5, z: -0.5, w: 0.5 } } },
        ],
      }]);
      values.push([4, t + 4n, kitchenValue(f)]);
    }
  }
  const messages = values.map(([channel, log_time, value]) => ({
    channel,
    log_time,
    data: channels[channel].writer.writeMessage(value),
    value: channels[channel].normalize(value),
  }));
  return { channels, messages };
}

// A hand-serialized big-endian CDR message (CdrWriter with CDR_BE).
function bigEndianDataset() {
  const text = `int16 a
float64 b
string c
float32[] d
uint8 e
int64 f
builtin_interfaces/Time t
================================================================================
MSG: builtin_interfaces/Time
int32 sec
uint32 nanosec
`;
  const channel = { topic: "/big_endian", encoding: "cdr",
    schema: { name: "custom_msgs/msg/Mixed", encoding: "ros2msg", data: new TextEncoder().encode(text) } };
  const messages = [];
  for (let i = 0; i < 3; ++i) {
    const w = new CdrWriter({ kind: EncapsulationKind.CDR_BE });
    const d = Float32Array.from({ length: i + 1 }, (_, k) => k * 0.75 - i);
    w.int16(-300 + i);
    w.float64(1e-3 * (i + 1));
    w.string("big endian " + i);
    w.sequenceLength(d.length);
    for (const x of d) w.float32(x);
    w.uint8(i + 1);
    w.int64(-(10n ** 15n) * BigInt(i + 1));
    w.int32(-5 + i);
    w.uint32(999999999);
    messages.push({
      channel: 0,
      log_time: 1000n + BigInt(i),
      data: w.data,
      value: { a: -300 + i, b: 1e-3 * (i + 1), c: "big endian " + i, d: Array.from(d), e: i + 1,
               f: String(-(10n ** 15n) * BigInt(i + 1)), t: ns(-5 + i, 999999999) },
    });
  }
  return { channels: [channel], messages };
}

// ---- Foxglove schemas: protobuf and JSON ------------------------------------------------------

function foxgloveValues() {
  const img = (i) => ({
    timestamp: { sec: 1700000200 + i, nsec: 42 + i },
    frame_id: "cam",
    width: 4,
    height: 2,
    encoding: "mono8",
    step: 4,
    data: Uint8Array.from({ length: 8 }, (_, k) => (k * 29 + i) & 255),
  });
  const cloud = (i) => {
    const floats = Float32Array.from({ length: 9 }, (_, k) => k + i * 0.5);
    return {
      timestamp: { sec: 1700000300 + i, nsec: 0 },
      frame_id: "lidar",
      pose: { position: { x: 1, y: 2, z: 3 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
      point_stride: 12,
      fields: [
        { name: "x", offset: 0, type: 7 },
        { name: "y", offset: 4, type: 7 },
        { name: "z", offset: 8, type: 7 },
      ],
      data: new Uint8Array(floats.buffer),
    };
  };
  const tf = (i) => ({
    timestamp: { sec: 1700000400 + i, nsec: 7 },
    parent_frame_id: "world",
    child_frame_id: "robot_" + i,
    translation: { x: i, y: -i, z: 0.5 },
    rotation: { x: 0, y: 0, z: 0.7071067811865476, w: 0.7071067811865476 },
  });
  const fix = (i) => ({
    timestamp: { sec: 1700000500 + i, nsec: 1 },
    frame_id: "gps",
    latitude: 48.8584 + i * 1e-5,
    longitude: 2.2945,
    altitude: 35.5,
    position_covariance: [1, 0, 0, 0, 1, 0, 0, 0, 4],
    position_covariance_type: 2,
    color: { r: 1, g: 0, b: 0, a: 1 },
  });
  const log = (i) => ({
    timestamp: { sec: 1700000600 + i, nsec: 0 },
    level: 2 + (i % 3),
    message: "motor " + i + " ok",
    name: "driver",
    file: "motor.cpp",
    line: 100 + i,
  });
  return [
    ["RawImage", img], ["PointCloud", cloud], ["FrameTransform", tf], ["LocationFix", fix], ["Log", log],
  ];
}

// foxglove.* values (as above) -> the normalized form, by the protobuf field types.
function pbNormalize(type, obj) {
  const o = {};
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    const one = (x) => {
      if (f.resolvedType instanceof protobuf.Type) {
        if (f.resolvedType.fullName === ".google.protobuf.Timestamp") return ns(x.sec, x.nsec);
        return pbNormalize(f.resolvedType, x);
      }
      if (f.type === "bytes") return b64(x);
      if (["int64", "uint64", "fixed64", "sfixed64", "sint64"].includes(f.type)) return String(x);
      return x;
    };
    if (v === undefined) {
      o[f.name] = f.repeated ? [] : null;  // repeated fields have no presence: empty
    } else {
      o[f.name] = f.repeated ? v.map(one) : one(v);
    }
  }
  return o;
}

function pbInput(type, obj) {
  const o = {};
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    if (v === undefined) continue;
    const one = (x) => {
      if (f.resolvedType instanceof protobuf.Type) {
        if (f.resolvedType.fullName === ".google.protobuf.Timestamp") return { seconds: x.sec, nanos: x.nsec };
        return pbInput(f.resolvedType, x);
      }
      return x;
    };
    o[f.name] = f.repeated ? v.map(one) : one(v);
  }
  return o;
}

function protobufDataset() {
  const root = new protobuf.Root();
  protobuf.parse(
    `syntax = "proto3"; package google.protobuf;
     message Timestamp { int64 seconds = 1; int32 nanos = 2; }
     message Duration { int64 seconds = 1; int32 nanos = 2; }`,
    root, { keepCase: true });
  for (const s of Object.values(foxgloveMessageSchemas)) {
    const enums = Object.values(foxgloveEnumSchemas).filter((e) => e.parentSchemaName === s.name);
    protobuf.parse(generateProto(s, enums), root, { keepCase: true });
  }
  root.resolveAll();
  const set = root.toDescriptor("proto3");
  // protobufjs does not record that the foxglove file uses google.protobuf's: libprotobuf (as
  // protoc would have written it) needs the dependency listed.
  for (const file of set.file) {
    if (file.package !== "google.protobuf") file.dependency = ["google_protobuf.proto"];
  }
  const fds = descriptor.FileDescriptorSet.encode(set).finish();
  const channels = [];
  const messages = [];
  for (const [name, make] of foxgloveValues()) {
    const type = root.lookupType("foxglove." + name);
    const channel = channels.length;
    channels.push({ topic: "/pb/" + name, encoding: "protobuf",
                    schema: { name: "foxglove." + name, encoding: "protobuf", data: fds } });
    for (let i = 0; i < 3; ++i) {
      const v = make(i);
      messages.push({
        channel,
        log_time: 2000n + BigInt(messages.length),
        data: type.encode(type.fromObject(pbInput(type, v))).finish(),
        value: pbNormalize(type, v),
      });
    }
  }
  return { channels, messages };
}

function jsonDataset() {
  const channels = [];
  const messages = [];
  for (const [name, make] of foxgloveValues()) {
    const schema = generateJsonSchema(foxgloveMessageSchemas[name]);
    const channel = channels.length;
    channels.push({ topic: "/json/" + name, encoding: "json",
                    schema: { name: "foxglove." + name, encoding: "jsonschema",
                              data: new TextEncoder().encode(JSON.stringify(schema)) } });
    for (let i = 0; i < 3; ++i) {
      const v = make(i);
      const wire = {};
      const value = {};
      for (const [k, x] of Object.entries(v)) {
        if (x instanceof Uint8Array) {
          wire[k] = Buffer.from(x).toString("base64");
          value[k] = b64(x);
        } else if (k === "timestamp") {
          wire[k] = x;
          value[k] = ns(x.sec, x.nsec);
        } else {
          wire[k] = x;
          value[k] = x;
        }
      }
      messages.push({ channel, log_time: 3000n + BigInt(messages.length),
                      data: new TextEncoder().encode(JSON.stringify(wire)), value });
    }
  }
  // Schemaless JSON: one text column.
  channels.push({ topic: "/json/free", encoding: "json", schema: { name: "free", encoding: "", data: new Uint8Array() } });
  const text = '{"any": [1, "two", {"three": 3}]}';
  messages.push({ channel: channels.length - 1, log_time: 4000n, data: new TextEncoder().encode(text),
                  value: { json: text } });
  return { channels, messages };
}

// Standard ROS 2 types the importer maps to archetypes, one channel each (mapping tests).
function mappedDataset() {
  const channels = [
    ros2Channel("/camera/camera_info", "sensor_msgs/CameraInfo"),
    ros2Channel("/camera/compressed", "sensor_msgs/CompressedImage"),
    ros2Channel("/scan", "sensor_msgs/LaserScan"),
    ros2Channel("/colored_points", "sensor_msgs/PointCloud2"),
    ros2Channel("/joint_states", "sensor_msgs/JointState"),
    ros2Channel("/fix", "sensor_msgs/NavSatFix"),
    ros2Channel("/battery", "sensor_msgs/BatteryState"),
    ros2Channel("/odom", "nav_msgs/Odometry"),
    ros2Channel("/map", "nav_msgs/OccupancyGrid"),
    ros2Channel("/plan", "nav_msgs/Path"),
    ros2Channel("/goal", "geometry_msgs/PoseStamped"),
    ros2Channel("/cmd_vel", "geometry_msgs/Twist"),
    ros2Channel("/speed", "std_msgs/Float64"),
    ros2Channel("/status", "std_msgs/String"),
    ros2Channel("/tf_static", "tf2_msgs/TFMessage"),
    ros2Channel("/depth", "sensor_msgs/Image"),
    ros2Channel("/padded", "sensor_msgs/Image"),
    ros2Channel("/markers", "visualization_msgs/MarkerArray"),
  ];
  const values = [];
  const t0 = 1700001000n * 1000000000n;
  const header = (i, frame) => ({ stamp: { sec: 1700001000 + i, nanosec: 1000 * i }, frame_id: frame });
  const pose = (x, y, z) => ({ position: { x, y, z }, orientation: { x: 0, y: 0, z: 0.6, w: 0.8 } });
  values.push([14, t0, { transforms: [
    { header: header(0, "base_link"), child_frame_id: "lidar",
      transform: { translation: { x: 0.5, y: 0, z: 1.25 }, rotation: { x: 0, y: 0, z: 0, w: 1 } } },
    { header: header(0, "base_link"), child_frame_id: "camera_optical",
      transform: { translation: { x: 0.25, y: -0.125, z: 1 }, rotation: { x: -0.5, y: 0.5, z: -0.5, w: 0.5 } } },
  ] }]);
  // Markers: a cube, a sphere, a line strip and points (their points in the marker's pose),
  // a text, then a DELETE of the cube.
  const marker = (i, ns, id, type, action, extra = {}) => ({
    header: header(i, "map"), ns, id, type, action,
    pose: { position: { x: 1 + i, y: 2, z: 3 }, orientation: { x: 0, y: 0, z: 0.6, w: 0.8 } },
    scale: { x: 0.5, y: 1, z: 2 }, color: { r: 1, g: 0.5, b: 0, a: 1 },
    lifetime: { sec: 0, nanosec: 0 }, frame_locked: false, points: [], colors: [],
    texture_resource: "", texture: { header: header(i, ""), format: "", data: new Uint8Array(0) },
    uv_coordinates: [], text: "", mesh_resource: "", mesh_file: { filename: "", data: new Uint8Array(0) },
    mesh_use_embedded_materials: false, ...extra,
  });
  for (let i = 0; i < 3; ++i) {
    const t = t0 + BigInt(i + 1) * 100000000n;
    values.push([0, t, {
      header: header(i, "camera_optical"), height: 480, width: 640, distortion_model: "plumb_bob",
      d: [0.1, -0.2, 0, 0, 0], k: [500 + i, 0, 320.5, 0, 501, 240.25, 0, 0, 1],
      r: [1, 0, 0, 0, 1, 0, 0, 0, 1], p: [500, 0, 320, 0, 0, 500, 240, 0, 0, 0, 1, 0],
      binning_x: 0, binning_y: 0, roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
    }]);
    values.push([1, t + 1n, {
      header: header(i, "camera_optical"), format: i === 2 ? "png" : "jpeg",
      data: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, i, 1, 2, 3]),
    }]);
    values.push([2, t + 2n, {
      header: header(i, "laser"), angle_min: -Math.PI / 2, angle_max: Math.PI / 2,
      angle_increment: Math.PI / 4, time_increment: 0, scan_time: 0.1, range_min: 0.5, range_max: 10,
      ranges: Float32Array.from([1, 2, 0.25, 25, 4 + i]), intensities: Float32Array.from([10, 20, 30, 40, 50]),
    }]);
    {
      const n = 4;
      const buf = new ArrayBuffer(n * 20);
      const dv = new DataView(buf);
      for (let k = 0; k < n; ++k) {
        dv.setFloat32(k * 20, k + i, true);
        dv.setFloat32(k * 20 + 4, -k, true);
        dv.setFloat32(k * 20 + 8, 0.5 * k, true);
        // PCL's packed rgb: 0x00RRGGBB in a float32's bytes.
        dv.setUint32(k * 20 + 12, (((k * 60) & 255) << 16) | ((100 + i) << 8) | (200 - k), true);
        dv.setUint16(k * 20 + 16, 1000 + k, true);
      }
      values.push([3, t + 3n, {
        header: header(i, "lidar"), height: 1, width: n,
        fields: [
          { name: "x", offset: 0, datatype: 7, count: 1 }, { name: "y", offset: 4, datatype: 7, count: 1 },
          { name: "z", offset: 8, datatype: 7, count: 1 }, { name: "rgb", offset: 12, datatype: 7, count: 1 },
          { name: "ring", offset: 16, datatype: 4, count: 1 },
        ],
        is_bigendian: false, point_step: 20, row_step: 20 * n, data: new Uint8Array(buf), is_dense: true,
      }]);
    }
    values.push([4, t + 4n, {
      header: header(i, ""), name: i === 2 ? ["elbow", "shoulder"] : ["shoulder", "elbow"],
      position: i === 2 ? [0.5, 0.25] : [0.125 * i, -1.5], velocity: [], effort: [3, 4],
    }]);
    values.push([5, t + 5n, {
      header: header(i, "gps"), status: { status: 0, service: 1 },
      latitude: 48.8584 + i * 1e-4, longitude: 2.2945 - i * 1e-4, altitude: 35 + i,
      position_covariance: [1, 0, 0, 0, 1, 0, 0, 0, 4], position_covariance_type: 2,
    }]);
    values.push([6, t + 6n, {
      header: header(i, "battery"), voltage: 12.5 - i, temperature: 30, current: -1.5, charge: 2,
      capacity: 4, design_capacity: 5, percentage: 0.75, power_supply_status: 2, power_supply_health: 1,
      power_supply_technology: 3, present: true, cell_voltage: [4.1, 4.2], cell_temperature: [], location: "slot0",
      serial_number: "B-1",
    }]);
    values.push([7, t + 7n, {
      header: header(i, "odom"), child_frame_id: "base_link",
      pose: { pose: pose(i, 2 * i, 0), covariance: new Float64Array(36) },
      twist: { twist: { linear: { x: 0.5, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.25 * i } }, covariance: new Float64Array(36) },
    }]);
    if (i === 0) {
      values.push([8, t + 8n, {
        header: header(i, "map"),
        info: { map_load_time: { sec: 1, nanosec: 2 }, resolution: 0.05, width: 3, height: 2, origin: pose(0, 0, 0) },
        data: Int8Array.from([0, 100, -1, 50, 0, 0]),
      }]);
    }
    values.push([9, t + 9n, {
      header: header(i, "map"),
      poses: Array.from({ length: i + 2 }, (_, k) => ({ header: header(i, "map"), pose: pose(k, -k, 0.25 * i) })),
    }]);
    values.push([10, t + 10n, { header: header(i, "map"), pose: pose(1 + i, 2, 3) }]);
    values.push([11, t + 11n, { linear: { x: 1 + i, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.5 } }]);
    values.push([12, t + 12n, { data: 3.25 * i }]);
    values.push([13, t + 13n, { data: "status " + i }]);
    {
      const w = 3, h = 2;
      const depth = Uint16Array.from({ length: w * h }, (_, k) => 1000 * i + k);
      values.push([15, t + 14n, {
        header: header(i, "camera_optical"), height: h, width: w, encoding: "16UC1", is_bigendian: 0,
        step: w * 2, data: new Uint8Array(depth.buffer),
      }]);
      // Rows padded to 8 bytes: 3 rgb8 pixels (9 bytes) in a step of 12.
      const step = 12;
      values.push([16, t + 15n, {
        header: header(i, "camera_optical"), height: h, width: w, encoding: "rgb8", is_bigendian: 0,
        step, data: Uint8Array.from({ length: step * h }, (_, k) => (k * 11 + i) & 255),
      }]);
    }
    if (i < 2) values.push([17, t + 16n, { markers: i === 0 ? [
      marker(i, "shapes", 1, 1, 0),
      marker(i, "shapes", 2, 2, 0),
      marker(i, "lines", 1, 4, 0, { points: [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }] }),
      marker(i, "", 7, 8, 0, { points: [{ x: 0, y: 0, z: 1 }], colors: [{ r: 0, g: 0, b: 1, a: 0.5 }] }),
      marker(i, "labels", 1, 9, 0, { text: "dock" }),
    ] : [marker(i, "shapes", 1, 1, 2)] }]);
  }
  const messages = values.map(([channel, log_time, value]) => ({
    channel,
    log_time,
    data: channels[channel].writer.writeMessage(value),
    value: channels[channel].normalize(value),
  }));
  return { channels, messages };
}

// ---- the files ---------------------------------------------------------------------------------

const files = [];
const ros2 = ros2Dataset();
files.push(await writeMcap("ros2_lz4.mcap", { chunked: true, compression: "lz4", indexed: true }, ros2.channels, ros2.messages));
files.push(await writeMcap("ros2_zstd.mcap", { chunked: true, compression: "zstd", indexed: true }, ros2.channels, ros2.messages));
files.push(await writeMcap("ros2_chunks_plain.mcap", { chunked: true, compression: "none", indexed: false }, ros2.channels, ros2.messages));
files.push(await writeMcap("ros2_unchunked.mcap", { chunked: false, indexed: false }, ros2.channels, ros2.messages));
{
  const ch = readingChannel();
  const messages = Array.from({ length: 6 }, (_, i) => ({
    channel: 0, log_time: 5000n + BigInt(i), data: ch.writer.writeMessage(readingValue(i)),
    value: ch.normalize(readingValue(i)) }));
  files.push(await writeMcap("ros2_idl.mcap", { chunked: true, compression: "lz4", indexed: true, chunkSize: 256 }, [ch], messages));
}
{
  const be = bigEndianDataset();
  files.push(await writeMcap("cdr_big_endian.mcap", { chunked: false, indexed: true }, be.channels, be.messages));
}
{
  const pb = protobufDataset();
  files.push(await writeMcap("foxglove_protobuf.mcap", { chunked: true, compression: "zstd", indexed: true, chunkSize: 512 }, pb.channels, pb.messages));
}
{
  const js = jsonDataset();
  files.push(await writeMcap("foxglove_json.mcap", { chunked: false, indexed: false }, js.channels, js.messages));
}
{
  const mapped = mappedDataset();
  files.push(await writeMcap("ros2_mapped.mcap", { chunked: true, compression: "lz4", indexed: true }, mapped.channels, mapped.messages));
  // Unchunked: no CRC guards the messages, so damaged bytes reach the decoders and mappers.
  files.push(await writeMcap("ros2_mapped_unchunked.mcap", { chunked: false, indexed: false }, mapped.channels, mapped.messages));
}
fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify({ files }));
console.log(`generate.mjs: wrote ${files.length} MCAP files to ${out}`);
