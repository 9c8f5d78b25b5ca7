// Meshes, model files and shapes in the 3D view: Mesh3D (positions, triangle indices,
// normals, vertex colors, albedo factor and texture), Asset3D (glTF / GLB, OBJ and STL bytes
// through three.js' loaders), Ellipsoids3D, Capsules3D and Cylinders3D (solid or wireframe by
// fill_mode), and InstancePoses3D repeating a mesh or asset once per pose.
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { OBJLoader } from 'three/addons/loaders/OBJLoader.js';
import { STLLoader } from 'three/addons/loaders/STLLoader.js';
import { defaultColor, structField } from '../data/components';
import { instanceColor, type Annotations } from './annotations';
import { bytesAt, formatAt } from './image_layers';
import { batch, count, numberAt, stringOf, vectorAt, vectors, type Batch } from './instances';
import { ColorModel, toRGBA } from './image_convert';
import { latestAt, type ViewContext } from './view';
import * as C from '../data/components.generated';

function color3(c: number): THREE.Color {
  return new THREE.Color().setRGB((c >>> 24) / 255, ((c >>> 16) & 255) / 255, ((c >>> 8) & 255) / 255, THREE.SRGBColorSpace);
}

/** A rotation from a quaternions or rotation_axis_angles batch (instance i, last repeating). */
export function rotationAt(quats: Batch | null, axisAngles: Batch | null, i: number): THREE.Quaternion {
  const q = vectorAt(quats, i, 4);
  if (q) return new THREE.Quaternion(q[0], q[1], q[2], q[3]).normalize();
  if (axisAngles) {
    const k = axisAngles.start + Math.min(i, axisAngles.end - axisAngles.start - 1);
    const axis = structField(axisAngles.col, 'axis');
    const a = (axis.children[0].values as Float32Array).subarray(3 * k, 3 * k + 3);
    const angle = (structField(axisAngles.col, 'angle').values as Float32Array)[k];
    const v = new THREE.Vector3(a[0], a[1], a[2]);
    if (v.lengthSq() > 0) return new THREE.Quaternion().setFromAxisAngle(v.normalize(), angle);
  }
  return new THREE.Quaternion();
}

export function buildMesh(ctx: ViewContext, entity: string, ann: Annotations): THREE.Object3D | null {
  const M = C.Mesh3D;
  const pos = batch(ctx, entity, M.vertex_positions);
  if (!pos) return null;
  const n = count(pos);
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(vectors(pos, 3).slice(), 3));
  const tri = batch(ctx, entity, M.triangle_indices);
  if (tri) {
    const d = tri.col.instances;
    const flat = d.children[0].values as Uint32Array;
    geometry.setIndex(new THREE.BufferAttribute(flat.slice(tri.start * 3, tri.end * 3), 1));
  }
  const normals = batch(ctx, entity, M.vertex_normals);
  if (normals && count(normals) === n) geometry.setAttribute('normal', new THREE.BufferAttribute(vectors(normals, 3).slice(), 3));
  else geometry.computeVertexNormals();
  const colors = batch(ctx, entity, M.vertex_colors);
  const classIds = batch(ctx, entity, M.class_ids);
  const material = new THREE.MeshLambertMaterial({ side: THREE.DoubleSide });
  if ((colors && count(colors) > 1) || (classIds && !colors)) {
    const rgb = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const c = color3(instanceColor(colors, classIds, ann, i) ?? 0xffffffff);
      rgb.set([c.r, c.g, c.b], 3 * i);
    }
    geometry.setAttribute('color', new THREE.BufferAttribute(rgb, 3));
    material.vertexColors = true;
  } else if (colors) {
    material.color = color3(numberAt(colors, 0)!);
  } else material.color = color3(defaultColor(entity));
  const albedo = numberAt(batch(ctx, entity, M.albedo_factor), 0);
  if (albedo !== null) material.color.multiply(color3(albedo));
  const texcoords = batch(ctx, entity, M.vertex_texcoords);
  const texRef = latestAt(ctx, entity, M.albedo_texture_buffer);
  const texFormat = latestAt(ctx, entity, M.albedo_texture_format);
  if (texcoords && texRef && texFormat) {
    const bytes = bytesAt(texRef, M.albedo_texture_buffer);
    const f = formatAt(texFormat, M.albedo_texture_format);
    if (bytes && f && (f.colorModel === ColorModel.RGB || f.colorModel === ColorModel.RGBA)) {
      const rgba = toRGBA(bytes, f.width, f.height, f.colorModel, f.datatype);
      const tex = new THREE.DataTexture(rgba, f.width, f.height, THREE.RGBAFormat);
      tex.colorSpace = THREE.SRGBColorSpace;
      tex.flipY = false;
      tex.needsUpdate = true;
      material.map = tex;
      geometry.setAttribute('uv', new THREE.BufferAttribute(vectors(texcoords, 2).slice(), 2));
    }
  }
  const mesh = new THREE.Mesh(geometry, material);
  mesh.frustumCulled = false;
  return mesh;
}

