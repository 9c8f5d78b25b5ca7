// Cameras in the 3D view: a Pinhole entity's frustum, its image space drawn on the image
// plane (images and 2D overlays, through an offscreen 2D view), and a DepthImage under it
// back-projected into a point cloud. Everything is built in the Pinhole entity's space;
// camera_xyz (RDF by default: X right, Y down, Z forward) says how the camera's axes lie in it.
import * as THREE from 'three';
import { fixedSizeBytes } from '../data/components';
import { bytesAt, formatAt } from './image_layers';
import { batch, numberAt, vectorAt } from './instances';
import { bytesPerChannel, ChannelDatatype } from './image_convert';
import { colormap } from './colormaps';
import { latestAt, type ViewContext } from './view';
import * as C from '../data/components.generated';

export interface PinholeModel {
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  /** Camera (RDF) coordinates to the entity's space. */
  readonly fromRdf: THREE.Matrix4;
  readonly planeDistance: number;
  readonly color: number;
}

/** Direction in RDF coordinates of each ViewCoordinates code (1 Up ... 6 Back). */
const kRdfDirection: Record<number, [number, number, number]> = {
  1: [0, -1, 0],
  2: [0, 1, 0],
  3: [1, 0, 0],
  4: [-1, 0, 0],
  5: [0, 0, 1],
  6: [0, 0, -1],
};

export function pinholeAt(ctx: ViewContext, entity: string): PinholeModel | null {
  const m = vectorAt(batch(ctx, entity, C.Pinhole.image_from_camera), 0, 9);
  if (!m) return null;
  // Column-major: m[3 * column + row].
  const fx = m[0];
  const fy = m[4];
  const cx = m[6];
  const cy = m[7];
  const res = vectorAt(batch(ctx, entity, C.Pinhole.resolution), 0, 2);
  const width = res ? res[0] : 2 * cx;
  const height = res ? res[1] : 2 * cy;
  const fromRdf = new THREE.Matrix4();
  const xyzRef = latestAt(ctx, entity, C.Pinhole.camera_xyz);
  if (xyzRef) {
    const col = xyzRef.chunk.components.get(C.Pinhole.camera_xyz)!;
    const k = col.offsets[xyzRef.row];
    if (col.offsets[xyzRef.row + 1] > k) {
      const codes = fixedSizeBytes(col).flat.subarray(k * 3, k * 3 + 3);
      const rows = [...codes].map((c) => kRdfDirection[c] ?? [0, 0, 0]);
      // Entity axis i = dot(direction of code i, p_rdf).
      fromRdf.set(...rows[0], 0, ...rows[1], 0, ...rows[2], 0, 0, 0, 0, 1);
    }
  }
  return {
    fx: fx || 1,
    fy: fy || 1,
    cx,
    cy,
    width,
    height,
    fromRdf,
    planeDistance: numberAt(batch(ctx, entity, C.Pinhole.image_plane_distance), 0) ?? 1,
    color: numberAt(batch(ctx, entity, C.Pinhole.color), 0) ?? 0xd0d4dcff,
  };
}

/** The point of pixel (u, v) at depth z, in the entity's space. */
function unproject(p: PinholeModel, u: number, v: number, z: number): THREE.Vector3 {
  return new THREE.Vector3(((u - p.cx) / p.fx) * z, ((v - p.cy) / p.fy) * z, z).applyMatrix4(p.fromRdf);
}

/** The frustum: lines from the camera center to the image plane's corners, and its outline. */
export function buildFrustum(p: PinholeModel): THREE.LineSegments {
  const d = p.planeDistance;
  const o = new THREE.Vector3().applyMatrix4(p.fromRdf);
  const c = [unproject(p, 0, 0, d), unproject(p, p.width, 0, d), unproject(p, p.width, p.height, d), unproject(p, 0, p.height, d)];
  const pts: THREE.Vector3[] = [];
  for (let i = 0; i < 4; i++) pts.push(o, c[i], c[i], c[(i + 1) % 4]);
  const geometry = new THREE.BufferGeometry().setFromPoints(pts);
  const [r, g, b] = [p.color >>> 24, (p.color >>> 16) & 255, (p.color >>> 8) & 255];
  const line = new THREE.LineSegments(geometry, new THREE.LineBasicMaterial({ color: new THREE.Color().setRGB(r / 255, g / 255, b / 255, THREE.SRGBColorSpace) }));
  line.frustumCulled = false;
  return line;
}

