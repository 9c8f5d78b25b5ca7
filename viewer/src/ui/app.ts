// The viewer: connection -> store -> views, the entity tree and the timeline, redrawn on
// animation frames when something changed.
import { defaultBudget, formatBytes, parseBytes } from '../data/budget';
import { MemoryBudget } from '../data/memory';
import type { Chunk, TimeType } from '../data/chunk';
import { DeferredRemovals } from '../data/removals';
import { ViewerStore } from '../data/store';
import { maxBig, minBig } from '../data/time';
import { Connection, type Hello, type RecordingInfo } from '../net/connection';
import { chooseViews, type ViewSpec } from '../views/layout';
import { BarChartView } from '../views/bar_chart_view';
import { GraphView } from '../views/graph_view';
import { MapView } from '../views/map_view';
import { PlotsView } from '../views/plot_view';
import { Spatial2DView } from '../views/spatial2d_view';
import { Spatial3DView } from '../views/spatial3d_view';
import { TextDocumentView } from '../views/text_document_view';
import { TextLogView } from '../views/text_log_view';
import type { View, ViewContext } from '../views/view';
import { ArrivalLag, DrawLog, wallMs, type DrawSample } from './draw_log';
import { EntityTree } from './entity_tree';
import { Inspector, type HoverInfo } from './hover';
import { PanelLayout } from './layout_panels';
import { SelectionPanel, type Selection, type SelectionState } from './selection_panel';
import { defaultTimeline, TimelineBar, type TimelineState } from './timeline';

/** What `window.reel.status()` returns (the browser tests and reel-bench read it). */
export interface ReelStatus {
  /**
   * Every row the server had when the page connected has been ingested, and a frame has
   * been drawn since the last of them arrived.
   */
  caught_up: boolean;
  chunks: number;
  rows: number;
  /** Bytes of the Arrow payloads held. */
  payload_bytes: number;
  /** Bytes of the buffers held: the payloads' and what views derived from them. */
  buffer_bytes: number;
  memory_budget_bytes: number;
  /** Chunks the viewer dropped to stay within its budget. */
  dropped_chunks: number;
  /** Recording ids the server holds (named ones, in the order they appeared). */
  recordings: string[];
  /** The recording id shown ('' while there is none or it has no name yet). */
  recording: string;
  /** Frames in which the views were updated (drawn) since the page loaded. */
  view_updates: number;
  /** Chunk frames and their bytes received since the page loaded. */
  frames_received: number;
  bytes_received: number;
  /** Per timeline, the newest time ingested (i64 text). */
  newest: Record<string, string>;
  /**
   * The recording is served from a file larger than the server's memory (its `paged`
   * message): the file, its chunk bytes, the windows asked for and whether one is on its way.
   */
  paged: { path: string; file_bytes: number; windows: number; paging: boolean } | null;
  /**
   * What was on screen at the start of the last animation frame: the view update, its
   * cursor, the wall clock, lag_ms on timestamp timelines (docs/viewer.md "Lag"); null
   * before the first update. draws() has the samples of the last 8192 frames or more.
   */
  drawn: DrawSample | null;
}

/** The budget from `?memory_limit=` or the default (docs/viewer.md). */
function initialBudget(): number {
  const param = new URLSearchParams(location.search).get('memory_limit');
  const parsed = param ? parseBytes(param) : null;
  if (param && parsed === null) console.warn(`reel: ?memory_limit=${param} is not a size (e.g. 512MiB): using the default`);
  return parsed ?? defaultBudget((navigator as Navigator & { deviceMemory?: number }).deviceMemory);
}

/** Frames per second of playback on sequence timelines. */
const kSequenceFps = 30;
/** Live chunks this much later than the quickest ones mean the page is behind (ArrivalLag). */
const kBehindMs = 80;
/** While behind, new data is still drawn at least this often. */
const kMaxWaitMs = 400;

function createView(spec: ViewSpec): View {
  switch (spec.kind) {
    case 'spatial3d':
      return new Spatial3DView(spec.id, spec.root);
    case 'plots':
      return new PlotsView(spec.id, spec.root);
    case 'image':
    case 'spatial2d':
      return new Spatial2DView(spec.id, spec.kind, spec.root);
    case 'text_log':
      return new TextLogView(spec.id);
    case 'text_document':
      return new TextDocumentView(spec.id, spec.root);
    case 'bar_chart':
      return new BarChartView(spec.id, spec.root);
    case 'graph':
      return new GraphView(spec.id, spec.root);
    case 'map':
      return new MapView(spec.id, spec.root);
  }
}

