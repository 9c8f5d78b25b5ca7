// The page's layout: entity tree | views | selection panel side by side, with splitters to
// resize them; the views in two columns (3D scenes and plots left, the rest right) whose
// split and each view's share of its column's height are dragged with splitters; a view can
// be maximized to fill the views area (and restored). Sizes, the maximized view and the
// selected entity are kept in localStorage, so a reload keeps them.
import type { View } from '../views/view';

export interface LayoutState {
  /** Widths in CSS pixels of the entity tree and the selection panel. */
  tree: number;
  selection: number;
  /** The left column's share of the views' width (0..1). */
  split: number;
  /** Each view's weight in its column (its share of the column's height), by view id. */
  weights: Record<string, number>;
  maximized: string | null;
  selected: { entity: string; instance: number | null } | null;
}

const kStorageKey = 'reel.layout.v1';
const kLeftKinds = new Set(['spatial3d', 'plots']);
/** Pixels a view can be made as small as with a splitter. */
const kMinResized = 60;

function defaults(): LayoutState {
  return { tree: 240, selection: 300, split: 0.6, weights: {}, maximized: null, selected: null };
}

export function loadLayout(): LayoutState {
  try {
    const raw = localStorage.getItem(kStorageKey);
    if (!raw) return defaults();
    const s = JSON.parse(raw) as Partial<LayoutState>;
    const d = defaults();
    const num = (v: unknown, lo: number, hi: number, dflt: number) => (typeof v === 'number' && isFinite(v) ? Math.max(lo, Math.min(hi, v)) : dflt);
    return {
      tree: num(s.tree, 120, 1200, d.tree),
      selection: num(s.selection, 160, 1200, d.selection),
      split: num(s.split, 0.1, 0.9, d.split),
      weights: s.weights && typeof s.weights === 'object' ? s.weights : {},
      maximized: typeof s.maximized === 'string' ? s.maximized : null,
      selected: s.selected && typeof s.selected.entity === 'string' ? { entity: s.selected.entity, instance: typeof s.selected.instance === 'number' ? s.selected.instance : null } : null,
    };
  } catch {
    return defaults();
  }
}

/** Starts a drag on a splitter: `move(dx, dy)` from the press point until release. */
function dragging(handle: HTMLElement, begin: () => void, move: (dx: number, dy: number) => void, end: () => void): void {
  handle.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    const y0 = e.clientY;
    begin();
    const onMove = (m: PointerEvent) => move(m.clientX - x0, m.clientY - y0);
    const onUp = () => {
      handle.removeEventListener('pointermove', onMove);
      handle.removeEventListener('pointerup', onUp);
      handle.removeEventListener('pointercancel', onUp);
      end();
    };
    handle.addEventListener('pointermove', onMove);
    handle.addEventListener('pointerup', onUp);
    handle.addEventListener('pointercancel', onUp);
  });
}

function splitter(direction: 'col' | 'row', name: string): HTMLElement {
  const s = document.createElement('div');
  s.className = `splitter splitter-${direction}`;
  s.dataset.splitter = name;
  return s;
}

export class PanelLayout {
  readonly state: LayoutState = loadLayout();
  private readonly left = document.createElement('div');
  private readonly right = document.createElement('div');
  private readonly columnSplitter = splitter('col', 'columns');
  private views: View[] = [];
  /** Bumped on every change of sizes (views redraw at their new size). */
  version = 0;

  constructor(
    middle: HTMLElement,
    private readonly tree: HTMLElement,
    private readonly viewsEl: HTMLElement,
    private readonly selection: HTMLElement,
  ) {
    this.left.className = 'view-column';
    this.left.dataset.column = 'left';
    this.right.className = 'view-column';
    this.right.dataset.column = 'right';
    viewsEl.append(this.left, this.columnSplitter, this.right);
    const treeSplitter = splitter('col', 'tree');
    const selSplitter = splitter('col', 'selection');
    middle.append(tree, treeSplitter, viewsEl, selSplitter, selection);
    let start = 0;
    dragging(treeSplitter, () => (start = this.state.tree), (dx) => this.set({ tree: Math.max(120, start + dx) }), () => this.save());
    dragging(selSplitter, () => (start = this.state.selection), (dx) => this.set({ selection: Math.max(160, start - dx) }), () => this.save());
    dragging(
      this.columnSplitter,
      () => (start = this.left.getBoundingClientRect().width),
      (dx) => {
        const total = this.left.getBoundingClientRect().width + this.right.getBoundingClientRect().width;
        if (total > 0) this.set({ split: Math.max(0.1, Math.min(0.9, (start + dx) / total)) });
      },
      () => this.save(),
    );
    this.apply();
  }

  private set(patch: Partial<LayoutState>): void {
    Object.assign(this.state, patch);
    this.apply();
  }

  save(): void {
    try {
      localStorage.setItem(kStorageKey, JSON.stringify(this.state));
    } catch {
      // Storage full or disabled: the layout is not kept, nothing else changes.
    }
  }

