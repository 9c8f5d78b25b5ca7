// Which views the data calls for, chosen from the archetypes in the component descriptors
// and what the archetype definition (components.generated.ts) says draws each one.
import { ARCHETYPES, type ViewKind as DefinedViewKind } from '../data/components.generated';
import type { ViewerStore } from '../data/store';
import * as C from '../data/components.generated';

/** The views this viewer has. */
export type ViewKind = Extract<DefinedViewKind, 'spatial3d' | 'spatial2d' | 'plots' | 'image' | 'text_log' | 'text_document' | 'bar_chart' | 'graph' | 'map'>;
const kImplemented: ReadonlySet<string> = new Set<ViewKind>(['spatial3d', 'spatial2d', 'plots', 'image', 'text_log', 'text_document', 'bar_chart', 'graph', 'map']);

const kImagePrimaries = [C.Image.buffer, C.EncodedImage.blob, C.DepthImage.buffer, C.Tensor.data, C.SegmentationImage.buffer];

export function isImageEntity(store: ViewerStore, path: string): boolean {
  const e = store.entities.get(path);
  return !!e && kImagePrimaries.some((c) => e.components.has(c));
}

export function isPinholeEntity(store: ViewerStore, path: string): boolean {
  return !!store.entities.get(path)?.components.has(C.Pinhole.image_from_camera);
}

/** A 2D space: a camera's image space (its Pinhole entity) or an image and what is logged under it. */
export interface Space2D {
  readonly kind: 'image' | 'spatial2d';
  readonly root: string;
}

/** The 2D space of an entity from its ancestors alone (nearest Pinhole, else outermost image). */
function ownSpace(store: ViewerStore, path: string): Space2D | null {
  let image: string | null = null;
  for (let p = path; ; p = parentPath(p)) {
    if (isPinholeEntity(store, p)) return { kind: 'spatial2d', root: p };
    if (isImageEntity(store, p)) image = p;
    if (p === '/') break;
  }
  return image ? { kind: 'image', root: image } : null;
}

const siblingCache = new WeakMap<ViewerStore, { version: number; images: Map<string, Set<string>> }>();

/** Image spaces (outside cameras) by the parent of their root: who 2D siblings can join. */
function imagesByParent(store: ViewerStore): Map<string, Set<string>> {
  let c = siblingCache.get(store);
  if (!c || c.version !== store.version) {
    const images = new Map<string, Set<string>>();
    for (const path of store.entities.keys()) {
      const s = isImageEntity(store, path) ? ownSpace(store, path) : null;
      if (s?.kind !== 'image') continue;
      const parent = parentPath(s.root);
      if (!images.has(parent)) images.set(parent, new Set());
      images.get(parent)!.add(s.root);
    }
    c = { version: store.version, images };
    siblingCache.set(store, c);
  }
  return c.images;
}

/**
 * The 2D space an entity belongs to: the nearest Pinhole at or above it (the camera's image
 * space), else the outermost image at or above it, else the one image logged beside it
 * (`/camera/image` for `/camera/detections`); null for entities in none.
 */
export function space2d(store: ViewerStore, path: string): Space2D | null {
  const own = ownSpace(store, path);
  if (own || path === '/') return own;
  const siblings = imagesByParent(store).get(parentPath(path));
  return siblings && siblings.size === 1 ? { kind: 'image', root: [...siblings][0] } : null;
}

const rootCache = new WeakMap<ViewerStore, { version: number; roots: Map<string, string> }>();

/** The root of the 2D view that draws an entity's 2D data (cached per store version). */
export function view2dRoot(store: ViewerStore, path: string): string {
  let c = rootCache.get(store);
  if (!c || c.version !== store.version) {
    c = { version: store.version, roots: new Map() };
    rootCache.set(store, c);
  }
  let root = c.roots.get(path);
  if (root === undefined) {
    root = space2d(store, path)?.root ?? topLevel(path);
    c.roots.set(path, root);
  }
  return root;
}

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

const kOrder: ViewKind[] = ['spatial3d', 'image', 'spatial2d', 'plots', 'bar_chart', 'graph', 'map', 'text_document', 'text_log'];

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
      if (kind === 'spatial3d' || kind === 'plots' || kind === 'graph' || kind === 'map') add(kind, topLevel(path));
      else if (kind === 'text_log') add('text_log', '/', 'Logs');
      else if (kind === 'image' || kind === 'spatial2d') {
        const space = space2d(store, path);
        add(space?.kind ?? 'spatial2d', space?.root ?? topLevel(path));
      } else add(kind, path);
    }
  }
  return [...specs.values()].sort((a, b) => kOrder.indexOf(a.kind) - kOrder.indexOf(b.kind) || a.root.localeCompare(b.root));
}

/**
 * Entities no view draws: they hold a visual archetype (or components of no known
 * archetype, such as AnyValues) and none the definition says is drawn. Styles, transforms and contexts are not listed:
 * they change how other data is drawn.
 */
export function notDisplayed(store: ViewerStore): Set<string> {
  const out = new Set<string>();
  for (const path of store.entities.keys()) {
    let visual = false;
    let drawn = false;
    for (const a of store.archetypes(path)) {
      const def = ARCHETYPES[a];
      if (def && def.role !== 'visual') continue;
      visual = true;
      if (def?.drawn) drawn = true;
    }
    if (visual && !drawn) out.add(path);
  }
  return out;
}
