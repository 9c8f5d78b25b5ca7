// Raw image pixels (docs/components.md ImageFormat) to RGBA8 for a canvas.

export const ColorModel = { L: 1, RGB: 2, RGBA: 3, BGR: 4, BGRA: 5 } as const;
export const ChannelDatatype = { U8: 1, U16: 2, U32: 3, U64: 4, I8: 5, I16: 6, I32: 7, I64: 8, F16: 9, F32: 10, F64: 11 } as const;

const kBytes: Record<number, number> = { 1: 1, 2: 2, 3: 4, 4: 8, 5: 1, 6: 2, 7: 4, 8: 8, 9: 2, 10: 4, 11: 8 };

export function channels(colorModel: number): number {
  return colorModel === ColorModel.L ? 1 : colorModel === ColorModel.RGB || colorModel === ColorModel.BGR ? 3 : 4;
}

export function bytesPerChannel(datatype: number): number {
  return kBytes[datatype] ?? 0;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The channel values as numbers (only for non-u8 data; views in place when aligned). */
function channelValues(bytes: Uint8Array, datatype: number, count: number): ArrayLike<number> {
  const width = bytesPerChannel(datatype);
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  const b = aligned.buffer;
  const o = aligned.byteOffset;
  switch (datatype) {
    case ChannelDatatype.U16:
      return new Uint16Array(b, o, count);
    case ChannelDatatype.U32:
      return new Uint32Array(b, o, count);
    case ChannelDatatype.I8:
      return new Int8Array(b, o, count);
    case ChannelDatatype.I16:
      return new Int16Array(b, o, count);
    case ChannelDatatype.I32:
      return new Int32Array(b, o, count);
    case ChannelDatatype.F32:
      return new Float32Array(b, o, count);
    case ChannelDatatype.F64:
      return new Float64Array(b, o, count);
    case ChannelDatatype.U64:
    case ChannelDatatype.I64: {
      const big = datatype === ChannelDatatype.U64 ? new BigUint64Array(b, o, count) : new BigInt64Array(b, o, count);
      return Float64Array.from(big, (v) => Number(v));
    }
    case ChannelDatatype.F16:
      return Float64Array.from(new Uint16Array(b, o, count), halfToFloat);
    default:
      throw new Error(`unknown channel datatype ${datatype}`);
  }
}

/** The elements of a tensor or depth buffer as numbers. */
export function tensorValues(bytes: Uint8Array, datatype: number, count: number): ArrayLike<number> {
  return datatype === ChannelDatatype.U8 ? bytes.subarray(0, count) : channelValues(bytes, datatype, count);
}

/**
 * RGBA8 pixels of a raw image. u8 data is copied channel by channel; wider types are mapped
 * to 0..255: floats in [0, 1] as they are, anything else from its min..max.
 */
export function toRGBA(bytes: Uint8Array, width: number, height: number, colorModel: number, datatype: number): Uint8ClampedArray<ArrayBuffer> {
  const nc = channels(colorModel);
  const n = width * height;
  const need = n * nc * bytesPerChannel(datatype);
  if (need === 0 || bytes.length < need) {
    throw new Error(`image buffer has ${bytes.length} bytes, ${width}x${height} needs ${need}`);
  }
  const out = new Uint8ClampedArray(n * 4);
  const bgr = colorModel === ColorModel.BGR || colorModel === ColorModel.BGRA;
  const ri = bgr ? 2 : 0;
  const bi = bgr ? 0 : 2;
  let src: ArrayLike<number> = bytes;
  let scale = 1;
  let bias = 0;
  if (datatype !== ChannelDatatype.U8) {
    src = channelValues(bytes, datatype, n * nc);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n * nc; i++) {
      const v = src[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const isFloat = datatype === ChannelDatatype.F16 || datatype === ChannelDatatype.F32 || datatype === ChannelDatatype.F64;
    if (isFloat && lo >= 0 && hi <= 1) {
      lo = 0;
      hi = 1;
    }
    scale = hi > lo ? 255 / (hi - lo) : 1;
    bias = -lo * scale;
  }
  if (nc === 1) {
    for (let i = 0; i < n; i++) {
      const v = src[i] * scale + bias;
      out[4 * i] = v;
      out[4 * i + 1] = v;
      out[4 * i + 2] = v;
      out[4 * i + 3] = 255;
    }
  } else {
    const alpha = nc === 4;
    for (let i = 0; i < n; i++) {
      const p = i * nc;
      out[4 * i] = src[p + ri] * scale + bias;
      out[4 * i + 1] = src[p + 1] * scale + bias;
      out[4 * i + 2] = src[p + bi] * scale + bias;
      out[4 * i + 3] = alpha ? src[p + 3] * scale + bias : 255;
    }
  }
  return out;
}

const kTurbo = [
  [48, 18, 59],
  [70, 107, 227],
  [40, 187, 236],
  [49, 242, 153],
  [162, 252, 60],
  [237, 208, 58],
  [251, 128, 34],
  [208, 47, 5],
  [122, 4, 3],
];

/** A depth image as colors: near blue to far red over the valid (non-zero) depth range. */
export function depthToRGBA(bytes: Uint8Array, width: number, height: number, datatype: number): Uint8ClampedArray<ArrayBuffer> {
  const n = width * height;
  const src = datatype === ChannelDatatype.U8 ? bytes : channelValues(bytes, datatype, n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (v > 0 && v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Uint8ClampedArray(n * 4);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (!(v > 0)) {
      out[4 * i + 3] = 255;
      continue;
    }
    const f = ((v - lo) / span) * (kTurbo.length - 1);
    const k = Math.min(kTurbo.length - 2, Math.floor(f));
    const w = f - k;
    for (let c = 0; c < 3; c++) out[4 * i + c] = kTurbo[k][c] * (1 - w) + kTurbo[k + 1][c] * w;
    out[4 * i + 3] = 255;
  }
  return out;
}