type ShapeKind = 'ellipsoids' | 'capsules' | 'cylinders';

/** Ellipsoids, capsules or cylinders: solid for FillMode Solid, otherwise a wireframe. */
export function buildShapes(ctx: ViewContext, entity: string, ann: Annotations, kind: ShapeKind): THREE.Object3D | null {
  const E = C.Ellipsoids3D;
  const K = kind === 'capsules' ? C.Capsules3D : C.Cylinders3D;
  const primary = kind === 'ellipsoids' ? batch(ctx, entity, E.half_sizes) : batch(ctx, entity, K.lengths);
  if (!primary) return null;
  const n = count(primary);
  const a = kind === 'ellipsoids' ? E : K;
  const colors = batch(ctx, entity, a.colors);
  const classIds = batch(ctx, entity, a.class_ids);
  const quats = batch(ctx, entity, a.quaternions);
  const axisAngles = batch(ctx, entity, a.rotation_axis_angles);
  const fill = numberAt(batch(ctx, entity, a.fill_mode), 0);
  const solid = fill === C.FillMode.Solid;
  const radii = kind === 'ellipsoids' ? null : batch(ctx, entity, K.radii);
  const where = kind === 'ellipsoids' ? batch(ctx, entity, E.centers) : kind === 'capsules' ? batch(ctx, entity, C.Capsules3D.translations) : batch(ctx, entity, C.Cylinders3D.centers);
  const group = new THREE.Group();
  for (let i = 0; i < n; i++) {
    const color = color3(instanceColor(colors, classIds, ann, i) ?? defaultColor(entity));
    let geometry: THREE.BufferGeometry;
    const inner = new THREE.Group();
    if (kind === 'ellipsoids') {
      geometry = new THREE.SphereGeometry(1, solid ? 32 : 16, solid ? 16 : 8);
      const h = vectorAt(primary, i, 3)!;
      inner.scale.set(h[0], h[1], h[2]);
    } else {
      const len = numberAt(primary, i)!;
      const r = numberAt(radii, i) ?? 0.5;
      // three.js builds them along +Y, centered; Rerun's run along +Z.
      geometry = kind === 'capsules' ? new THREE.CapsuleGeometry(r, len, 6, 16) : new THREE.CylinderGeometry(r, r, len, 24);
      geometry.rotateX(Math.PI / 2);
      // A capsule starts at its translation; a cylinder is centered on its center.
      if (kind === 'capsules') geometry.translate(0, 0, len / 2);
    }
    const obj = solid
      ? new THREE.Mesh(geometry, new THREE.MeshLambertMaterial({ color }))
      : new THREE.LineSegments(new THREE.WireframeGeometry(geometry), new THREE.LineBasicMaterial({ color }));
    if (!solid) geometry.dispose();
    inner.add(obj);
    const placed = new THREE.Group();
    const c = vectorAt(where, i, 3);
    if (c) placed.position.set(c[0], c[1], c[2]);
    placed.quaternion.copy(rotationAt(quats, axisAngles, i));
    placed.add(inner);
    group.add(placed);
  }
  return group;
}

