// The entity tree: every entity path (and its ancestors) as a tree with a checkbox to show
// or hide the entity and its subtree, and the archetypes logged on it. Entities whose data
// no view draws are marked "not displayed", so nothing is silently missing.
import type { ViewerStore } from '../data/store';
import { notDisplayed } from '../views/layout';

interface TreeNode {
  path: string;
  name: string;
  children: Map<string, TreeNode>;
}

export function buildTree(paths: Iterable<string>): TreeNode {
  const root: TreeNode = { path: '/', name: '/', children: new Map() };
  for (const p of paths) {
    let node = root;
    let acc = '';
    for (const part of p.split('/').filter(Boolean)) {
      acc += `/${part}`;
      let child = node.children.get(part);
      if (!child) {
        child = { path: acc, name: part, children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
  }
  return root;
}

export class EntityTree {
  readonly element = document.createElement('aside');
  private readonly list = document.createElement('div');
  private readonly hidden = new Set<string>();
  private readonly collapsed = new Set<string>();
  /** Nodes folded by default once, or toggled by the user: never folded automatically again. */
  private readonly settled = new Set<string>();
  private shownKey = '';
  private selected: string | null = null;
  version = 0;
  /** Called when the user clicks an entity's name. */
  onSelect: ((path: string) => void) | null = null;

  constructor() {
    this.element.className = 'entity-tree';
    const title = document.createElement('div');
    title.className = 'sidebar-title';
    title.textContent = 'Entities';
    this.list.className = 'tree';
    this.element.append(title, this.list);
  }

  /** Marks the selected entity's row. */
  setSelected(path: string | null): void {
    this.selected = path;
    for (const row of this.list.querySelectorAll<HTMLElement>('.tree-row')) row.classList.toggle('tree-selected', row.dataset.entity === path);
  }

  /** False when the entity or one of its ancestors is hidden. */
  isVisible(path: string): boolean {
    if (this.hidden.size === 0) return true;
    if (this.hidden.has(path)) return false;
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      if (this.hidden.has(path.slice(0, i))) return false;
    }
    return false === this.hidden.has('/');
  }

  setVisible(path: string, visible: boolean): void {
    if (visible) this.hidden.delete(path);
    else this.hidden.add(path);
    this.version++;
    this.shownKey = '';
  }

  update(store: ViewerStore): void {
    const key = `${[...store.entities.keys()].join('\n')}|${[...store.entities.values()].map((e) => e.components.size).join(',')}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    const tree = buildTree(store.entities.keys());
    const undrawn = notDisplayed(store);
    const frag = document.createDocumentFragment();
    const add = (node: TreeNode, depth: number, parentHidden: boolean) => {
      const children = [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
      // Long lists of leaves (plots/p3/s0..s4) are folded so the tree stays readable.
      if (!this.settled.has(node.path) && depth >= 2 && children.length >= 4 && children.every((c) => c.children.size === 0)) {
        this.settled.add(node.path);
        this.collapsed.add(node.path);
      }
      const row = document.createElement('div');
      row.className = 'tree-row';
      row.dataset.entity = node.path;
      row.style.paddingLeft = `${6 + depth * 14}px`;
      const toggle = document.createElement('span');
      toggle.className = 'tree-toggle';
      toggle.textContent = children.length ? (this.collapsed.has(node.path) ? '▸' : '▾') : '';
      if (children.length) toggle.title = this.collapsed.has(node.path) ? `show ${children.length} children` : 'fold';
      toggle.addEventListener('click', () => {
        this.settled.add(node.path);
        if (this.collapsed.has(node.path)) this.collapsed.delete(node.path);
        else this.collapsed.add(node.path);
        this.shownKey = '';
        this.update(store);
      });
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !this.hidden.has(node.path);
      box.title = `show ${node.path}`;
      box.addEventListener('change', () => this.setVisible(node.path, box.checked));
      const name = document.createElement('span');
      name.className = 'tree-name';
      name.textContent = node.name;
      name.title = `select ${node.path}`;
      name.addEventListener('click', () => this.onSelect?.(node.path));
      row.classList.toggle('tree-selected', node.path === this.selected);
      row.classList.toggle('tree-hidden', parentHidden || this.hidden.has(node.path));
      const kinds = document.createElement('span');
      kinds.className = 'tree-kinds';
      kinds.textContent = [...store.archetypes(node.path)].filter((a) => a).join(' ');
      row.append(toggle, box, name, kinds);
      if (undrawn.has(node.path)) {
        row.classList.add('tree-undrawn');
        row.dataset.notDisplayed = 'true';
        const note = document.createElement('span');
        note.className = 'tree-undrawn-note';
        note.textContent = 'not displayed';
        note.title = 'no view of this viewer draws these archetypes yet';
        row.append(note);
      }
      frag.append(row);
      if (this.collapsed.has(node.path)) return;
      for (const c of children) add(c, depth + 1, parentHidden || this.hidden.has(node.path));
    };
    add(tree, 0, false);
    this.list.replaceChildren(frag);
  }
}
