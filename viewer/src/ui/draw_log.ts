// What the page shows and how old it is, for measuring how far behind live data it is
// (docs/viewer.md "Lag"). Each view update is recorded with the cursor it drew at; it is on
// screen once the next animation frame starts (the browser has then run the script, style,
// layout, paint and WebGL of the frame that shows it). At the start of every animation
// frame, drawn or not, one sample: the wall clock then, and what is on screen.
import type { TimeType } from '../data/chunk';

/** One animation frame: what was on screen when it started. */
export interface DrawSample {
  /** Animation frames since the page loaded. */
  frame: number;
  /** Wall clock (ms since the Unix epoch) at the start of the frame. */
  at_ms: number;
  /** The view update on screen (status().view_updates when it was made). */
  update: number;
  timeline: string | null;
  /** The cursor that update drew at, as i64 text ('' without a timeline). */
  time: string;
  /**
   * On a timestamp timeline: at_ms minus the cursor time in ms. Following live data the
   * cursor is the newest time ingested, so this is how old the newest row on screen is;
   * null on other timelines.
   */
  lag_ms: number | null;
}

/** Wall clock in ms since the epoch (sub-millisecond, monotonic within the page). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

interface Drawn {
  update: number;
  timeline: string | null;
  type: TimeType | null;
  time: bigint;
}

export class DrawLog {
  private readonly ring: DrawSample[] = [];
  private pending: Drawn | null = null;
  private onScreen: Drawn | null = null;
  private frames = 0;
  /** The sample of the last frame (null before the first view update was on screen). */
  last: DrawSample | null = null;

  constructor(private readonly capacity = 8192) {}

  /** The views were updated at `time` on `timeline` (view update number `update`). */
  drew(update: number, timeline: string | null, type: TimeType | null, time: bigint): void {
    this.pending = { update, timeline, type, time };
  }

  /** An animation frame starts at wall clock `atMs`: the last update is on screen. */
  frame(atMs: number): void {
    this.frames++;
    if (this.pending) {
      this.onScreen = this.pending;
      this.pending = null;
    }
    const d = this.onScreen;
    if (!d) return;
    const lag = d.timeline !== null && d.type === 'timestamp' ? atMs - Number(d.time) / 1e6 : null;
    const s: DrawSample = { frame: this.frames, at_ms: atMs, update: d.update, timeline: d.timeline, time: d.timeline === null ? '' : d.time.toString(), lag_ms: lag };
    this.last = s;
    this.ring.push(s);
    if (this.ring.length > 2 * this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }

  /** The samples of the last `capacity` (or more) frames after frame `since`, oldest first. */
  samples(since = 0): DrawSample[] {
    return this.ring.filter((s) => s.frame > since);
  }
}

/**
 * How much later than usual live chunks arrive, from their `log_time` (the SDK's wall clock
 * when each row was logged, docs/sdk.md): lateness = wall clock at arrival minus the
 * chunk's newest log_time; `behind()` is the newest chunk's lateness minus the smallest
 * lateness seen, so a clock offset between client and page, or old data sent live, cancels
 * out. It grows when chunks queue up (the page or the machine does not keep up).
 */
export class ArrivalLag {
  private baseline = Infinity;
  private latest = -Infinity;
  private latestAt = -Infinity;

  arrived(newestLogTimeNs: bigint, nowMs: number): void {
    const late = nowMs - Number(newestLogTimeNs) / 1e6;
    if (late < this.baseline) this.baseline = late;
    this.latest = late;
    this.latestAt = nowMs;
  }

  /**
   * Milliseconds the newest chunk came later than the quickest one did; 0 before any, and
   * once none arrived for 100 ms (a queue that backs up delivers them back to back).
   */
  behind(nowMs: number): number {
    if (this.baseline === Infinity || nowMs - this.latestAt > 100) return 0;
    return this.latest - this.baseline;
  }

  clear(): void {
    this.baseline = Infinity;
    this.latest = -Infinity;
    this.latestAt = -Infinity;
  }
}
