// The WebSocket side of docs/viewer-protocol.md: hello, chunk frames (the backlog, then
// live), caught_up, chunks_removed, and query answers. Reconnects with backoff; the server
// sends its whole store again on every connection.
import { decodeFrame, FrameKind, type Chunk, type TimeType } from '../data/chunk';

/** One recording the server holds (docs/viewer-protocol.md, "Several recordings"). */
export interface RecordingInfo {
  /** The number the server tags the recording's frames with. */
  recording: number;
  application_id: string;
  recording_id: string;
}

export interface Hello {
  version: number;
  application_id: string;
  recording_id: string;
  /** The recording this connection shows (absent while the server has none). */
  recording?: number;
  recordings?: RecordingInfo[];
}

/** The `paged` message: a recording whose file holds more than the server loaded. */
export interface PagedInfo {
  path: string;
  chunks: number;
  bytes: number;
  entities: string[];
  timelines: { name: string; type: TimeType; min: string; max: string }[];
}

/** A subscribe's answer; `min`/`max`: the window it covers when narrower than asked. */
export interface SubscribeAnswer {
  chunks: Chunk[];
  min?: string;
  max?: string;
}

export interface ConnectionHandlers {
  onOpen(): void;
  onHello(hello: Hello): void;
  /** The shown recording got its name (application and recording id) after hello. */
  onStoreInfo(info: { application_id: string; recording_id: string }): void;
  /** The recordings the server holds changed (one appeared or was named). */
  onRecordings(recordings: RecordingInfo[]): void;
  /** The server switched this connection to a recording: its backlog and changes follow. */
  onSelected(info: RecordingInfo): void;
  onChunk(chunk: Chunk): void;
  onCaughtUp(chunks: number): void;
  onRemoved(ids: string[]): void;
  /** The shown recording is served from a file larger than the server's memory: what the
   * backlog leaves out is asked for with `subscribe` (docs/viewer-protocol.md, "Paged"). */
  onPaged(paged: PagedInfo): void;
  onClose(reason: string): void;
  onError(message: string): void;
}

interface PendingQuery {
  chunks: Chunk[];
  resolve(chunks: Chunk[], done: Record<string, unknown>): void;
  reject(e: Error): void;
}

