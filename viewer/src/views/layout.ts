// Which views the data calls for, chosen from the archetypes in the component descriptors.
import type { ViewerStore } from '../data/store';

export type ViewKind = 'spatial3d' | 'plots' | 'image' | 'text_log' | 'text_document';

export interface ViewSpec {
  /** Stable across relayouts, so views are kept while their data grows. */
  readonly id: string;
  readonly kind: ViewKind;
  readonly title: string;
  /** The subtree a 3D or plots view shows, or the one entity of an image/document view. */
  readonly root: string;
}

const k3D = new Set(['Points3D', 'Boxes3D', 'LineStrips3D', 'Arrows3D']);
const kImage = new Set(['Image', 'EncodedImage', 'DepthImage', 'Tensor']);

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
      if (k3D.has(a)) add('spatial3d', topLevel(path));
      else if (kImage.has(a)) add('image', path);
      else if (a === 'Scalars') add('plots', topLevel(path));
      else if (a === 'TextLog') add('text_log', '/', 'Logs');
      else if (a === 'TextDocument') add('text_document', path);
    }
  }
  return [...specs.values()].sort((a, b) => kOrder.indexOf(a.kind) - kOrder.indexOf(b.kind) || a.root.localeCompare(b.root));
}