/** The poses of InstancePoses3D, or null when the entity has none. */
export function instancePoses(ctx: ViewContext, entity: string): THREE.Matrix4[] | null {
  const P = C.InstancePoses3D;
  const t = batch(ctx, entity, P.translations);
  const q = batch(ctx, entity, P.quaternions);
  const aa = batch(ctx, entity, P.rotation_axis_angles);
  const s = batch(ctx, entity, P.scales);
  const m3 = batch(ctx, entity, P.mat3x3);
  const n = Math.max(count(t), count(q), count(aa), count(s), count(m3));
  if (n === 0) return null;
  const out: THREE.Matrix4[] = [];
  for (let i = 0; i < n; i++) {
    const tr = vectorAt(t, i, 3);
    const sc = vectorAt(s, i, 3);
    const m = new THREE.Matrix4().compose(
      tr ? new THREE.Vector3(tr[0], tr[1], tr[2]) : new THREE.Vector3(),
      rotationAt(q, aa, i),
      sc ? new THREE.Vector3(sc[0], sc[1], sc[2]) : new THREE.Vector3(1, 1, 1),
    );
    const mm = vectorAt(m3, i, 9);
    if (mm) {
      const r = new THREE.Matrix4().set(mm[0], mm[3], mm[6], 0, mm[1], mm[4], mm[7], 0, mm[2], mm[5], mm[8], 0, 0, 0, 0, 1);
      const pos = new THREE.Vector3().setFromMatrixPosition(m);
      m.setPosition(0, 0, 0).premultiply(r).setPosition(pos);
    }
    out.push(m);
  }
  return out;
}

/** One copy of `obj` per pose (the object itself for the first). */
export function repeatForPoses(obj: THREE.Object3D, poses: THREE.Matrix4[]): THREE.Object3D {
  const group = new THREE.Group();
  poses.forEach((m, i) => {
    const copy = i === 0 ? obj : obj.clone();
    const holder = new THREE.Group();
    holder.matrixAutoUpdate = false;
    holder.matrix.copy(m);
    holder.add(copy);
    group.add(holder);
  });
  group.userData.instances = poses.length;
  return group;
}

/** The media type of an asset: as logged, else guessed from the bytes. */
export function assetMediaType(bytes: Uint8Array, logged: string | null): string {
  if (logged) return logged;
  if (bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46) return 'model/gltf-binary';
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart();
  if (head.startsWith('{')) return 'model/gltf+json';
  if (head.startsWith('solid') || bytes.length >= 84) {
    if (head.startsWith('solid') || new DataView(bytes.buffer, bytes.byteOffset).getUint32(80, true) * 50 + 84 === bytes.length) return 'model/stl';
  }
  return 'model/obj';
}

/**
 * Parses an Asset3D's bytes with three.js' loaders; `done` gets the model (or an error)
 * — glTF parses asynchronously. Colors: the albedo factor, else the file's own.
 */
export function loadAsset(ctx: ViewContext, entity: string, done: (obj: THREE.Object3D | null, error?: string) => void): void {
  const A = C.Asset3D;
  const blob = latestAt(ctx, entity, A.blob);
  if (!blob) return done(null);
  const bytes = bytesAt(blob, A.blob);
  if (!bytes) return done(null);
  const media = assetMediaType(bytes, stringOf(batch(ctx, entity, A.media_type), 0));
  const albedo = numberAt(batch(ctx, entity, A.albedo_factor), 0);
  const copy = bytes.slice();
  const tint = (o: THREE.Object3D) => {
    o.traverse((x) => {
      const m = x as THREE.Mesh;
      if (!m.isMesh) return;
      if (albedo !== null) m.material = new THREE.MeshLambertMaterial({ color: color3(albedo), side: THREE.DoubleSide });
      m.frustumCulled = false;
    });
    return o;
  };
  try {
    if (media === 'model/stl') {
      const geometry = new STLLoader().parse(copy.buffer);
      geometry.computeVertexNormals();
      const material = new THREE.MeshLambertMaterial({ color: color3(albedo ?? defaultColor(entity)), side: THREE.DoubleSide });
      return done(tint(new THREE.Mesh(geometry, material)));
    }
    if (media === 'model/obj') {
      const obj = new OBJLoader().parse(new TextDecoder().decode(copy));
      obj.traverse((x) => {
        const m = x as THREE.Mesh;
        if (m.isMesh && albedo === null) m.material = new THREE.MeshLambertMaterial({ color: color3(defaultColor(entity)), side: THREE.DoubleSide });
      });
      return done(tint(obj));
    }
    if (media === 'model/gltf-binary' || media === 'model/gltf+json') {
      const data = media === 'model/gltf-binary' ? copy.buffer : new TextDecoder().decode(copy);
      new GLTFLoader().parse(data, '', (gltf) => done(tint(gltf.scene)), (e) => done(null, `glTF: ${String((e as unknown as Error).message ?? e)}`));
      return;
    }
    done(null, `unsupported media type ${media}`);
  } catch (e) {
    done(null, `${media}: ${(e as Error).message}`);
  }
}