export class App {
  readonly store = new ViewerStore();
  private readonly removals = new DeferredRemovals(this.store);
  private readonly connection: Connection;
  private readonly tree = new EntityTree();
  private readonly timeline: TimelineBar;
  private readonly views = new Map<string, View>();
  private readonly viewsEl = document.createElement('main');
  private readonly statusEl = document.createElement('span');
  private readonly title = document.createElement('span');
  private readonly state: TimelineState = { timeline: null, time: 0n, playing: false, follow: true };
  private cursorVersion = 0;
  private layoutVersion = -1;
  private lastFrame = 0;
  private lastViewUpdate = 0;
  /** performance.now() when the last view update started (not the frame's timestamp). */
  private lastViewUpdateStart = 0;
  private drewLastFrame = false;
  /** Milliseconds a view update costs (moving average), which spaces them out. */
  private drawCost = 0;
  private viewUpdates = 0;
  private readonly drawLog = new DrawLog();
  private readonly arrival = new ArrivalLag();
  /** performance.now() of the last view update that drew new data. */
  private lastDataUpdate = 0;
  /** Bumped by what the user does; such changes skip the pacing of redraws. */
  private userVersion = 0;
  private drawnUserVersion = -1;
  private drawnTreeVersion = -1;
  private drawnStoreVersion = -1;
  private statusKey = '';
  private statusState = '';
  private statusAt = 0;
  private playCarry = 0;
  private connected = false;
  private caughtUp = false;
  /** A frame was drawn after caught_up (and after every chunk that came with the backlog). */
  private drawnCaughtUp = false;
  private readonly memory: MemoryBudget;
  private readonly budgetInput = document.createElement('input');
  private hello: Hello | null = null;
  /** The recordings the server holds, and the one shown (its number). */
  private recordings: RecordingInfo[] = [];
  private shown: number | undefined;
  /** The user picked a recording: a new one appearing no longer takes over. */
  private userChoseRecording = false;
  private readonly recordingSelect = document.createElement('select');
  private errors: string[] = [];
  private readonly selectionPanel = new SelectionPanel((sel) => this.selected(sel));
  private layout!: PanelLayout;
  private inspector!: Inspector;
  private lastCtx: ViewContext | null = null;

  constructor(private readonly rootEl: HTMLElement) {
    this.timeline = new TimelineBar({
      selectTimeline: (name) => {
        this.state.timeline = name;
        this.clampTime();
        this.cursorVersion++;
        this.userVersion++;
      },
      setTime: (t) => this.setTime(t),
      setPlaying: (on) => {
        this.state.playing = on;
        this.userVersion++;
        if (on) {
          this.state.follow = false;
          // Play at the end starts again from the beginning.
          const info = this.state.timeline ? this.store.timelines.get(this.state.timeline) : null;
          if (info && this.state.time >= info.max && info.max > info.min) this.setTime(info.min);
        }
        this.playCarry = 0;
      },
      setFollow: (on) => {
        this.state.follow = on;
        this.userVersion++;
        if (on) {
          this.state.playing = false;
          this.memory.following();
        }
      },
    });
    this.connection = new Connection(Connection.defaultUrl(), {
      onOpen: () => {
        this.connected = true;
        this.caughtUp = false;
        this.drawnCaughtUp = false;
        // The server sends its whole store again: start from nothing.
        this.store.clear();
        this.arrival.clear();
        this.removals.clear();
        this.memory.clear();
      },
      onHello: (h) => {
        this.hello = h;
        // A server without several recordings (older, or the mock server) names only its one.
        this.shown = h.recording ?? 0;
        this.setRecordings(h.recordings ?? [{ recording: 0, application_id: h.application_id, recording_id: h.recording_id }]);
      },
      onStoreInfo: (info) => {
        // A server started empty names its recording after the first client's: show it now.
        this.hello = { ...this.hello, version: this.hello?.version ?? 1, ...info };
        this.setRecordings(this.recordings.map((r) => (r.recording === this.shown ? { ...r, ...info } : r)));
      },
      onRecordings: (list) => this.setRecordings(list),
      onSelected: (info) => {
        // Also when the server chose (a viewer without a recording gets the first one).
        if (this.shown !== info.recording) this.clearData();
        this.shown = info.recording;
        this.hello = { ...this.hello, version: this.hello?.version ?? 1, application_id: info.application_id, recording_id: info.recording_id, recording: info.recording };
        this.setRecordings(this.recordings);
      },
      onChunk: (c: Chunk) => {
        const logTime = c.times.get('log_time');
        if (this.caughtUp && logTime?.type === 'timestamp') this.arrival.arrived(logTime.max, wallMs());
        this.removals.added(c);
        this.memory.enforce();
      },
      onCaughtUp: () => (this.caughtUp = true),
      onRemoved: (ids) => {
        this.memory.serverRemoved(ids);
        this.removals.removed(ids, performance.now());
      },
      onPaged: (p) => this.memory.notePaged(p),
      onClose: () => (this.connected = false),
      onError: (m) => {
        this.errors.push(m);
        console.warn(`reel: ${m}`);
      },
    });
    this.memory = new MemoryBudget(
      this.store,
      initialBudget(),
      (msg) => this.connection.subscribe(msg),
      (m) => {
        this.errors.push(m);
        console.warn(`reel: ${m}`);
      },
    );
    this.build();
  }

