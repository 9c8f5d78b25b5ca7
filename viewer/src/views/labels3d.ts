// Labels and class colors in the 3D view: instance colors resolved through the
// AnnotationContext, and labels drawn as DOM elements over the canvas at the projected
// position of their anchor (a point, a box center, a strip's first point, an arrow's tip).
import * as THREE from 'three';
import { autoClassColor, instanceLabel, type Annotations } from './annotations';
import { batchOf, labelAt, numberAt, showLabels } from './instances';
import type { RowRef } from '../data/store';

export interface Label3D {
  readonly text: string;
  /** Anchor in the entity's space. */
  readonly at: THREE.Vector3;
  readonly color: number;
}

/** Labels of n instances (their own, else their class's), empty when not shown. */
export function labels3d(
  labels: RowRef | null,
  labelComp: string,
  classIds: RowRef | null,
  classComp: string,
  show: RowRef | null,
  showComp: string,
  ann: Annotations,
  n: number,
  anchor: (i: number) => THREE.Vector3,
  color: (i: number) => number,
): Label3D[] {
  const own = batchOf(labels, labelComp);
  const cls = batchOf(classIds, classComp);
  if (!own && !cls) return [];
  const texts: (string | null)[] = [];
  for (let i = 0; i < n; i++) texts.push(instanceLabel(labelAt(own, i, n), cls, ann, i));
  const shown = texts.filter((t) => t !== null).length;
  if (shown === 0 || !showLabels(batchOf(show, showComp), shown)) return [];
  const out: Label3D[] = [];
  texts.forEach((text, i) => {
    if (text !== null) out.push({ text, at: anchor(i), color: color(i) });
  });
  return out;
}

/** Colors of n instances from their class ids (the context's color, else an auto color). */
export function classColors(classIds: RowRef | null, classComp: string, ann: Annotations, n: number): Uint32Array | null {
  const b = batchOf(classIds, classComp);
  if (!b) return null;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const id = numberAt(b, i)!;
    out[i] = ann.classes.get(id)?.color ?? autoClassColor(id);
  }
  return out;
}

const kMaxLabels = 2000;

export interface DrawnLabel {
  entity: string;
  text: string;
  /** CSS pixels from the canvas' top left. */
  x: number;
  y: number;
}

/** The DOM layer of labels over a 3D canvas. */
export class LabelOverlay {
  readonly element = document.createElement('div');
  drawn: DrawnLabel[] = [];

  constructor() {
    this.element.className = 'labels3d';
  }

  /** Places every label of the visible objects under `top` (userData.labels, userData.entity). */
  update(top: THREE.Object3D, camera: THREE.Camera, width: number, height: number): void {
    const items: { entity: string; label: Label3D; x: number; y: number }[] = [];
    const v = new THREE.Vector3();
    const visit = (o: THREE.Object3D) => {
      if (!o.visible) return;
      const labels = o.userData.labels as Label3D[] | undefined;
      if (labels) {
        for (const l of labels) {
          v.copy(l.at).applyMatrix4(o.matrixWorld).project(camera);
          if (v.z < -1 || v.z > 1 || Math.abs(v.x) > 1 || Math.abs(v.y) > 1) continue;
          items.push({ entity: o.userData.entity as string, label: l, x: ((v.x + 1) / 2) * width, y: ((1 - v.y) / 2) * height });
        }
      }
      for (const c of o.children) visit(c);
    };
    visit(top);
    // A page can hold a few thousand labels; more would be unreadable anyway.
    items.length = Math.min(items.length, kMaxLabels);
    this.drawn = items.map((it) => ({ entity: it.entity, text: it.label.text, x: it.x, y: it.y }));
    const els = items.map((it) => {
      const el = document.createElement('span');
      el.className = 'label3d';
      el.textContent = it.label.text;
      el.dataset.entity = it.entity;
      const c = it.label.color;
      const [r, g, b] = [c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255];
      el.style.background = `rgba(${r},${g},${b},0.85)`;
      el.style.color = 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
      el.style.transform = `translate(${Math.round(it.x + 4)}px, ${Math.round(it.y - 18)}px)`;
      return el;
    });
    this.element.replaceChildren(...els);
  }
}
