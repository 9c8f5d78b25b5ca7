// A 3D view (three.js): the latest-at points, boxes, line strips and arrows of an entity
// subtree, placed by the latest-at Transform3D of each entity and its ancestors. Point
// positions, colors and radii go from the chunk's typed arrays to GPU buffers as they are.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { fixedSizeBytes, fixedSizeFloats, lineStrips, primitives, defaultColor, unpackColor } from '../data/components';
import type { RowRef } from '../data/store';
import { annotationsFor, type Annotations } from './annotations';
import { buildDepthCloud, buildFrustum, buildImagePlane, pinholeAt } from './camera3d';
import { coordinateFrame, entityTransform, frameEdges, hasNamedFrame, resolveFrame } from './frames3d';
import { classColors, LabelOverlay, labels3d } from './labels3d';
import { buildMesh, buildShapes, instancePoses, loadAsset, repeatForPoses, rotationAt } from './shapes3d';
import { batchOf } from './instances';
import { Spatial2DView } from './spatial2d_view';
import { isUnder, parentPath } from './layout';
import { pick3d, type Pick } from './pick';
import { instanceRange, latestAt, panel, refKey, type View, type ViewContext } from './view';
import * as C from '../data/components.generated';

const kPointVertex = /* glsl */ `
attribute vec4 rgba;
attribute float radius;
uniform float uUseColors;
uniform vec4 uColor;
uniform float uUseRadii;
uniform float uRadius;
uniform float uScale;
varying vec4 vColor;
void main() {
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  float r = uUseRadii > 0.5 ? radius : uRadius;
  // Positive radii are scene units, negative ones UI points (as in Rerun).
  gl_PointSize = r < 0.0 ? -2.0 * r : max(2.5, 2.0 * r * uScale / max(-mv.z, 1e-3));
  // Colors are u32 0xRRGGBBAA: little-endian bytes A, B, G, R.
  vColor = uUseColors > 0.5 ? rgba.wzyx : uColor;
}`;

const kPointFragment = /* glsl */ `
varying vec4 vColor;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float d = dot(c, c);
  if (d > 1.0) discard;
  gl_FragColor = vec4(vColor.rgb * (1.0 - 0.3 * d), vColor.a);
}`;

function rgbaVec(c: number): THREE.Vector4 {
  const [r, g, b, a] = unpackColor(c);
  return new THREE.Vector4(r / 255, g / 255, b / 255, a / 255);
}

function threeColor(c: number): THREE.Color {
  const [r, g, b] = unpackColor(c);
  return new THREE.Color().setRGB(r / 255, g / 255, b / 255, THREE.SRGBColorSpace);
}

/** Per-instance colors of a row: the column's u32s for n instances, a splat, or none. */
function instanceColors(ref: RowRef | null, component: string, n: number): { all: Uint32Array | null; splat: number | null } {
  if (!ref) return { all: null, splat: null };
  const [s, e] = instanceRange(ref, component);
  const values = primitives(ref.chunk.components.get(component)!) as Uint32Array;
  if (e - s === n && n > 1) return { all: values.subarray(s, e), splat: null };
  if (e - s >= 1 && n > 1) {
    // Fewer (or more) colors than instances: the missing ones repeat the last color.
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = values[s + Math.min(i, e - s - 1)];
    return { all: out, splat: null };
  }
  return { all: null, splat: e > s ? values[s] : null };
}

/** Instance colors: their own, else their classes' colors (AnnotationContext), else none. */
function resolvedColors(
  colors: RowRef | null,
  component: string,
  classIds: RowRef | null,
  classComponent: string,
  ann: Annotations,
  n: number,
): { all: Uint32Array | null; splat: number | null } {
  if (colors || !classIds) return instanceColors(colors, component, n);
  const c = classColors(classIds, classComponent, ann, n);
  if (!c) return { all: null, splat: null };
  return n > 1 ? { all: c, splat: null } : { all: null, splat: c[0] };
}

interface EntityNode {
  readonly path: string;
  readonly group: THREE.Group;
  readonly visuals: THREE.Group;
  keys: Map<string, string>;
  objects: Map<string, THREE.Object3D>;
}