/** A quad on the image plane showing `canvas` (the camera's 2D space), top-left at pixel (0, 0). */
export function buildImagePlane(p: PinholeModel, canvas: HTMLCanvasElement): { mesh: THREE.Mesh; texture: THREE.CanvasTexture } {
  const d = p.planeDistance;
  const corners = [unproject(p, 0, 0, d), unproject(p, p.width, 0, d), unproject(p, p.width, p.height, d), unproject(p, 0, p.height, d)];
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.Float32BufferAttribute(corners.flatMap((v) => [v.x, v.y, v.z]), 3));
  geometry.setAttribute('uv', new THREE.Float32BufferAttribute([0, 1, 1, 1, 1, 0, 0, 0], 2));
  geometry.setIndex([0, 1, 2, 0, 2, 3]);
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  texture.magFilter = THREE.NearestFilter;
  texture.minFilter = THREE.LinearFilter;
  texture.generateMipmaps = false;
  const material = new THREE.MeshBasicMaterial({ map: texture, side: THREE.DoubleSide, transparent: true, toneMapped: false });
  const mesh = new THREE.Mesh(geometry, material);
  mesh.frustumCulled = false;
  return { mesh, texture };
}

/**
 * A DepthImage under a camera as 3D points: every pixel with a valid depth (> 0, finite) at
 * depth value / meter along its ray, colored by the colormap over depth_range (default: the
 * valid values' range). Rerun's default colormap for depth is Turbo.
 */
export function buildDepthCloud(ctx: ViewContext, entity: string, p: PinholeModel): THREE.Points | null {
  const buffer = latestAt(ctx, entity, C.DepthImage.buffer);
  const formatRef = latestAt(ctx, entity, C.DepthImage.format);
  if (!buffer || !formatRef) return null;
  const bytes = bytesAt(buffer, C.DepthImage.buffer);
  const f = formatAt(formatRef, C.DepthImage.format);
  if (!bytes || !f) return null;
  const n = f.width * f.height;
  const bpc = bytesPerChannel(f.datatype);
  if (bytes.length < n * bpc) return null;
  const aligned = bytes.byteOffset % Math.max(1, bpc) === 0 ? bytes : bytes.slice();
  const b = aligned.buffer;
  const o = aligned.byteOffset;
  let values: ArrayLike<number>;
  switch (f.datatype) {
    case ChannelDatatype.U8:
      values = aligned;
      break;
    case ChannelDatatype.U16:
      values = new Uint16Array(b, o, n);
      break;
    case ChannelDatatype.U32:
      values = new Uint32Array(b, o, n);
      break;
    case ChannelDatatype.F32:
      values = new Float32Array(b, o, n);
      break;
    case ChannelDatatype.F64:
      values = new Float64Array(b, o, n);
      break;
    default:
      return null;
  }
  const meter = numberAt(batch(ctx, entity, C.DepthImage.meter), 0) ?? (f.datatype === ChannelDatatype.F32 || f.datatype === ChannelDatatype.F64 ? 1 : 1000);
  const range = vectorAt(batch(ctx, entity, C.DepthImage.depth_range), 0, 2) as unknown as Float64Array | null;
  const map = numberAt(batch(ctx, entity, C.DepthImage.colormap), 0) ?? C.Colormap.Turbo;
  const fill = numberAt(batch(ctx, entity, C.DepthImage.point_fill_ratio), 0) ?? 1;
  let lo = Infinity;
  let hi = -Infinity;
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v > 0 && isFinite(v)) {
      valid++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (range) {
    lo = range[0];
    hi = range[1];
  }
  const pos = new Float32Array(valid * 3);
  const rgba = new Uint8Array(valid * 4);
  const radii = new Float32Array(valid);
  const m = p.fromRdf.elements;
  let k = 0;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const v = values[y * f.width + x];
      if (!(v > 0 && isFinite(v))) continue;
      const z = v / meter;
      const rx = ((x + 0.5 - p.cx) / p.fx) * z;
      const ry = ((y + 0.5 - p.cy) / p.fy) * z;
      pos[3 * k] = m[0] * rx + m[4] * ry + m[8] * z;
      pos[3 * k + 1] = m[1] * rx + m[5] * ry + m[9] * z;
      pos[3 * k + 2] = m[2] * rx + m[6] * ry + m[10] * z;
      const [r, g, bb] = colormap(map, hi > lo ? (v - lo) / (hi - lo) : 0.5);
      rgba.set([r, g, bb, 255], 4 * k);
      // Half a pixel's footprint at that depth, times the fill ratio.
      radii[k] = (0.5 * fill * z) / p.fx;
      k++;
    }
  }
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(pos, 3));
  geometry.setAttribute('color', new THREE.BufferAttribute(rgba, 4, true));
  const meanRadius = valid ? radii.reduce((a, r) => a + r, 0) / valid : 0.01;
  const material = new THREE.PointsMaterial({ size: 2 * meanRadius, vertexColors: true, sizeAttenuation: true });
  const points = new THREE.Points(geometry, material);
  points.frustumCulled = false;
  points.userData.depthPoints = valid;
  return points;
}
