// The text log table: every TextLog row of the visible entities up to the time cursor,
// in (time, RowId) order, filtered by level.
import { compareRowIds, isLogged } from '../data/chunk';
import { colorCss, primitives, stringAt } from '../data/components';
import type { ViewerStore } from '../data/store';
import { formatTime } from '../data/time';
import type { TimeType } from '../data/chunk';
import type { Pick } from './pick';
import { panel, type View, type ViewContext } from './view';
import * as C from '../data/components.generated';

export const kLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'];
const kMaxRows = 500;

export interface LogEntry {
  /** null for static rows. */
  time: bigint | null;
  rowIds: Uint8Array;
  row: number;
  entity: string;
  level: string;
  text: string;
  color: number | null;
}

/** All TextLog entries on a timeline (static ones first), in (time, RowId) order. */
export function collectLogs(store: ViewerStore, timeline: string | null, include: (entity: string) => boolean): LogEntry[] {
  const out: LogEntry[] = [];
  for (const e of store.entities.values()) {
    if (!e.components.has(C.TextLog.text) || !include(e.path)) continue;
    for (const chunk of e.byComponent.get(C.TextLog.text)!) {
      const time = timeline ? chunk.times.get(timeline) : undefined;
      if (!chunk.isStatic && !time) continue;
      const text = chunk.components.get(C.TextLog.text)!;
      const level = chunk.components.get(C.TextLog.level);
      const color = chunk.components.get(C.TextLog.color);
      for (let r = 0; r < chunk.numRows; r++) {
        if (!isLogged(text, r)) continue;
        for (let k = text.offsets[r]; k < text.offsets[r + 1]; k++) {
          const i = k - text.offsets[r];
          const lk = level && isLogged(level, r) && level.offsets[r + 1] > level.offsets[r] ? Math.min(level.offsets[r] + i, level.offsets[r + 1] - 1) : -1;
          const ck = color && isLogged(color, r) && color.offsets[r + 1] > color.offsets[r] ? Math.min(color.offsets[r] + i, color.offsets[r + 1] - 1) : -1;
          out.push({
            time: time ? time.values[r] : null,
            rowIds: chunk.rowIds,
            row: r,
            entity: e.path,
            level: lk >= 0 ? stringAt(level!.instances, lk) : '',
            text: stringAt(text.instances, k),
            color: ck >= 0 ? (primitives(color!) as Uint32Array)[ck] : null,
          });
        }
      }
    }
  }
  out.sort((a, b) => {
    if (a.time !== b.time) {
      if (a.time === null) return -1;
      if (b.time === null) return 1;
      return a.time < b.time ? -1 : 1;
    }
    return compareRowIds(a.rowIds, a.row, b.rowIds, b.row);
  });
  return out;
}

export class TextLogView implements View {
  readonly kind = 'text_log';
  readonly element: HTMLElement;
  private readonly table = document.createElement('table');
  private readonly tbody = document.createElement('tbody');
  private readonly info = document.createElement('span');
  private readonly filters = document.createElement('div');
  private readonly enabled = new Set(kLevels.concat(['']));
  private entries: LogEntry[] = [];
  private entriesKey = '';
  private shownKey = '';
  private timeType: TimeType = 'sequence';

  constructor(readonly id: string) {
    const p = panel('text_log', 'Logs');
    this.element = p.element;
    this.info.className = 'panel-info';
    this.filters.className = 'level-filter';
    for (const level of kLevels) {
      const label = document.createElement('label');
      label.className = `level level-${level.toLowerCase()}`;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.dataset.level = level;
      box.addEventListener('change', () => {
        if (box.checked) this.enabled.add(level);
        else this.enabled.delete(level);
        this.shownKey = '';
      });
      label.append(box, level);
      this.filters.append(label);
    }
    p.header.append(this.filters, this.info);
    const head = document.createElement('thead');
    head.innerHTML = '<tr><th>time</th><th>entity</th><th>level</th><th>text</th></tr>';
    this.table.className = 'log-table';
    this.table.append(head, this.tbody);
    const scroller = document.createElement('div');
    scroller.className = 'log-scroll';
    scroller.append(this.table);
    p.body.append(scroller);
  }

  update(ctx: ViewContext): void {
    const key = `${ctx.storeVersion}|${ctx.timeline}|${ctx.visibilityVersion}`;
    if (key !== this.entriesKey) {
      this.entriesKey = key;
      this.entries = collectLogs(ctx.store, ctx.timeline, (e) => ctx.isVisible(e));
      this.shownKey = '';
    }
    this.timeType = ctx.timeType;
    const shown = `${key}|${ctx.cursorVersion}|${[...this.enabled].join(',')}`;
    if (shown === this.shownKey) return;
    this.shownKey = shown;
    this.render(ctx.time);
  }

  private render(t: bigint): void {
    // Entries up to the cursor: binary search on the sorted times (static first).
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.entries[mid].time;
      if (m === null || m <= t) lo = mid + 1;
      else hi = mid;
    }
    const rows: LogEntry[] = [];
    let total = 0;
    for (let i = lo - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (!this.enabled.has(e.level.toUpperCase()) && !(e.level === '' && this.enabled.has(''))) continue;
      total++;
      if (rows.length < kMaxRows) rows.push(e);
    }
    rows.reverse();
    const frag = document.createDocumentFragment();
    for (const e of rows) {
      const tr = document.createElement('tr');
      tr.className = `log-row level-${e.level.toLowerCase() || 'none'}`;
      tr.dataset.entity = e.entity;
      const cells = [e.time === null ? 'static' : formatTime(e.time, this.timeType), e.entity, e.level, e.text];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 3 && e.color !== null) td.style.color = colorCss(e.color);
        tr.append(td);
      });
      frag.append(tr);
    }
    this.tbody.replaceChildren(frag);
    this.info.textContent = total > rows.length ? `last ${rows.length} of ${total}` : `${total} ${total === 1 ? 'row' : 'rows'}`;
    this.element.dataset.rows = String(rows.length);
    const scroller = this.tbody.closest('.log-scroll');
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }

  /** The entity of the log row under the cursor (a click selects it). */
  pick(clientX: number, clientY: number): Pick | null {
    const el = document.elementFromPoint(clientX, clientY);
    if (!el || !this.tbody.contains(el)) return null;
    const row = el.closest<HTMLElement>('tr.log-row');
    return { view: this.id, entity: row?.dataset.entity ?? null, instance: null };
  }

  dispose(): void {
    this.element.remove();
  }
}
