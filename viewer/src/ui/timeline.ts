// The timeline bar: timeline choice, play/pause, follow (live), the time label, and a
// track to scrub (click or drag; arrow keys step).
import type { TimeType } from '../data/chunk';
import type { Chunk } from '../data/chunk';
import type { TimelineInfo, ViewerStore } from '../data/store';
import { formatTime } from '../data/time';

export interface TimelineState {
  timeline: string | null;
  time: bigint;
  playing: boolean;
  follow: boolean;
}

export interface TimelineActions {
  selectTimeline(name: string): void;
  setTime(t: bigint): void;
  setPlaying(on: boolean): void;
  setFollow(on: boolean): void;
}

/** The timeline shown first: a sequence or duration one the user logged, else log_time. */
export function defaultTimeline(timelines: Map<string, TimelineInfo>): string | null {
  const names = [...timelines.keys()].sort();
  const user = names.filter((n) => n !== 'log_time' && n !== 'log_tick');
  return (
    user.find((n) => timelines.get(n)!.type === 'sequence') ??
    user[0] ??
    (timelines.has('log_time') ? 'log_time' : (names[0] ?? null))
  );
}

export class TimelineBar {
  readonly element = document.createElement('footer');
  private readonly select = document.createElement('select');
  private readonly play = document.createElement('button');
  private readonly follow = document.createElement('button');
  private readonly label = document.createElement('span');
  private readonly range = document.createElement('span');
  private readonly track = document.createElement('canvas');
  private dragging = false;
  private info: TimelineInfo | null = null;
  private drawnKey = '';

  constructor(private readonly actions: TimelineActions) {
    this.element.className = 'timeline';
    this.select.className = 'timeline-select';
    this.select.title = 'timeline';
    this.select.addEventListener('change', () => actions.selectTimeline(this.select.value));
    this.play.className = 'timeline-play';
    this.play.addEventListener('click', () => actions.setPlaying(this.play.dataset.playing !== 'true'));
    this.follow.className = 'timeline-follow';
    this.follow.textContent = 'follow';
    this.follow.title = 'keep the cursor on the newest data';
    this.follow.addEventListener('click', () => actions.setFollow(this.follow.dataset.on !== 'true'));
    this.label.className = 'timeline-time';
    this.range.className = 'timeline-range';
    this.track.className = 'timeline-track';
    this.track.tabIndex = 0;
    const controls = document.createElement('div');
    controls.className = 'timeline-controls';
    controls.append(this.select, this.play, this.follow, this.label, this.range);
    this.element.append(controls, this.track);
    this.track.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      this.track.setPointerCapture(e.pointerId);
      this.scrubTo(e.offsetX);
    });
    this.track.addEventListener('pointermove', (e) => {
      if (this.dragging) this.scrubTo(e.offsetX);
    });
    this.track.addEventListener('pointerup', () => (this.dragging = false));
    this.track.addEventListener('keydown', (e) => {
      if (!this.info) return;
      const step = this.info.type === 'sequence' ? 1n : 33_333_333n;
      const current = BigInt(this.track.dataset.time ?? '0');
      if (e.key === 'ArrowRight') actions.setTime(current + step);
      else if (e.key === 'ArrowLeft') actions.setTime(current - step);
      else if (e.key === ' ') actions.setPlaying(this.play.dataset.playing !== 'true');
      else return;
      e.preventDefault();
    });
  }

  /** Time at a fraction of the track (sequences snap to whole frames). */
  timeAtFraction(f: number): bigint | null {
    if (!this.info) return null;
    const { min, max } = this.info;
    const span = Number(max - min);
    return min + BigInt(Math.round(Math.min(1, Math.max(0, f)) * span));
  }

  private scrubTo(px: number): void {
    const w = this.track.clientWidth;
    const t = this.timeAtFraction(w > 0 ? px / w : 0);
    if (t !== null) {
      this.actions.setFollow(false);
      this.actions.setTime(t);
    }
  }

  /** `dropped`: time ranges the memory budget dropped (drawn as such on the track). */
  update(store: ViewerStore, state: TimelineState, dropped: readonly (readonly [bigint, bigint])[] = []): void {
    const names = [...store.timelines.keys()].sort();
    if (this.select.options.length !== names.length || names.some((n, i) => this.select.options[i].value !== n)) {
      this.select.replaceChildren(
        ...names.map((n) => {
          const o = document.createElement('option');
          o.value = n;
          o.textContent = `${n} (${store.timelines.get(n)!.type})`;
          return o;
        }),
      );
    }
    if (state.timeline) this.select.value = state.timeline;
    this.info = state.timeline ? (store.timelines.get(state.timeline) ?? null) : null;
    this.play.dataset.playing = String(state.playing);
    this.play.textContent = state.playing ? '❚❚ pause' : '▶ play';
    this.follow.dataset.on = String(state.follow);
    const type: TimeType = this.info?.type ?? 'sequence';
    this.label.textContent = this.info ? formatTime(state.time, type) : 'static data only';
    this.range.textContent = this.info ? `${formatTime(this.info.min, type)} … ${formatTime(this.info.max, type)}` : '';
    this.track.dataset.time = String(state.time);
    this.element.dataset.timeline = state.timeline ?? '';
    this.element.dataset.time = String(state.time);
    this.element.dataset.max = this.info ? String(this.info.max) : '';
    this.element.dataset.dropped = dropped.map(([a, b]) => `${a}..${b}`).join(',');
    const key = `${store.version}|${state.timeline}|${state.time}|${this.track.clientWidth}|${this.element.dataset.dropped}`;
    if (key !== this.drawnKey) {
      this.drawnKey = key;
      this.draw(store, state, dropped);
    }
  }

  private draw(store: ViewerStore, state: TimelineState, dropped: readonly (readonly [bigint, bigint])[]): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.track.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.track.clientHeight * dpr));
    if (this.track.width !== w || this.track.height !== h) {
      this.track.width = w;
      this.track.height = h;
    }
    const c = this.track.getContext('2d')!;
    c.fillStyle = '#1b1f26';
    c.fillRect(0, 0, w, h);
    const info = this.info;
    if (!info) return;
    const span = Number(info.max - info.min) || 1;
    const xOf = (t: bigint) => (Number(t - info.min) / span) * (w - 2) + 1;
    // Where data is: each chunk's time range on this timeline.
    c.fillStyle = '#3b4a63';
    for (const chunk of store.chunks.values()) {
      const t = (chunk as Chunk).times.get(info.name);
      if (!t) continue;
      const a = xOf(t.min);
      const b = xOf(t.max);
      c.fillRect(a, h * 0.35, Math.max(1, b - a), h * 0.3);
    }
    // Dropped to stay within the memory budget (scrub there to load it again).
    c.fillStyle = '#7a3b3b';
    for (const [lo, hi] of dropped) {
      const a = xOf(lo);
      const b = xOf(hi);
      c.fillRect(a, h * 0.75, Math.max(1, b - a), h * 0.15);
    }
    const x = xOf(state.time);
    c.fillStyle = '#f5a623';
    c.fillRect(x - dpr, 0, 2 * dpr, h);
  }
}
