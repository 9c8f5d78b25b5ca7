// Which views the data calls for, chosen from the archetypes in the component descriptors
// and what the archetype definition (components.generated.ts) says draws each one.
import { ARCHETYPES, type ViewKind as DefinedViewKind } from '../data/components.generated';
import type { ViewerStore } from '../data/store';

/** The views this viewer has (the definition names more, e.g. spatial2d, not drawn yet). */
export type ViewKind = Extract<DefinedViewKind, 'spatial3d' | 'plots' | 'image' | 'text_log' | 'text_document'>;
const kImplemented: ReadonlySet<string> = new Set<ViewKind>(['spatial3d', 'plots', 'image', 'text_log', 'text_document']);

export interface ViewSpec {
  /** Stable across relayouts, so views are kept while their data grows. */
  readonly id: string;
  readonly kind: ViewKind;
  readonly title: string;
  /** The subtree a 3D or plots view shows, or the one entity of an image/document view. */
  readonly root: string;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** `/world/robot/lidar` -> `/world`; a top-level entity belongs to the root `/`. */
export function topLevel(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length <= 1 ? '/' : `/${parts[0]}`;
}

export function isUnder(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

const kOrder: ViewKind[] = ['spatial3d', 'image', 'plots', 'text_document', 'text_log'];

export function chooseViews(store: ViewerStore): ViewSpec[] {
  const specs = new Map<string, ViewSpec>();
  const add = (kind: ViewKind, root: string, title = root) => {
    const id = `${kind}:${root}`;
    if (!specs.has(id)) specs.set(id, { id, kind, title, root });
  };
  for (const path of store.entities.keys()) {
    const archetypes = store.archetypes(path);
    for (const a of archetypes) {
      const def = ARCHETYPES[a];
      // Only an archetype's own data makes a view appear: styles, transforms and contexts
      // change how other data is drawn.
      if (!def || def.role !== 'visual' || !def.view || !kImplemented.has(def.view)) continue;
      const kind = def.view as ViewKind;
      if (kind === 'spatial3d' || kind === 'plots') add(kind, topLevel(path));
      else if (kind === 'text_log') add('text_log', '/', 'Logs');
      else add(kind, path);
    }
  }
  return [...specs.values()].sort((a, b) => kOrder.indexOf(a.kind) - kOrder.indexOf(b.kind) || a.root.localeCompare(b.root));
}