/** Pixels per image pixel of a camera's image-plane texture: about 1024 on the long side. */
function planeScale(w: number, h: number): number {
  return Math.max(1, Math.min(8, 1024 / Math.max(w, h, 1)));
}

function disposeObject(o: THREE.Object3D): void {
  o.traverse((x) => {
    const m = x as THREE.Mesh;
    if (m.geometry) m.geometry.dispose();
    const mat = m.material as THREE.Material | THREE.Material[] | undefined;
    if (Array.isArray(mat)) mat.forEach((k) => k.dispose());
    else mat?.dispose();
  });
}

export class Spatial3DView implements View {
  readonly kind = 'spatial3d';
  readonly element: HTMLElement;
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.PerspectiveCamera(50, 1, 0.01, 10000);
  private readonly controls: OrbitControls;
  private readonly top = new THREE.Group();
  private readonly nodes = new Map<string, EntityNode>();
  private readonly pointMaterials = new Set<THREE.ShaderMaterial>();
  private grid: THREE.GridHelper | null = null;
  private up = new THREE.Vector3(0, 0, 1);
  private framed = false;
  /** Bounds the camera was last framed on; auto-framing stops once the user moves it. */
  private framedCenter = new THREE.Vector3();
  private framedRadius = 0;
  private userMoved = false;
  private dirty = true;
  private lastStore = -1;
  private lastCursor = -1;
  private lastVisibility = -1;
  private readonly resize: ResizeObserver;
  private readonly info: HTMLElement;
  private readonly labels = new LabelOverlay();
  /** Each camera's image space, drawn offscreen for its image plane. */
  private readonly planes = new Map<string, { view: Spatial2DView; canvas: HTMLCanvasElement; texture: THREE.CanvasTexture | null; size: [number, number] }>();

