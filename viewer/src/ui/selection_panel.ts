// The selection panel: the selected entity's components at the time cursor, each read as
// the views read it (latest-at, Clear honoured): its values, Arrow type, row id and the
// row's time on each of its timelines. `window.reel.selection()` returns these rows.
import type { TimeType } from '../data/chunk';
import { rowIdHex } from '../data/chunk';
import { formatTime } from '../data/time';
import { latestAt, type ViewContext } from '../views/view';
import { arrowTypeText, instanceTexts, kMaxListItems, valueText } from './values';

export interface Selection {
  readonly entity: string;
  /** The instance picked in a view, when the view knows it. */
  readonly instance: number | null;
}

export interface SelectionRow {
  readonly component: string;
  readonly archetype: string;
  readonly field: string;
  readonly component_type: string;
  readonly arrow_type: string;
  /** Instances in the row. */
  readonly count: number;
  /** The first kMaxListItems instances as text. */
  readonly values: string[];
  /** The selected instance's value (the last one repeats, as views join them), if any. */
  readonly instance_value: string | null;
  readonly row_id: string;
  readonly static: boolean;
  /** The row's time on each timeline of its chunk (i64 as text: sequence or nanoseconds). */
  readonly times: Record<string, string>;
}

export interface SelectionState {
  readonly entity: string;
  readonly instance: number | null;
  readonly rows: SelectionRow[];
}

/** The rows of an entity's components at the cursor (null rows: nothing logged, or cleared). */
export function selectionRows(ctx: ViewContext, sel: Selection): SelectionRow[] {
  const e = ctx.store.entities.get(sel.entity);
  if (!e) return [];
  const out: SelectionRow[] = [];
  const names = [...e.components.keys()].sort();
  for (const name of names) {
    const ref = latestAt(ctx, sel.entity, name);
    if (!ref) continue;
    const col = ref.chunk.components.get(name)!;
    const start = col.offsets[ref.row];
    const end = col.offsets[ref.row + 1];
    const times: Record<string, string> = {};
    for (const [tl, t] of ref.chunk.times) times[tl] = String(t.values[ref.row]);
    const n = end - start;
    out.push({
      component: name,
      archetype: col.archetype,
      field: col.field,
      component_type: col.componentType,
      arrow_type: arrowTypeText(col),
      count: n,
      values: instanceTexts(col, start, end),
      instance_value: sel.instance !== null && n > 0 ? valueText(col.instances, start + Math.min(sel.instance, n - 1), col.componentType) : null,
      row_id: rowIdHex(ref.chunk.rowIds, ref.row),
      static: ref.time === null,
      times,
    });
  }
  return out;
}

export class SelectionPanel {
  readonly element = document.createElement('aside');
  private readonly title = document.createElement('div');
  private readonly body = document.createElement('div');
  private selection: Selection | null = null;
  private rows: SelectionRow[] = [];
  private key = '';
  /** Bumped when the selection changes (the app redraws then). */
  version = 0;

  constructor(private readonly onChange: (sel: Selection | null) => void) {
    this.element.className = 'selection-panel';
    const head = document.createElement('div');
    head.className = 'sidebar-title';
    head.textContent = 'Selection';
    const clear = document.createElement('button');
    clear.className = 'selection-clear';
    clear.textContent = '×';
    clear.title = 'clear the selection (Escape)';
    clear.addEventListener('click', () => this.set(null));
    head.append(clear);
    this.title.className = 'selection-title';
    this.body.className = 'selection-body';
    this.element.append(head, this.title, this.body);
    this.render(null);
  }

  get current(): Selection | null {
    return this.selection;
  }

  set(sel: Selection | null): void {
    const same = sel === this.selection || (sel && this.selection && sel.entity === this.selection.entity && sel.instance === this.selection.instance);
    if (same) return;
    this.selection = sel;
    this.version++;
    this.key = '';
    this.onChange(sel);
  }

  state(): SelectionState | null {
    return this.selection ? { entity: this.selection.entity, instance: this.selection.instance, rows: this.rows } : null;
  }

  update(ctx: ViewContext): void {
    const sel = this.selection;
    const key = sel ? `${sel.entity}|${sel.instance}|${ctx.storeVersion}|${ctx.cursorVersion}|${ctx.timeline}` : '-';
    if (key === this.key) return;
    this.key = key;
    this.rows = sel ? selectionRows(ctx, sel) : [];
    this.render(ctx);
  }

  private render(ctx: ViewContext | null): void {
    const sel = this.selection;
    this.element.dataset.entity = sel?.entity ?? '';
    if (!sel) {
      this.title.textContent = '';
      const hint = document.createElement('div');
      hint.className = 'selection-hint';
      hint.textContent = 'Click an entity in the tree or in a view.';
      this.body.replaceChildren(hint);
      return;
    }
    this.title.textContent = sel.instance !== null ? `${sel.entity} [${sel.instance}]` : sel.entity;
    if (this.rows.length === 0) {
      const none = document.createElement('div');
      none.className = 'selection-hint';
      none.textContent = ctx?.store.entities.has(sel.entity) ? 'nothing logged at this time' : 'no data of its own';
      this.body.replaceChildren(none);
      return;
    }
    const types = new Map<string, TimeType>();
    if (ctx) for (const t of ctx.store.timelines.values()) types.set(t.name, t.type);
    const frag = document.createDocumentFragment();
    let archetype: string | null = null;
    for (const r of this.rows) {
      if (r.archetype !== archetype) {
        archetype = r.archetype;
        const h = document.createElement('div');
        h.className = 'selection-archetype';
        h.textContent = r.archetype || '(no archetype)';
        frag.append(h);
      }
      const row = document.createElement('div');
      row.className = 'selection-row';
      row.dataset.component = r.component;
      const name = document.createElement('div');
      name.className = 'selection-field';
      name.textContent = r.field || r.component;
      name.title = `${r.component_type}\nArrow: ${r.arrow_type}`;
      const value = document.createElement('div');
      value.className = 'selection-value';
      const shown = r.instance_value !== null ? [r.instance_value] : r.values;
      shown.forEach((v, i) => {
        if (i) value.append(', ');
        if (/^#[0-9a-f]{8}$/.test(v)) {
          const sw = document.createElement('span');
          sw.className = 'swatch';
          sw.style.background = `#${v.slice(1)}`;
          value.append(sw);
        }
        value.append(v);
      });
      if (r.instance_value === null && r.count > kMaxListItems) value.append(` … (${r.count.toLocaleString('en-US')} in all)`);
      else if (r.instance_value !== null && r.count > 1) value.append(` (instance ${sel.instance} of ${r.count})`);
      const meta = document.createElement('div');
      meta.className = 'selection-meta';
      const when = r.static ? 'static' : Object.entries(r.times).map(([tl, t]) => `${tl} ${formatTime(BigInt(t), types.get(tl) ?? 'sequence')}`).join(' · ');
      meta.textContent = `${r.arrow_type} · ${when} · row ${r.row_id}`;
      row.append(name, value, meta);
      frag.append(row);
    }
    this.body.replaceChildren(frag);
  }
}