  /** Forgets what is held and shown (another recording is selected). */
  private clearData(): void {
    this.caughtUp = false;
    this.drawnCaughtUp = false;
    this.store.clear();
    this.arrival.clear();
    this.removals.clear();
    this.memory.clear();
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    this.layoutVersion = -1;
    this.state.timeline = null;
    this.state.playing = false;
    this.state.follow = true;
    this.cursorVersion++;
    this.userVersion++;
  }

  /** The server's recordings changed: the selector follows; a new one is shown unless the user chose. */
  private setRecordings(list: RecordingInfo[]): void {
    const known = new Set(this.recordings.map((r) => r.recording));
    const appeared = list.filter((r) => !known.has(r.recording) && r.recording !== this.shown);
    this.recordings = [...list].sort((a, b) => a.recording - b.recording);
    const sel = this.recordingSelect;
    sel.replaceChildren(
      ...this.recordings.map((r) => {
        const o = document.createElement('option');
        o.value = String(r.recording);
        o.textContent = [r.application_id, r.recording_id || '(unnamed)'].filter(Boolean).join(' · ');
        o.dataset.recordingId = r.recording_id;
        return o;
      }),
    );
    if (this.shown !== undefined) sel.value = String(this.shown);
    sel.hidden = this.recordings.length < 2;
    this.statusState = '';
    // Like Rerun: a new recording (a new SDK run) is shown when it appears, until the user
    // picks one in the selector.
    if (known.size > 0 && appeared.length > 0 && !this.userChoseRecording) {
      this.selectRecording(appeared[appeared.length - 1].recording_id, false);
    }
  }

  /**
   * Shows recording `recordingId` (what the selector does): the views are cleared and the
   * recording's backlog is loaded; status().caught_up is then about it.
   */
  selectRecording(recordingId: string, byUser = true): boolean {
    const info = this.recordings.find((r) => r.recording_id === recordingId);
    if (!info) return false;
    if (byUser) this.userChoseRecording = true;
    if (info.recording === this.shown) return true;
    this.clearData();
    this.shown = info.recording;
    this.hello = { ...this.hello, version: this.hello?.version ?? 1, application_id: info.application_id, recording_id: info.recording_id, recording: info.recording };
    this.recordingSelect.value = String(info.recording);
    this.connection.select(info);
    return true;
  }

  /** Sets the memory budget (bytes); chunks past it are dropped now. */
  setMemoryBudget(bytes: number): void {
    this.memory.budget = bytes;
    this.budgetInput.value = formatBytes(bytes);
    this.memory.enforce();
  }

