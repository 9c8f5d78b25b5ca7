// The transform chain of the 3D view: an entity's Transform3D (translation * mat3x3 *
// rotation * scale, the rotation a quaternion or an axis-angle, inverted for ChildFromParent)
// and tf-style named frames: a Transform3D with child_frame and parent_frame is an edge
// between two frames instead of the entity's own transform, and an entity with a
// CoordinateFrame is placed in that frame, as is a Pinhole with a parent_frame (its frustum
// and everything under it). A frame is resolved by following edges to an
// entity's implicit frame (`tf#/path`) or to a frame with no parent (the view's root space).
import * as THREE from 'three';
import { structField } from '../data/components';
import { batch, batchKey, numberAt, stringOf, vectorAt } from './instances';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

const T = C.Transform3D;
const kComponents = [T.translation, T.quaternion, T.scale, T.mat3x3, T.rotation_axis_angle, T.relation, T.child_frame, T.parent_frame];

export interface EntityTransform {
  /** Names the rows read, to skip work when unchanged. */
  readonly key: string;
  /** Parent-from-child. */
  readonly matrix: THREE.Matrix4;
  /** Set when the transform is a named-frame edge (then it does not move the entity). */
  readonly child: string | null;
  readonly parent: string | null;
}

export function entityTransform(ctx: ViewContext, entity: string): EntityTransform {
  const b = kComponents.map((c) => batch(ctx, entity, c));
  const key = b.map(batchKey).join('|');
  const [tb, qb, sb, mb, ab, rb, cb, pb] = b;
  const t = vectorAt(tb, 0, 3);
  const q = vectorAt(qb, 0, 4);
  const sc = vectorAt(sb, 0, 3);
  const m3 = vectorAt(mb, 0, 9);
  const rotation = new THREE.Quaternion();
  if (q) rotation.set(q[0], q[1], q[2], q[3]).normalize();
  else if (ab) {
    const axis = structField(ab.col, 'axis');
    const angle = structField(ab.col, 'angle').values as Float32Array;
    const k = ab.start;
    const a = (axis.children[0].values as Float32Array).subarray(3 * k, 3 * k + 3);
    const v = new THREE.Vector3(a[0], a[1], a[2]);
    if (v.lengthSq() > 0) rotation.setFromAxisAngle(v.normalize(), angle[k]);
  }
  const m = new THREE.Matrix4().compose(
    t ? new THREE.Vector3(t[0], t[1], t[2]) : new THREE.Vector3(),
    rotation,
    sc ? new THREE.Vector3(sc[0], sc[1], sc[2]) : new THREE.Vector3(1, 1, 1),
  );
  if (m3) {
    // Column-major 3x3, applied after the translation: T * M3 * R * S.
    const mm = new THREE.Matrix4().set(m3[0], m3[3], m3[6], 0, m3[1], m3[4], m3[7], 0, m3[2], m3[5], m3[8], 0, 0, 0, 0, 1);
    const tr = new THREE.Matrix4().makeTranslation(m.elements[12], m.elements[13], m.elements[14]);
    m.setPosition(0, 0, 0);
    m.premultiply(mm).premultiply(tr);
  }
  if (numberAt(rb, 0) === C.TransformRelation.ChildFromParent) m.invert();
  return { key, matrix: m, child: stringOf(cb, 0), parent: stringOf(pb, 0) };
}

/** Every named-frame edge of the recording: child frame -> (parent frame, parent-from-child). */
export function frameEdges(ctx: ViewContext): Map<string, { parent: string; matrix: THREE.Matrix4 }> {
  const out = new Map<string, { parent: string; matrix: THREE.Matrix4 }>();
  for (const e of ctx.store.entities.values()) {
    if (!e.components.has(T.child_frame)) continue;
    const tf = entityTransform(ctx, e.path);
    if (tf.child && tf.parent) out.set(tf.child, { parent: tf.parent, matrix: tf.matrix });
  }
  return out;
}

/**
 * Root-from-frame of a named frame; `entityMatrix` gives root-from-entity of an implicit
 * `tf#/path` frame. A frame without a parent is the root space; cycles stop after 64 steps.
 */
export function resolveFrame(
  frame: string,
  edges: Map<string, { parent: string; matrix: THREE.Matrix4 }>,
  entityMatrix: (path: string) => THREE.Matrix4 | null,
): THREE.Matrix4 {
  const chain: THREE.Matrix4[] = [];
  let f = frame;
  let base = new THREE.Matrix4();
  for (let step = 0; step < 64; step++) {
    if (f.startsWith('tf#')) {
      base = entityMatrix(f.slice(3) || '/') ?? new THREE.Matrix4();
      break;
    }
    const edge = edges.get(f);
    if (!edge) break;
    chain.push(edge.matrix);
    f = edge.parent;
  }
  const m = base.clone();
  for (let i = chain.length - 1; i >= 0; i--) m.multiply(chain[i]);
  return m;
}

/**
 * The named frame an entity's data is in, or null for its implicit frame: a Pinhole's
 * parent_frame (the camera's 3D frame, where Rerun draws the frustum without a
 * CoordinateFrame), else its CoordinateFrame.
 */
export function coordinateFrame(ctx: ViewContext, entity: string): string | null {
  return stringOf(batch(ctx, entity, C.Pinhole.parent_frame), 0) ?? stringOf(batch(ctx, entity, C.CoordinateFrame.frame), 0);
}

/** Whether an entity may be placed by a named frame (CoordinateFrame or a Pinhole's parent_frame). */
export function hasNamedFrame(components: ReadonlySet<string> | ReadonlyMap<string, unknown> | undefined): boolean {
  return !!components && (components.has(C.CoordinateFrame.frame) || components.has(C.Pinhole.parent_frame));
}