export class Connection {
  private ws: WebSocket | null = null;
  /** Messages received while the backlog is being fetched, to handle after it. */
  private held: (ArrayBuffer | string)[] | null = null;
  private retryMs = 250;
  private nextQueryId = 1;
  private pending = new Map<number, PendingQuery>();
  private closed = false;
  /** The recording shown: frames and messages tagged with another one are stale. */
  private recording: number | undefined;
  /** The recording id to ask for on (re)connecting. */
  private wantedRecording = new URLSearchParams(location.search).get('recording') ?? '';
  private backlogAbort: AbortController | null = null;
  /** Binary frames and their bytes received since the page loaded (all connections). */
  framesReceived = 0;
  bytesReceived = 0;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  static defaultUrl(): string {
    const params = new URLSearchParams(location.search);
    const explicit = params.get('ws');
    if (explicit) return explicit;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/ws`;
  }

  connect(): void {
    this.closed = false;
    // The backlog comes over HTTP (docs/viewer-protocol.md, "backlog"): a browser's
    // WebSocket delivers some 25-50 MB/s here, fetch several times that.
    const url = new URL(this.url, location.href);
    if (!url.searchParams.has('backlog')) url.searchParams.set('backlog', 'http');
    // Consecutive row ids travel as the first one (a third of a scalar chunk's bytes).
    if (!url.searchParams.has('row_ids')) url.searchParams.set('row_ids', 'compact');
    // A reconnect comes back to the recording shown.
    if (this.wantedRecording) url.searchParams.set('recording', this.wantedRecording);
    this.recording = undefined;
    const ws = new WebSocket(url.toString());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.handlers.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => this.onMessage(ev.data as ArrayBuffer | string);
    ws.onclose = (ev) => {
      this.ws = null;
      this.held = null;
      this.backlogAbort?.abort();
      this.backlogAbort = null;
      for (const q of this.pending.values()) q.reject(new Error('connection closed'));
      this.pending.clear();
      this.handlers.onClose(ev.reason || `closed (${ev.code})`);
      if (!this.closed) {
        setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
      }
    };
  }

  /**
   * Reads the backlog: kind-1 frames, each preceded by its u32 little-endian length, handled
   * as they arrive; then the messages the WebSocket brought meanwhile.
   */
  private fetchBacklog(path: string): void {
    const ws = this.ws;
    this.held = [];
    const base = new URL(this.url, location.href);
    base.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
    const abort = new AbortController();
    this.backlogAbort = abort;
    const read = async () => {
      const resp = await fetch(new URL(path, base), { signal: abort.signal });
      if (!resp.ok || !resp.body) throw new Error(`GET ${path}: ${resp.status}`);
      const reader = resp.body.getReader();
      let frame: Uint8Array | null = null;
      let filled = 0;
      const header = new Uint8Array(4);
      let headerFilled = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let at = 0;
        while (at < value.byteLength) {
          if (!frame) {
            const n = Math.min(4 - headerFilled, value.byteLength - at);
            header.set(value.subarray(at, at + n), headerFilled);
            headerFilled += n;
            at += n;
            if (headerFilled < 4) break;
            headerFilled = 0;
            // 3 bytes ahead so that the payload (after the 5-byte prefix) is 8-byte
            // aligned: apache-arrow then views it in place, without another copy.
            const len = new DataView(header.buffer).getUint32(0, true);
            frame = new Uint8Array(new ArrayBuffer(len + 3), 3, len);
            filled = 0;
          }
          const m = Math.min(frame.byteLength - filled, value.byteLength - at);
          frame.set(value.subarray(at, at + m), filled);
          filled += m;
          at += m;
          if (filled === frame.byteLength) {
            this.onBinary(frame);
            frame = null;
          }
        }
      }
      if (frame || headerFilled) throw new Error(`GET ${path}: truncated`);
    };
    const release = () => {
      if (this.backlogAbort === abort) this.backlogAbort = null;
      const held = this.held ?? [];
      this.held = null;
      for (const m of held) this.onMessage(m);
    };
    read()
      .then(() => {
        if (this.ws !== ws) return;
        release();
      })
      .catch((e: Error) => {
        if (this.ws !== ws) return;
        // Another recording was selected: what the WebSocket brought meanwhile goes on.
        if (abort.signal.aborted) return release();
        this.handlers.onError(`backlog: ${e.message}`);
        // Start afresh: the server sends everything again on a new connection.
        ws?.close();
      });
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  /**
   * Shows another recording: `{"type": "select_recording"}`. From now on only its frames are
   * handed on (the server sends `selected`, its backlog, then caught_up); queries still
   * pending for the previous recording fail.
   */
  select(info: RecordingInfo): void {
    const ws = this.ws;
    this.wantedRecording = info.recording_id;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    this.recording = info.recording;
    for (const q of this.pending.values()) q.reject(new Error('another recording was selected'));
    this.pending.clear();
    ws.send(JSON.stringify({ type: 'select_recording', recording_id: info.recording_id }));
    // The previous recording's backlog is of no use any more.
    this.backlogAbort?.abort();
  }

  /** A message or frame of another recording than the one shown (sent before a switch). */
  private stale(tag: unknown): boolean {
    return this.recording !== undefined && typeof tag === 'number' && tag !== this.recording;
  }

  /** A server-side query (latest_at or range); resolves with the answer's chunks. */
  query(q: Record<string, unknown>): Promise<Chunk[]> {
    return this.request({ ...q, type: 'query' });
  }

  /**
   * Asks again for the rows of a time window (after the memory budget dropped them):
   * `{"type": "subscribe", "timeline", "min", "max", "entities"}`; resolves with whole chunks
   * to add to the store.
   */
  subscribe(s: { timeline: string; min: string; max: string; entities: string[] }): Promise<SubscribeAnswer> {
    return this.request({ ...s, type: 'subscribe' }, (chunks, done) => ({
      chunks,
      // A server paging a file narrows a window whose chunks do not fit its cache.
      min: typeof done.min === 'string' ? done.min : undefined,
      max: typeof done.max === 'string' ? done.max : undefined,
    }));
  }

  private request(msg: Record<string, unknown>): Promise<Chunk[]>;
  private request<T>(msg: Record<string, unknown>, answer: (chunks: Chunk[], done: Record<string, unknown>) => T): Promise<T>;
  private request<T>(msg: Record<string, unknown>, answer?: (chunks: Chunk[], done: Record<string, unknown>) => T): Promise<T | Chunk[]> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextQueryId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { chunks: [], resolve: (chunks, done) => resolve(answer ? answer(chunks, done) : chunks), reject });
      ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  private onMessage(data: ArrayBuffer | string): void {
    // While the backlog is fetched, what comes after it on the WebSocket waits.
    if (this.held) {
      this.held.push(data);
      return;
    }
    if (typeof data !== 'string') {
      this.onBinary(data);
      return;
    }
    this.onText(data);
  }

  private onBinary(data: ArrayBuffer | Uint8Array): void {
    this.framesReceived++;
    this.bytesReceived += data.byteLength;
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      this.handlers.onError(`undecodable chunk frame: ${(e as Error).message}`);
      return;
    }
    // Kind-1 frames carry their recording's number where the request id goes.
    if (frame.kind === FrameKind.ChunkAdded) {
      if (!this.stale(frame.requestId)) this.handlers.onChunk(frame.chunk);
    }
    else if (frame.kind === FrameKind.QueryResult) this.pending.get(frame.requestId)?.chunks.push(frame.chunk);
  }

  private onText(data: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(data) as Record<string, unknown>;
    } catch {
      this.handlers.onError(`bad JSON message: ${data.slice(0, 80)}`);
      return;
    }
    // Messages about another recording than the one shown were sent before a switch.
    if (msg.type !== 'selected' && msg.type !== 'hello' && this.stale(msg.recording)) return;
    switch (msg.type) {
      case 'hello': {
        const hello = msg as unknown as Hello;
        this.recording = hello.recording;
        this.handlers.onHello(hello);
        break;
      }
      case 'backlog':
        this.fetchBacklog(String(msg.url));
        break;
      case 'store_info':
        this.handlers.onStoreInfo({ application_id: String(msg.application_id ?? ''), recording_id: String(msg.recording_id ?? '') });
        break;
      case 'recordings':
        this.handlers.onRecordings((msg.recordings as RecordingInfo[]) ?? []);
        break;
      case 'selected': {
        const info = msg as unknown as RecordingInfo;
        // Only the answer to the last select counts (a quick second switch).
        if (this.recording !== undefined && info.recording !== this.recording) return;
        this.recording = info.recording;
        this.handlers.onSelected(info);
        break;
      }
      case 'caught_up':
        this.handlers.onCaughtUp(Number(msg.chunks ?? 0));
        break;
      case 'paged':
        this.handlers.onPaged(msg as unknown as PagedInfo);
        break;
      case 'chunks_removed':
        this.handlers.onRemoved((msg.chunk_ids as string[]) ?? []);
        break;
      case 'query_done': {
        const q = this.pending.get(Number(msg.id));
        if (q) {
          this.pending.delete(Number(msg.id));
          q.resolve(q.chunks, msg);
        }
        break;
      }
      case 'error': {
        const q = this.pending.get(Number(msg.id));
        if (q) {
          this.pending.delete(Number(msg.id));
          q.reject(new Error(String(msg.message)));
        } else {
          this.handlers.onError(String(msg.message));
        }
        break;
      }
      default:
        // Messages added to the protocol later are ignored by older viewers.
        break;
    }
  }
}