  private build(): void {
    const header = document.createElement('header');
    header.className = 'app-header';
    const logo = document.createElement('span');
    logo.className = 'logo';
    logo.textContent = 'reel';
    this.title.className = 'recording';
    this.statusEl.className = 'status';
    const budget = document.createElement('label');
    budget.className = 'budget';
    budget.title = 'memory budget: past it the oldest data is dropped (and asked for again when you scrub back to it)';
    budget.append('memory ', this.budgetInput);
    this.budgetInput.className = 'budget-input';
    this.budgetInput.value = formatBytes(this.memory.budget);
    this.budgetInput.addEventListener('change', () => {
      const bytes = parseBytes(this.budgetInput.value);
      if (bytes === null) this.budgetInput.value = formatBytes(this.memory.budget);
      else this.setMemoryBudget(bytes);
    });
    this.recordingSelect.className = 'recording-select';
    this.recordingSelect.title = 'recording: the server holds several (each SDK run, each file)';
    this.recordingSelect.hidden = true;
    this.recordingSelect.addEventListener('change', () => {
      const info = this.recordings.find((r) => String(r.recording) === this.recordingSelect.value);
      if (info) this.selectRecording(info.recording_id);
    });
    header.append(logo, this.title, this.recordingSelect, this.statusEl, budget);
    this.viewsEl.className = 'views';
    // Input in a view (zoom, pan, click) is drawn on the next frame even while data streams.
    for (const type of ['wheel', 'pointerdown', 'pointermove', 'pointerup', 'keydown', 'dblclick']) {
      this.viewsEl.addEventListener(type, () => this.userVersion++, { passive: true, capture: true });
    }
    const middle = document.createElement('div');
    middle.className = 'middle';
    this.layout = new PanelLayout(middle, this.tree.element, this.viewsEl, this.selectionPanel.element);
    this.rootEl.append(header, middle, this.timeline.element);
    this.tree.onSelect = (entity) => this.select({ entity, instance: null });
    this.inspector = new Inspector(this.viewsEl, (panel) => [...this.views.values()].find((v) => v.element === panel), () => this.lastCtx, (sel) => this.select(sel));
    document.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement | null;
      if (e.key === 'Escape' && !(t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) this.select(null);
    });
    this.selectionPanel.set(this.layout.state.selected);
  }

  /** Selects an entity (and instance), or clears the selection. */
  select(sel: Selection | null): void {
    this.selectionPanel.set(sel);
  }

  private selected(sel: Selection | null): void {
    this.userVersion++;
    this.tree.setSelected(sel?.entity ?? null);
    this.layout?.setSelected(sel);
  }

  /** For tests: the selection panel's entity and rows (null when nothing is selected). */
  selection(): SelectionState | null {
    return this.selectionPanel.state();
  }

  /** For tests: what the hover card shows (null when the cursor is over nothing). */
  hover(): HoverInfo | null {
    return this.inspector.current();
  }

  /** For tests: maximizes a view by id (null restores); the layout's state. */
  maximize(id: string | null): void {
    this.layout.maximize(id);
    this.userVersion++;
  }

  layoutState(): unknown {
    return this.layout.state;
  }

  start(): void {
    this.connection.connect();
    const tick = (now: number) => {
      this.frame(now);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  /** For tests and the console: what a view drew last (views that can say), by view id. */
  inspectView(id: string): unknown {
    const v = this.views.get(id) as (View & { inspect?: () => unknown }) | undefined;
    return v?.inspect ? v.inspect() : null;
  }

  setTime(t: bigint): void {
    this.state.time = t;
    this.userVersion++;
    this.clampTime();
    this.cursorVersion++;
    const info = this.state.timeline ? this.store.timelines.get(this.state.timeline) : null;
    if (info) this.memory.cursorMoved(info.name, info.type, this.state.time);
  }

  private clampTime(): void {
    const info = this.state.timeline ? this.store.timelines.get(this.state.timeline) : null;
    if (info) this.state.time = maxBig(info.min, minBig(info.max, this.state.time));
  }

  private frame(now: number): void {
    const dt = this.lastFrame ? Math.min(0.25, (now - this.lastFrame) / 1000) : 0;
    this.lastFrame = now;
    this.drawLog.frame(wallMs());
    const store = this.store;
    this.removals.tick(now);
    this.inspector.frame();
    if (!this.state.timeline || !store.timelines.has(this.state.timeline)) {
      this.state.timeline = defaultTimeline(store.timelines);
      if (this.state.timeline) this.state.time = store.timelines.get(this.state.timeline)!.max;
      this.cursorVersion++;
    }
    const info = this.state.timeline ? store.timelines.get(this.state.timeline) : undefined;
    if (info) {
      if (this.state.follow && this.state.time !== info.max) {
        this.state.time = info.max;
        this.cursorVersion++;
      } else if (this.state.playing) {
        this.advance(info.type, dt, info.max);
      }
      // A paged file: following its end or playing through it pages in where the cursor is
      // (a scrub does so in setTime).
      if (this.memory.pagedFile && (this.state.follow || this.state.playing)) {
        this.memory.cursorMoved(info.name, info.type, this.state.time);
      }
    }
    // What the last view update cost: from its start to this frame (its script, the
    // browser's drawing of it, and the chunks handled meanwhile), beyond one frame interval.
    if (this.drewLastFrame) {
      this.drewLastFrame = false;
      this.drawCost = 0.7 * this.drawCost + 0.3 * Math.max(0, performance.now() - this.lastViewUpdateStart - 1000 / 60);
    }
    // While the backlog streams in, draw a few times a second rather than on every frame:
    // each chunk would otherwise cost a full redraw of every view. Live, draw at most half
    // of the time: a fast logger's chunks must not wait behind redraws (they did: 9 s
    // behind an 80-frame logger of 918 small chunks, on software WebGL).
    // What the user does (scrub, play, choose, hide) is drawn on the next frame.
    // Only data arriving is paced; frames without new data update the views as always (they
    // skip what did not change), so a view's own interaction (zoom, pan) is drawn at once.
    const urgent =
      this.userVersion !== this.drawnUserVersion || this.tree.version !== this.drawnTreeVersion || store.version === this.drawnStoreVersion;
    const minInterval = !this.caughtUp && this.connected ? 250 : Math.min(250, 2 * this.drawCost);
    // Live chunks arriving later than usual (by their log_time) are queued behind drawing:
    // let them in first, but draw new data at least every kMaxWaitMs.
    const behind = this.caughtUp && this.arrival.behind(wallMs()) > kBehindMs && now - this.lastDataUpdate < kMaxWaitMs;
    if (!urgent && (now - this.lastViewUpdate < minInterval || behind)) {
      this.updateStatus();
      return;
    }
    this.lastViewUpdate = now;
    if (store.version !== this.drawnStoreVersion) this.lastDataUpdate = now;
    this.lastViewUpdateStart = performance.now();
    this.drawnUserVersion = this.userVersion;
    this.drawnStoreVersion = store.version;
    this.drawnTreeVersion = this.tree.version;
    this.drewLastFrame = true;
    this.viewUpdates++;
    if (store.version !== this.layoutVersion) {
      this.layoutVersion = store.version;
      this.relayout();
    }
    const ctx: ViewContext = {
      store,
      timeline: this.state.timeline,
      timeType: info?.type ?? 'sequence',
      time: this.state.time,
      storeVersion: store.version,
      cursorVersion: this.cursorVersion,
      visibilityVersion: this.tree.version,
      isVisible: (e) => this.tree.isVisible(e),
      selection: this.selectionPanel.current,
      setTime: (t) => {
        this.state.follow = false;
        this.setTime(t);
      },
    };
    this.lastCtx = ctx;
    for (const v of this.views.values()) {
      try {
        v.update(ctx);
      } catch (e) {
        console.error(`reel: view ${v.id}:`, e);
      }
    }
    this.selectionPanel.update(ctx);
    this.tree.update(store);
    this.timeline.update(store, this.state, this.state.timeline ? this.memory.droppedRanges(this.state.timeline) : []);
    this.memory.derivedBytes = this.derivedBytes();
    this.memory.enforce();
    this.drawLog.drew(this.viewUpdates, this.state.timeline, info?.type ?? null, this.state.time);
    this.updateStatus();
    if (this.caughtUp) this.drawnCaughtUp = true;
  }

  private derivedBytes(): number {
    let n = 0;
    for (const v of this.views.values()) n += v.bufferBytes?.() ?? 0;
    return n;
  }

  /** The figures tests and benchmarks read (`window.reel.status()`). */
  status(): ReelStatus {
    const s = this.store;
    const derived = this.derivedBytes();
    return {
      caught_up: this.caughtUp && this.drawnCaughtUp,
      chunks: s.chunks.size,
      rows: s.rows,
      payload_bytes: s.bytes,
      buffer_bytes: s.bufferBytes + derived,
      memory_budget_bytes: this.memory.budget,
      dropped_chunks: this.memory.droppedChunks,
      recordings: this.recordings.map((r) => r.recording_id).filter(Boolean),
      recording: this.hello?.recording_id ?? '',
      view_updates: this.viewUpdates,
      frames_received: this.connection.framesReceived,
      bytes_received: this.connection.bytesReceived,
      newest: Object.fromEntries([...s.timelines.values()].map((t) => [t.name, t.max.toString()])),
      paged: this.memory.pagedFile
        ? { path: this.memory.pagedFile.path, file_bytes: this.memory.pagedFile.bytes, windows: this.memory.pagedFile.windows, paging: this.memory.paging }
        : null,
      drawn: this.drawLog.last,
    };
  }

  /** For tests and benchmarks: one sample per animation frame after frame `since`. */
  draws(since = 0): DrawSample[] {
    return this.drawLog.samples(since);
  }

  private advance(type: TimeType, dt: number, max: bigint): void {
    this.playCarry += type === 'sequence' ? dt * kSequenceFps : dt * 1e9;
    const step = BigInt(Math.floor(this.playCarry));
    if (step === 0n) return;
    this.playCarry -= Number(step);
    this.userVersion++;
    const next = this.state.time + step;
    if (next >= max) {
      // At the end: keep following new data as it arrives.
      this.state.time = max;
      this.state.playing = false;
      this.state.follow = true;
    } else {
      this.state.time = next;
    }
    this.cursorVersion++;
  }

  private relayout(): void {
    const specs = chooseViews(this.store);
    const ids = new Set(specs.map((s) => s.id));
    for (const [id, v] of this.views) {
      if (!ids.has(id)) {
        v.dispose();
        this.views.delete(id);
      }
    }
    for (const spec of specs) {
      if (!this.views.has(spec.id)) this.views.set(spec.id, createView(spec));
    }
    // The layout keeps elements that are already in place where they are.
    this.layout.place(specs.map((s) => this.views.get(s.id)!));
  }

  private updateStatus(): void {
    // A few times a second while data streams in: each change of the header is a repaint and
    // compositor commit, which software rendering pays for on the main thread.
    const now = performance.now();
    const state = `${this.connected}|${this.caughtUp}|${this.hello?.application_id}|${this.hello?.recording_id}|${this.errors.length}|${this.views.size}`;
    if (state === this.statusState && now - this.statusAt < 250) return;
    this.statusState = state;
    this.statusAt = now;
    const s = this.store;
    const mib = (s.bytes / (1 << 20)).toFixed(1);
    const title = [this.hello?.application_id, this.hello?.recording_id].filter(Boolean).join(' · ');
    const conn = this.connected ? (this.caughtUp ? 'connected' : 'loading…') : 'disconnected';
    const received = (this.connection.bytesReceived / (1 << 20)).toFixed(1);
    const errors = this.errors.length ? ` · ${this.errors.length} error${this.errors.length > 1 ? 's' : ''}` : '';
    const m = this.memory;
    const paging = m.paging ? ' · paging in…' : '';
    const paged = m.pagedFile ? ` · ${formatBytes(m.pagedFile.bytes)} file paged in by time window${m.droppedChunks ? '' : paging}` : '';
    const dropped = m.droppedChunks ? ` · dropped ${m.droppedChunks} chunks (${formatBytes(m.droppedBytes)}) over the ${formatBytes(m.budget)} budget${paging}` : '';
    const text = `${conn} · ${s.entities.size} entities · ${s.chunks.size} chunks · ${mib} MiB${paged}${dropped}${errors}`;
    const tip = `${this.connection.framesReceived} chunk frames, ${received} MiB received${this.errors.length ? `\nlast error: ${this.errors[this.errors.length - 1]}` : ''}`;
    // Touch the DOM only when something shown changed (a fast stream would relayout the
    // page every frame).
    const key = `${title}|${text}|${tip}|${this.views.size}`;
    if (key === this.statusKey) return;
    this.statusKey = key;
    this.title.textContent = title;
    this.statusEl.textContent = text;
    this.statusEl.classList.toggle('status-dropped', m.droppedChunks > 0);
    this.statusEl.title = tip;
    const d = document.body.dataset;
    d.connected = String(this.connected);
    d.caughtUp = String(this.caughtUp);
    d.chunks = String(s.chunks.size);
    d.entities = String(s.entities.size);
    d.views = String(this.views.size);
    d.framesReceived = String(this.connection.framesReceived);
    d.bytesReceived = String(this.connection.bytesReceived);
    d.droppedChunks = String(m.droppedChunks);
    if (this.errors.length) d.errors = String(this.errors.length);
  }

}
