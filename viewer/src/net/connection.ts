// The WebSocket side of docs/viewer-protocol.md: hello, chunk frames (the backlog, then
// live), caught_up, chunks_removed, and query answers. Reconnects with backoff; the server
// sends its whole store again on every connection.
import { decodeFrame, FrameKind, type Chunk } from '../data/chunk';

export interface Hello {
  version: number;
  application_id: string;
  recording_id: string;
}

export interface ConnectionHandlers {
  onOpen(): void;
  onHello(hello: Hello): void;
  /** The server's recording got its name (application and recording id) after hello. */
  onStoreInfo(info: { application_id: string; recording_id: string }): void;
  onChunk(chunk: Chunk): void;
  onCaughtUp(chunks: number): void;
  onRemoved(ids: string[]): void;
  onClose(reason: string): void;
  onError(message: string): void;
}

interface PendingQuery {
  chunks: Chunk[];
  resolve(chunks: Chunk[]): void;
  reject(e: Error): void;
}

export class Connection {
  private ws: WebSocket | null = null;
  private retryMs = 250;
  private nextQueryId = 1;
  private pending = new Map<number, PendingQuery>();
  private closed = false;
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
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.handlers.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => this.onMessage(ev.data as ArrayBuffer | string);
    ws.onclose = (ev) => {
      this.ws = null;
      for (const q of this.pending.values()) q.reject(new Error('connection closed'));
      this.pending.clear();
      this.handlers.onClose(ev.reason || `closed (${ev.code})`);
      if (!this.closed) {
        setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
      }
    };
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
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
  subscribe(s: { timeline: string; min: string; max: string; entities: string[] }): Promise<Chunk[]> {
    return this.request({ ...s, type: 'subscribe' });
  }

  private request(msg: Record<string, unknown>): Promise<Chunk[]> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextQueryId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { chunks: [], resolve, reject });
      ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  private onMessage(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      this.framesReceived++;
      this.bytesReceived += data.byteLength;
      let frame;
      try {
        frame = decodeFrame(data);
      } catch (e) {
        this.handlers.onError(`undecodable chunk frame: ${(e as Error).message}`);
        return;
      }
      if (frame.kind === FrameKind.ChunkAdded) this.handlers.onChunk(frame.chunk);
      else if (frame.kind === FrameKind.QueryResult) this.pending.get(frame.requestId)?.chunks.push(frame.chunk);
      return;
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(data) as Record<string, unknown>;
    } catch {
      this.handlers.onError(`bad JSON message: ${data.slice(0, 80)}`);
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.handlers.onHello(msg as unknown as Hello);
        break;
      case 'store_info':
        this.handlers.onStoreInfo({ application_id: String(msg.application_id ?? ''), recording_id: String(msg.recording_id ?? '') });
        break;
      case 'caught_up':
        this.handlers.onCaughtUp(Number(msg.chunks ?? 0));
        break;
      case 'chunks_removed':
        this.handlers.onRemoved((msg.chunk_ids as string[]) ?? []);
        break;
      case 'query_done': {
        const q = this.pending.get(Number(msg.id));
        if (q) {
          this.pending.delete(Number(msg.id));
          q.resolve(q.chunks);
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