  setSelected(sel: { entity: string; instance: number | null } | null): void {
    this.state.selected = sel;
    this.save();
  }

  /** Maximizes a view (null restores every view). */
  maximize(id: string | null): void {
    this.state.maximized = id;
    this.save();
    this.arrange();
  }

  /** Puts the views (in the app's order) into the columns, with a splitter between neighbours. */
  place(views: View[]): void {
    this.views = views;
    for (const v of views) this.decorate(v);
    this.arrange();
  }

  private weight(v: View): number {
    return this.state.weights[v.id] ?? (kLeftKinds.has(v.kind) ? 2 : 1);
  }

  private decorate(v: View): void {
    const header = v.element.querySelector(':scope > .panel-header');
    if (!header || header.querySelector('.panel-maximize')) return;
    const b = document.createElement('button');
    b.className = 'panel-maximize';
    b.title = 'maximize this view (again to restore)';
    b.textContent = '⤢';
    b.addEventListener('click', () => this.maximize(this.state.maximized === v.id ? null : v.id));
    header.append(b);
    header.addEventListener('dblclick', (e) => {
      if (e.target instanceof HTMLButtonElement) return;
      this.maximize(this.state.maximized === v.id ? null : v.id);
    });
    v.element.dataset.viewId = v.id;
  }

  private arrange(): void {
    const max = this.views.find((v) => v.id === this.state.maximized) ?? null;
    const leftViews = this.views.filter((v) => kLeftKinds.has(v.kind));
    const rightViews = this.views.filter((v) => !kLeftKinds.has(v.kind));
    const fill = (col: HTMLElement, views: View[]) => {
      const want: HTMLElement[] = [];
      views.forEach((v, i) => {
        if (i > 0) want.push(this.rowSplitter(views[i - 1], v));
        want.push(v.element);
      });
      // Keep elements in place when nothing changed (moving a canvas restarts its drawing).
      const now = [...col.children];
      const same = now.length === want.length && now.every((el, i) => el === want[i]);
      if (!same) col.replaceChildren(...want);
      views.forEach((v) => {
        v.element.style.flex = `${this.weight(v)} 1 0px`;
        // A view the user sized may go below the default minimum height (the stylesheet's).
        v.element.style.minHeight = this.state.weights[v.id] !== undefined && v !== max ? `${kMinResized}px` : '';
        v.element.classList.toggle('maximized', v === max);
        v.element.hidden = max !== null && v !== max;
        v.element.querySelector('.panel-maximize')?.setAttribute('data-on', String(v === max));
      });
      for (const s of col.querySelectorAll<HTMLElement>(':scope > .splitter')) s.hidden = max !== null;
    };
    fill(this.left, leftViews);
    fill(this.right, rightViews);
    const leftShown = max ? kLeftKinds.has(max.kind) : leftViews.length > 0;
    const rightShown = max ? !kLeftKinds.has(max.kind) : rightViews.length > 0;
    this.left.hidden = !leftShown;
    this.right.hidden = !rightShown;
    this.columnSplitter.hidden = !(leftShown && rightShown);
    this.left.style.flex = leftShown && rightShown ? `${this.state.split} 1 0px` : '1 1 0px';
    this.right.style.flex = leftShown && rightShown ? `${1 - this.state.split} 1 0px` : '1 1 0px';
    this.viewsEl.dataset.maximized = max?.id ?? '';
    this.version++;
  }

  private rowSplitter(above: View, below: View): HTMLElement {
    const name = `${above.id}|${below.id}`;
    const existing = [...this.viewsEl.querySelectorAll<HTMLElement>('.splitter-row')].find((s) => s.dataset.splitter === name);
    if (existing) return existing;
    const s = splitter('row', name);
    let h0 = 0;
    let h1 = 0;
    let w0 = 0;
    let w1 = 0;
    dragging(
      s,
      () => {
        h0 = above.element.getBoundingClientRect().height;
        h1 = below.element.getBoundingClientRect().height;
        // Every view of the column keeps the height it has now (as its weight, in units of
        // 100 px), so only the two beside the splitter change; a column that scrolled
        // (views at their minimum height) then fits its views.
        const column = above.element.parentElement;
        for (const v of this.views) {
          if (v.element.parentElement === column && !v.element.hidden) this.state.weights[v.id] = v.element.getBoundingClientRect().height / 100;
        }
        w0 = this.weight(above);
        w1 = this.weight(below);
      },
      (_dx, dy) => {
        const total = h0 + h1;
        if (total <= 0) return;
        const a = Math.max(kMinResized, Math.min(total - kMinResized, h0 + dy));
        this.state.weights[above.id] = ((w0 + w1) * a) / total;
        this.state.weights[below.id] = ((w0 + w1) * (total - a)) / total;
        this.arrange();
      },
      () => this.save(),
    );
    return s;
  }

  private apply(): void {
    this.tree.style.width = `${this.state.tree}px`;
    this.selection.style.width = `${this.state.selection}px`;
    if (this.views.length) this.arrange();
    else this.version++;
  }
}
