// Times are i64 (sequence numbers, or nanoseconds for durations and timestamps), held as
// bigint; plots use float "plot units": sequence numbers, or seconds.
import type { TimeType } from './chunk';

/** Seconds per plot unit step of a raw time value. */
export function plotScale(type: TimeType): number {
  return type === 'sequence' ? 1 : 1e-9;
}

/**
 * Converts i64 times to float plot units into `out` at `at`: a tight loop over the two
 * 32-bit halves (no BigInt per value), exact up to 2^53.
 */
export function timesToPlotUnits(values: BigInt64Array, scale: number, out: Float64Array, at: number): void {
  const n = values.length;
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i] >>> 0;
    const hi = words[2 * i + 1];
    out[at + i] = (hi * 4294967296 + lo) * scale;
  }
}

export function toPlotUnits(t: bigint, type: TimeType): number {
  return Number(t) * plotScale(type);
}

export function fromPlotUnits(x: number, type: TimeType): bigint {
  return type === 'sequence' ? BigInt(Math.round(x)) : BigInt(Math.round(x * 1e9));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatTime(t: bigint, type: TimeType): string {
  if (type === 'sequence') return `#${t}`;
  if (type === 'duration') {
    const neg = t < 0n;
    const a = neg ? -t : t;
    const s = a / 1_000_000_000n;
    const ms = (a % 1_000_000_000n) / 1_000_000n;
    return `${neg ? '-' : ''}${s}.${pad(Number(ms), 3)} s`;
  }
  const ms = Number(t / 1_000_000n);
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