  constructor(
    readonly id: string,
    private readonly root: string,
  ) {
    const p = panel('spatial3d', root);
    this.element = p.element;
    this.info = document.createElement('span');
    this.info.className = 'panel-info';
    p.header.append(this.info);
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.renderer.setClearColor(0x14171c);
    this.renderer.domElement.className = 'view-canvas';
    p.body.append(this.renderer.domElement, this.labels.element);
    this.scene.add(this.top);
    this.scene.add(new THREE.AmbientLight(0xffffff, 1));
    // Shades meshes and solid shapes (the other visuals use unlit materials).
    const sun = new THREE.DirectionalLight(0xffffff, 1.5);
    sun.position.set(0.4, -0.6, 1);
    this.scene.add(sun);
    this.camera.up.copy(this.up);
    this.camera.position.set(6, -8, 5);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => (this.dirty = true));
    this.controls.addEventListener('start', () => (this.userMoved = true));
    this.renderer.domElement.addEventListener('dblclick', () => {
      this.framed = false;
      this.userMoved = false;
      this.frame();
      this.dirty = true;
    });
    this.setGrid(10);
    this.resize = new ResizeObserver(() => this.onResize());
    this.resize.observe(p.body);
  }

  private setGrid(size: number): void {
    if (this.grid) {
      this.scene.remove(this.grid);
      disposeObject(this.grid);
    }
    const step = Math.pow(10, Math.floor(Math.log10(Math.max(size, 1e-6))));
    const divisions = Math.max(2, Math.min(200, Math.round((size * 2) / step)));
    this.grid = new THREE.GridHelper(divisions * step, divisions, 0x3a4250, 0x262c36);
    // GridHelper lies in the XZ plane (Y up); turn it to the plane normal to our up axis.
    this.grid.quaternion.setFromUnitVectors(new THREE.Vector3(0, 1, 0), this.up);
    this.scene.add(this.grid);
  }

  private onResize(): void {
    const el = this.renderer.domElement.parentElement!;
    const w = Math.max(1, el.clientWidth);
    const h = Math.max(1, el.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.updatePointScale();
    this.dirty = true;
  }

  private updatePointScale(): void {
    const h = this.renderer.domElement.height;
    const scale = h / (2 * Math.tan(THREE.MathUtils.degToRad(this.camera.fov) / 2));
    for (const m of this.pointMaterials) m.uniforms.uScale.value = scale;
  }

  private node(path: string): EntityNode {
    let n = this.nodes.get(path);
    if (n) return n;
    const group = new THREE.Group();
    group.matrixAutoUpdate = false;
    group.name = path;
    const visuals = new THREE.Group();
    group.add(visuals);
    n = { path, group, visuals, keys: new Map(), objects: new Map() };
    this.nodes.set(path, n);
    if (path === this.root || path === '/') this.top.add(group);
    else this.node(parentPath(path)).group.add(group);
    return n;
  }

  update(ctx: ViewContext): void {
    const changed =
      ctx.storeVersion !== this.lastStore || ctx.cursorVersion !== this.lastCursor || ctx.visibilityVersion !== this.lastVisibility;
    if (changed) {
      this.lastStore = ctx.storeVersion;
      this.lastCursor = ctx.cursorVersion;
      this.lastVisibility = ctx.visibilityVersion;
      this.sync(ctx);
    }
    this.syncPlanes(ctx);
    if (this.dirty) {
      this.dirty = false;
      this.renderer.render(this.scene, this.camera);
      const el = this.renderer.domElement;
      this.labels.update(this.top, this.camera, el.clientWidth, el.clientHeight);
    }
  }

  private sync(ctx: ViewContext): void {
    this.updateUp(ctx);
    let points = 0;
    for (const path of ctx.store.entities.keys()) {
      if (!isUnder(path, this.root)) continue;
      const n = this.node(path);
      n.group.visible = ctx.isVisible(path);
      this.syncTransform(ctx, n);
      const ann = annotationsFor(ctx, path);
      const P = C.Points3D;
      this.syncVisual(ctx, n, ann, 'points', [P.positions, P.colors, P.radii, P.class_ids, P.labels, P.show_labels], (r) => this.buildPoints(n.path, r, ann));
      const B = C.Boxes3D;
      this.syncVisual(ctx, n, ann, 'boxes', [B.half_sizes, B.centers, B.quaternions, B.colors, B.class_ids, B.labels, B.show_labels, B.rotation_axis_angles, B.fill_mode], (r) =>
        this.buildBoxes(n.path, r, ann),
      );
      const L = C.LineStrips3D;
      this.syncVisual(ctx, n, ann, 'strips', [L.strips, L.colors, L.class_ids, L.labels, L.show_labels], (r) => this.buildStrips(n.path, r, ann));
      const A = C.Arrows3D;
      this.syncVisual(ctx, n, ann, 'arrows', [A.vectors, A.origins, A.colors, A.class_ids, A.labels, A.show_labels], (r) => this.buildArrows(n.path, r, ann));
      this.syncCamera(ctx, n);
      this.syncShapes(ctx, n, ann);
      const p = n.objects.get('points') as THREE.Points | undefined;
      if (p && n.group.visible) points += p.geometry.getAttribute('position').count;
    }
    this.placeFrames(ctx, [...this.nodes.keys()]);
    this.info.textContent = `${points.toLocaleString('en-US')} points`;
    this.element.dataset.points = String(points);
    if (!this.userMoved) this.frame();
    this.dirty = true;
  }

  /** Meshes, assets (repeated by InstancePoses3D), ellipsoids, capsules and cylinders. */
  private syncShapes(ctx: ViewContext, n: EntityNode, ann: Annotations): void {
    const I = C.InstancePoses3D;
    const poses = [I.translations, I.quaternions, I.rotation_axis_angles, I.scales, I.mat3x3];
    const withPoses = (obj: THREE.Object3D | null) => {
      const p = obj ? instancePoses(ctx, n.path) : null;
      return obj && p ? repeatForPoses(obj, p) : obj;
    };
    const M = C.Mesh3D;
    this.syncVisual(ctx, n, ann, 'mesh', [...Object.values(M), ...poses], () => withPoses(buildMesh(ctx, n.path, ann)));
    const E = C.Ellipsoids3D;
    this.syncVisual(ctx, n, ann, 'ellipsoids', Object.values(E), () => buildShapes(ctx, n.path, ann, 'ellipsoids'));
    this.syncVisual(ctx, n, ann, 'capsules', Object.values(C.Capsules3D), () => buildShapes(ctx, n.path, ann, 'capsules'));
    this.syncVisual(ctx, n, ann, 'cylinders', Object.values(C.Cylinders3D), () => buildShapes(ctx, n.path, ann, 'cylinders'));
    this.syncVisual(ctx, n, ann, 'asset', [...Object.values(C.Asset3D), ...poses], () => {
      // Models parse asynchronously (glTF): a holder now, the model when it is ready.
      const holder = new THREE.Group();
      loadAsset(ctx, n.path, (obj, error) => {
        if (error) console.warn(`reel: ${n.path}: Asset3D: ${error}`);
        if (!obj) return;
        holder.add(withPoses(obj)!);
        holder.userData.loaded = true;
        if (!this.userMoved) this.frame();
        this.dirty = true;
      });
      return holder;
    });
  }

  /** A Pinhole entity's frustum and image plane; a DepthImage under one as a point cloud. */
  private syncCamera(ctx: ViewContext, n: EntityNode): void {
    const comps = ctx.store.entities.get(n.path)?.components;
    const P = C.Pinhole;
    this.syncVisual(ctx, n, { key: '', classes: new Map() }, 'camera', [P.image_from_camera, P.resolution, P.camera_xyz, P.image_plane_distance, P.color], () => {
      const model = pinholeAt(ctx, n.path);
      if (!model) return null;
      const group = new THREE.Group();
      group.add(buildFrustum(model));
      let plane = this.planes.get(n.path);
      if (!plane) {
        plane = { view: new Spatial2DView(`plane:${n.path}`, 'spatial2d', n.path), canvas: document.createElement('canvas'), texture: null, size: [0, 0] };
        this.planes.set(n.path, plane);
      }
      const { mesh, texture } = buildImagePlane(model, plane.canvas);
      mesh.name = 'image-plane';
      group.add(mesh);
      plane.texture = texture;
      plane.size = [model.width, model.height];
      plane.view.renderTo(ctx, plane.canvas, model.width, model.height, planeScale(model.width, model.height));
      mesh.visible = plane.view.hasPlaneContent();
      texture.needsUpdate = true;
      return group;
    });
    if (!comps?.has(P.image_from_camera) && this.planes.has(n.path)) {
      this.planes.get(n.path)!.view.dispose();
      this.planes.delete(n.path);
    }
    if (!comps?.has(C.DepthImage.buffer)) {
      this.dropVisual(n, 'depth');
      return;
    }
    let camera: string | null = null;
    for (let p = n.path; ; p = parentPath(p)) {
      if (ctx.store.entities.get(p)?.components.has(P.image_from_camera)) {
        camera = p;
        break;
      }
      if (p === '/' || p === this.root) break;
    }
    if (!camera) {
      this.dropVisual(n, 'depth');
      return;
    }
    const cam = camera;
    const D = C.DepthImage;
    this.syncVisual(ctx, n, { key: refKey(latestAt(ctx, cam, P.image_from_camera)) + refKey(latestAt(ctx, cam, P.camera_xyz)), classes: new Map() }, 'depth', [D.buffer, D.format, D.meter, D.colormap, D.depth_range, D.point_fill_ratio], () => {
      const model = pinholeAt(ctx, cam);
      return model ? buildDepthCloud(ctx, n.path, model) : null;
    });
  }

  /** Redraws cameras' image planes whose 2D content changed (images decode asynchronously). */
  private syncPlanes(ctx: ViewContext): void {
    for (const [path, plane] of this.planes) {
      const obj = this.nodes.get(path)?.objects.get('camera');
      const mesh = obj?.getObjectByName('image-plane');
      if (!mesh || !plane.texture) continue;
      const [w, h] = plane.size;
      if (plane.view.renderTo(ctx, plane.canvas, w, h, planeScale(w, h))) {
        plane.texture.dispose();
        plane.texture.image = plane.canvas;
        plane.texture.needsUpdate = true;
        mesh.visible = plane.view.hasPlaneContent();
        this.dirty = true;
      }
    }
  }

  private updateUp(ctx: ViewContext): void {
    // ViewCoordinates on the view's root or an ancestor: 1 Up, 2 Down per axis.
    for (let path = this.root; ; path = parentPath(path)) {
      const ref = latestAt(ctx, path, C.ViewCoordinates.xyz);
      if (ref) {
        const [s] = instanceRange(ref, C.ViewCoordinates.xyz);
        const { flat } = fixedSizeBytes(ref.chunk.components.get(C.ViewCoordinates.xyz)!);
        const up = new THREE.Vector3();
        for (let axis = 0; axis < 3; axis++) {
          const code = flat[s * 3 + axis];
          if (code === 1 || code === 2) up.setComponent(axis, code === 1 ? 1 : -1);
        }
        if (up.lengthSq() > 0 && !up.equals(this.up)) {
          this.up.copy(up);
          this.camera.up.copy(up);
          this.setGrid(10);
          this.framed = false;
          this.userMoved = false;
        }
        return;
      }
      if (path === '/') return;
    }
  }

  private syncTransform(ctx: ViewContext, n: EntityNode): void {
    const tf = entityTransform(ctx, n.path);
    if (n.keys.get('transform') === tf.key) return;
    n.keys.set('transform', tf.key);
    // A named-frame edge relates two frames; it does not move the entity it is logged on.
    n.group.matrix.copy(tf.child ? new THREE.Matrix4() : tf.matrix);
    n.group.matrixWorldNeedsUpdate = true;
  }

  /** Places entities with a CoordinateFrame, and Pinholes with a parent_frame, in that frame (shallowest first). */
  private placeFrames(ctx: ViewContext, paths: string[]): void {
    const framed = paths.filter((p) => hasNamedFrame(ctx.store.entities.get(p)?.components)).sort((a, b) => a.length - b.length);
    if (framed.length === 0) return;
    const edges = frameEdges(ctx);
    const entityMatrix = (path: string) => {
      const node = this.nodes.get(path);
      if (!node) return null;
      this.top.updateMatrixWorld(true);
      return node.group.matrixWorld.clone();
    };
    for (const path of framed) {
      const n = this.node(path);
      const frame = coordinateFrame(ctx, path);
      if (frame === null) continue;
      n.keys.delete('transform');
      const rootFromFrame = resolveFrame(frame, edges, entityMatrix);
      this.top.updateMatrixWorld(true);
      const parentWorld = n.group.parent ? n.group.parent.matrixWorld.clone() : new THREE.Matrix4();
      n.group.matrix.copy(parentWorld.invert().multiply(rootFromFrame));
      n.group.matrixWorldNeedsUpdate = true;
    }
  }

  private syncVisual(
    ctx: ViewContext,
    n: EntityNode,
    ann: Annotations,
    what: string,
    components: string[],
    build: (refs: (RowRef | null)[]) => THREE.Object3D | null,
  ): void {
    if (!ctx.store.entities.get(n.path)?.components.has(components[0])) {
      this.dropVisual(n, what);
      return;
    }
    const refs = components.map((c) => latestAt(ctx, n.path, c));
    const key = `${refs.map(refKey).join('|')}|${ann.key}`;
    if (n.keys.get(what) === key) return;
    n.keys.set(what, key);
    this.dropVisual(n, what);
    const obj = refs[0] ? build(refs) : null;
    if (obj) {
      obj.userData.entity = n.path;
      obj.userData.what = what;
      n.objects.set(what, obj);
      n.visuals.add(obj);
    }
  }

  private dropVisual(n: EntityNode, what: string): void {
    const old = n.objects.get(what);
    if (!old) return;
    n.visuals.remove(old);
    old.traverse((x) => {
      if (x instanceof THREE.Points) this.pointMaterials.delete(x.material as THREE.ShaderMaterial);
    });
    disposeObject(old);
    n.objects.delete(what);
  }

  private buildPoints(path: string, [pos, colors, radii, classIds, labels, show]: (RowRef | null)[], ann: Annotations): THREE.Object3D | null {
    const [s, e] = instanceRange(pos!, C.Points3D.positions);
    const n = e - s;
    if (n === 0) return null;
    const { flat } = fixedSizeFloats(pos!.chunk.components.get(C.Points3D.positions)!);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(flat.subarray(s * 3, e * 3), 3));
    const c = resolvedColors(colors, C.Points3D.colors, classIds, C.Points3D.class_ids, ann, n);
    if (c.all) {
      const bytes = new Uint8Array(c.all.buffer, c.all.byteOffset, n * 4);
      geometry.setAttribute('rgba', new THREE.BufferAttribute(bytes, 4, true));
    }
    let radius = -1.5;
    let radiusArray: Float32Array | null = null;
    if (radii) {
      const [rs, re] = instanceRange(radii, C.Points3D.radii);
      const values = primitives(radii.chunk.components.get(C.Points3D.radii)!) as Float32Array;
      if (re - rs === n && n > 1) radiusArray = values.subarray(rs, re);
      else if (re > rs) radius = values[rs];
    }
    if (radiusArray) geometry.setAttribute('radius', new THREE.BufferAttribute(radiusArray, 1));
    const material = new THREE.ShaderMaterial({
      vertexShader: kPointVertex,
      fragmentShader: kPointFragment,
      transparent: false,
      uniforms: {
        uUseColors: { value: c.all ? 1 : 0 },
        uColor: { value: rgbaVec(c.splat ?? defaultColor(path)) },
        uUseRadii: { value: radiusArray ? 1 : 0 },
        uRadius: { value: radius },
        uScale: { value: 1 },
      },
    });
    this.pointMaterials.add(material);
    this.updatePointScale();
    const points = new THREE.Points(geometry, material);
    points.frustumCulled = false;
    const p = flat.subarray(s * 3, e * 3);
    points.userData.labels = labels3d(labels, C.Points3D.labels, classIds, C.Points3D.class_ids, show, C.Points3D.show_labels, ann, n,
      (i) => new THREE.Vector3(p[3 * i], p[3 * i + 1], p[3 * i + 2]),
      (i) => (c.all ? c.all[i] : (c.splat ?? defaultColor(path))));
    return points;
  }

  private buildBoxes(path: string, [half, centers, quats, colors, classIds, labels, show, axisAngles, fill]: (RowRef | null)[], ann: Annotations): THREE.Object3D | null {
    const [s, e] = instanceRange(half!, C.Boxes3D.half_sizes);
    const n = e - s;
    if (n === 0) return null;
    const hs = fixedSizeFloats(half!.chunk.components.get(C.Boxes3D.half_sizes)!).flat;
    const at = (ref: RowRef | null, comp: string, size: number, i: number): Float32Array | null => {
      if (!ref) return null;
      const [a, b] = instanceRange(ref, comp);
      if (b <= a) return null;
      const k = a + Math.min(i, b - a - 1);
      return fixedSizeFloats(ref.chunk.components.get(comp)!).flat.subarray(k * size, k * size + size);
    };
    const c = resolvedColors(colors, C.Boxes3D.colors, classIds, C.Boxes3D.class_ids, ann, n);
    const qb = batchOf(quats, C.Boxes3D.quaternions);
    const ab = batchOf(axisAngles, C.Boxes3D.rotation_axis_angles);
    const fb = batchOf(fill, C.Boxes3D.fill_mode);
    const solid = fb ? (primitives(fb.col) as Uint8Array)[fb.start] === C.FillMode.Solid : false;
    const group = new THREE.Group();
    const edges = new THREE.EdgesGeometry(new THREE.BoxGeometry(2, 2, 2));
    const unit = new THREE.BoxGeometry(2, 2, 2);
    for (let i = 0; i < n; i++) {
      const color = threeColor(c.all ? c.all[i] : (c.splat ?? defaultColor(path)));
      const h = hs.subarray((s + i) * 3, (s + i) * 3 + 3);
      const center = at(centers, C.Boxes3D.centers, 3, i);
      const box = new THREE.Group();
      box.position.set(center?.[0] ?? 0, center?.[1] ?? 0, center?.[2] ?? 0);
      box.quaternion.copy(rotationAt(qb, ab, i));
      box.scale.set(Math.max(h[0], 1e-6), Math.max(h[1], 1e-6), Math.max(h[2], 1e-6));
      box.add(new THREE.LineSegments(edges.clone(), new THREE.LineBasicMaterial({ color })));
      // Solid boxes are opaque; the others an outline over a faint fill.
      box.add(new THREE.Mesh(unit.clone(), solid ? new THREE.MeshLambertMaterial({ color }) : new THREE.MeshBasicMaterial({ color, transparent: true, opacity: 0.25, depthWrite: false })));
      group.add(box);
    }
    edges.dispose();
    unit.dispose();
    group.userData.labels = labels3d(labels, C.Boxes3D.labels, classIds, C.Boxes3D.class_ids, show, C.Boxes3D.show_labels, ann, n,
      (i) => group.children[i].position.clone(),
      (i) => (c.all ? c.all[i] : (c.splat ?? defaultColor(path))));
    return group;
  }

  private buildStrips(path: string, [strips, colors, classIds, labels, show]: (RowRef | null)[], ann: Annotations): THREE.Object3D | null {
    const [s, e] = instanceRange(strips!, C.LineStrips3D.strips);
    if (e <= s) return null;
    const { pointOffsets, points } = lineStrips(strips!.chunk.components.get(C.LineStrips3D.strips)!);
    // One GPU buffer for all the row's points; each strip draws its own range of it.
    const first = pointOffsets[s];
    const attribute = new THREE.BufferAttribute(points.subarray(first * 3, pointOffsets[e] * 3), 3);
    const c = resolvedColors(colors, C.LineStrips3D.colors, classIds, C.LineStrips3D.class_ids, ann, e - s);
    const group = new THREE.Group();
    for (let k = s; k < e; k++) {
      const count = pointOffsets[k + 1] - pointOffsets[k];
      if (count < 2) continue;
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', attribute);
      geometry.setDrawRange(pointOffsets[k] - first, count);
      const color = threeColor(c.all ? c.all[k - s] : (c.splat ?? defaultColor(path)));
      const line = new THREE.Line(geometry, new THREE.LineBasicMaterial({ color }));
      line.frustumCulled = false;
      group.add(line);
    }
    group.userData.labels = labels3d(labels, C.LineStrips3D.labels, classIds, C.LineStrips3D.class_ids, show, C.LineStrips3D.show_labels, ann, e - s,
      (i) => new THREE.Vector3(points[pointOffsets[s + i] * 3], points[pointOffsets[s + i] * 3 + 1], points[pointOffsets[s + i] * 3 + 2]),
      (i) => (c.all ? c.all[i] : (c.splat ?? defaultColor(path))));
    return group;
  }

  private buildArrows(path: string, [vectors, origins, colors, classIds, labels, show]: (RowRef | null)[], ann: Annotations): THREE.Object3D | null {
    const [s, e] = instanceRange(vectors!, C.Arrows3D.vectors);
    if (e <= s) return null;
    const v = fixedSizeFloats(vectors!.chunk.components.get(C.Arrows3D.vectors)!).flat;
    let o: Float32Array | null = null;
    let os = 0;
    let on = 0;
    if (origins) {
      const [a, b] = instanceRange(origins, C.Arrows3D.origins);
      o = fixedSizeFloats(origins.chunk.components.get(C.Arrows3D.origins)!).flat;
      os = a;
      on = b - a;
    }
    const c = resolvedColors(colors, C.Arrows3D.colors, classIds, C.Arrows3D.class_ids, ann, e - s);
    const tips: THREE.Vector3[] = [];
    const group = new THREE.Group();
    for (let i = 0; i < e - s; i++) {
      const d = new THREE.Vector3(v[(s + i) * 3], v[(s + i) * 3 + 1], v[(s + i) * 3 + 2]);
      const k = os + Math.min(i, on - 1);
      const origin = o && on > 0 ? new THREE.Vector3(o[k * 3], o[k * 3 + 1], o[k * 3 + 2]) : new THREE.Vector3();
      const len = d.length();
      tips.push(origin.clone().add(d));
      if (len === 0) continue;
      const color = threeColor(c.all ? c.all[i] : (c.splat ?? defaultColor(path)));
      group.add(new THREE.ArrowHelper(d.normalize(), origin, len, color, Math.min(0.2 * len, 0.5), Math.min(0.1 * len, 0.25)));
    }
    group.userData.labels = labels3d(labels, C.Arrows3D.labels, classIds, C.Arrows3D.class_ids, show, C.Arrows3D.show_labels, ann, e - s,
      (i) => tips[i],
      (i) => (c.all ? c.all[i] : (c.splat ?? defaultColor(path))));
    return group;
  }

  /**
   * Points the camera at everything shown, from above and to the side of the up axis, when
   * nothing was framed yet or the content outgrew (or left) what was framed.
   */
  private frame(): void {
    this.top.updateMatrixWorld(true);
    const box = new THREE.Box3().setFromObject(this.top);
    if (box.isEmpty()) return;
    const center = box.getCenter(new THREE.Vector3());
    const radius = Math.max(box.getSize(new THREE.Vector3()).length() / 2, 0.5);
    if (
      this.framed &&
      radius <= this.framedRadius * 1.25 &&
      radius >= this.framedRadius * 0.5 &&
      center.distanceTo(this.framedCenter) <= 0.25 * this.framedRadius
    ) {
      return;
    }
    this.framed = true;
    this.framedCenter.copy(center);
    this.framedRadius = radius;
    const side = Math.abs(this.up.z) > 0.5 ? new THREE.Vector3(1, -1.3, 0) : new THREE.Vector3(1, 0, 1.3);
    const dir = side.normalize().add(this.up.clone().multiplyScalar(0.75)).normalize();
    this.camera.position.copy(center).addScaledVector(dir, radius * 2.4);
    this.camera.near = radius / 100;
    this.camera.far = radius * 100;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(center);
    this.controls.update();
    this.setGrid(radius * 1.5);
    this.updatePointScale();
  }

  pick(clientX: number, clientY: number): Pick | null {
    const el = this.renderer.domElement;
    const r = el.getBoundingClientRect();
    if (clientX < r.left || clientY < r.top || clientX >= r.right || clientY >= r.bottom) return null;
    return pick3d(this.id, this.top, this.camera, el, clientX, clientY);
  }

  /** What the view drew last, for the browser tests (window.reel.inspectView). */
  inspect(): unknown {
    const objects: Record<string, number> = {};
    let depthPoints = 0;
    let instances = 0;
    let assetsLoaded = 0;
    const planes: string[] = [];
    for (const n of this.nodes.values()) {
      if (!n.group.visible) continue;
      for (const [what, o] of n.objects) {
        objects[what] = (objects[what] ?? 0) + 1;
        depthPoints += (o.userData.depthPoints as number | undefined) ?? 0;
        if (o.getObjectByName('image-plane')?.visible) planes.push(n.path);
        o.traverse((x) => {
          if (x.userData.instances) instances += x.userData.instances as number;
        });
        if (o.userData.loaded) assetsLoaded++;
      }
    }
    // Where each entity's space is, in the view's root space.
    this.top.updateMatrixWorld(true);
    const origins: Record<string, number[]> = {};
    for (const n of this.nodes.values()) {
      const v = new THREE.Vector3().setFromMatrixPosition(n.group.matrixWorld);
      origins[n.path] = [v.x, v.y, v.z].map((x) => Math.round(x * 1e5) / 1e5 + 0);
    }
    // Each box's rotation (x, y, z, w), rounded.
    const boxes: Record<string, number[][]> = {};
    for (const n of this.nodes.values()) {
      const g = n.objects.get('boxes');
      if (g) boxes[n.path] = g.children.map((b) => b.quaternion.toArray().map((x) => Math.round(x * 1e4) / 1e4 + 0));
    }
    // Each camera frustum's bounds (min, max) in the view's root space, rounded.
    const frustums: Record<string, number[][]> = {};
    for (const n of this.nodes.values()) {
      const f = (n.objects.get('camera') as THREE.Group | undefined)?.children[0];
      if (!f) continue;
      const b = new THREE.Box3().setFromObject(f);
      frustums[n.path] = [b.min, b.max].map((v) => [v.x, v.y, v.z].map((x) => Math.round(x * 1e4) / 1e4 + 0));
    }
    return { points: Number(this.element.dataset.points ?? 0), objects, depthPoints, planes, instances, assetsLoaded, origins, boxes, frustums, labels: this.labels.drawn };
  }

  dispose(): void {
    this.resize.disconnect();
    this.controls.dispose();
    for (const n of this.nodes.values()) for (const what of [...n.objects.keys()]) this.dropVisual(n, what);
    for (const p of this.planes.values()) p.view.dispose();
    this.renderer.dispose();
    this.element.remove();
  }
}
