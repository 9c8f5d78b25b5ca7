// The image layers of one entity for the 2D view, each a canvas at the image's own
// resolution: the latest-at Image (raw pixels + format), DepthImage, EncodedImage (JPEG/PNG
// decoded by the browser) or 2D/3D Tensor, and a SegmentationImage colored by class.
import { binaryAt, stringAt, structField } from '../data/components';
import type { RowRef } from '../data/store';
import { autoClassColor, type Annotations } from './annotations';
import { batch, numberAt, vectorAt } from './instances';
import { colormap } from './colormaps';
import { bytesPerChannel, ChannelDatatype, ColorModel, depthToRGBA, tensorValues, toRGBA } from './image_convert';
import { latestAt, refKey, type ViewContext } from './view';
import * as C from '../data/components.generated';

const kModelNames: Record<number, string> = { 1: 'L', 2: 'RGB', 3: 'RGBA', 4: 'BGR', 5: 'BGRA' };
export const kTypeNames: Record<number, string> = { 1: 'u8', 2: 'u16', 3: 'u32', 4: 'u64', 5: 'i8', 6: 'i16', 7: 'i32', 8: 'i64', 9: 'f16', 10: 'f32', 11: 'f64' };

/** Rerun's default draw orders: depth below images below segmentation. */
export const kDrawOrder = { depth: -20, image: -10, segmentation: 0, box: 10, lines: 20, points: 30 } as const;

export interface Format {
  width: number;
  height: number;
  colorModel: number;
  datatype: number;
}

export function formatAt(ref: RowRef, component: string): Format | null {
  const col = ref.chunk.components.get(component)!;
  const k = col.offsets[ref.row];
  if (col.offsets[ref.row + 1] <= k) return null;
  const f = (name: string) => Number(structField(col, name).values[k]);
  return { width: f('width'), height: f('height'), colorModel: f('color_model'), datatype: f('channel_datatype') };
}

export function bytesAt(ref: RowRef, component: string): Uint8Array | null {
  const col = ref.chunk.components.get(component)!;
  const k = col.offsets[ref.row];
  return col.offsets[ref.row + 1] > k ? binaryAt(col.instances, k) : null;
}

/** One image of an entity, drawn into the 2D view at its draw order. */
export class ImageLayer {
  readonly canvas = document.createElement('canvas');
  width = 0;
  height = 0;
  drawOrder = 0;
  opacity = 1;
  /** What the header shows ("16×12 image/png"), or a problem. */
  info = '';
  message = '';
  /** Set when the pixels arrive (encoded images decode asynchronously). */
  ready = false;
  /** A depth image (drawn as a point cloud under a camera in 3D, not on its image plane). */
  isDepth = false;
  /** Bumped whenever the pixels change. */
  version = 0;
  private key = '';
  private decodeToken = 0;
  private ctx: ViewContext | null = null;

  constructor(
    readonly entity: string,
    readonly kind: 'color' | 'segmentation',
    private readonly onDecoded: () => void,
  ) {
    this.canvas.className = 'image-canvas';
    this.canvas.width = 1;
    this.canvas.height = 1;
  }

  /** Brings the layer up to date; false when the entity has no image of this kind now. */
  update(ctx: ViewContext, ann: Annotations): boolean {
    this.ctx = ctx;
    return this.kind === 'segmentation' ? this.updateSegmentation(ctx, ann) : this.updateColor(ctx);
  }

  private updateColor(ctx: ViewContext): boolean {
    const e = this.entity;
    const refs = {
      buffer: latestAt(ctx, e, C.Image.buffer),
      format: latestAt(ctx, e, C.Image.format),
      depth: latestAt(ctx, e, C.DepthImage.buffer),
      depthFormat: latestAt(ctx, e, C.DepthImage.format),
      blob: latestAt(ctx, e, C.EncodedImage.blob),
      media: latestAt(ctx, e, C.EncodedImage.media_type),
      tensor: latestAt(ctx, e, C.Tensor.data),
    };
    // The most recent of the image kinds logged on this entity.
    const kinds = [
      ['image', refs.buffer],
      ['depth', refs.depth],
      ['encoded', refs.blob],
      ['tensor', refs.tensor],
    ] as const;
    let best: (typeof kinds)[number] | null = null;
    for (const k of kinds) {
      if (k[1] && (!best || (k[1].time ?? -1n) > (best[1]!.time ?? -1n))) best = k;
    }
    if (!best) return false;
    this.isDepth = best[0] === 'depth';
    const prefix = best[0] === 'image' ? 'Image' : best[0] === 'depth' ? 'DepthImage' : 'EncodedImage';
    const order = batch(ctx, e, `${prefix}:draw_order`);
    const opacity = batch(ctx, e, `${prefix}:opacity`);
    this.drawOrder = numberAt(order, 0) ?? (best[0] === 'depth' ? kDrawOrder.depth : kDrawOrder.image);
    this.opacity = numberAt(opacity, 0) ?? 1;
    const style = [C.DepthImage.colormap, C.DepthImage.depth_range].map((c) => refKey(latestAt(ctx, e, c)));
    const key = `${Object.values(refs).map(refKey).join('|')}|${style.join('|')}`;
    if (key === this.key) return true;
    this.key = key;
    this.message = '';
    try {
      if (best[0] === 'image') this.drawRaw(refs.buffer!, refs.format, false);
      else if (best[0] === 'depth') this.drawRaw(refs.depth!, refs.depthFormat, true);
      else if (best[0] === 'encoded') this.drawEncoded(refs.blob!, refs.media);
      else this.drawTensor(refs.tensor!);
    } catch (err) {
      this.message = `cannot show: ${(err as Error).message}`;
    }
    return true;
  }

  private updateSegmentation(ctx: ViewContext, ann: Annotations): boolean {
    const e = this.entity;
    const buffer = latestAt(ctx, e, C.SegmentationImage.buffer);
    const format = latestAt(ctx, e, C.SegmentationImage.format);
    if (!buffer) return false;
    this.drawOrder = numberAt(batch(ctx, e, C.SegmentationImage.draw_order), 0) ?? kDrawOrder.segmentation;
    // Rerun draws segmentation at half opacity over what is below it.
    this.opacity = numberAt(batch(ctx, e, C.SegmentationImage.opacity), 0) ?? 0.5;
    const key = `${refKey(buffer)}|${refKey(format)}|${ann.key}`;
    if (key === this.key) return true;
    this.key = key;
    this.message = '';
    const bytes = bytesAt(buffer, C.SegmentationImage.buffer);
    const f = format ? formatAt(format, C.SegmentationImage.format) : null;
    if (!bytes || !f) {
      this.message = 'segmentation image without a format';
      return true;
    }
    const n = f.width * f.height;
    const width = bytesPerChannel(f.datatype);
    if (f.colorModel !== ColorModel.L || (f.datatype !== ChannelDatatype.U8 && f.datatype !== ChannelDatatype.U16) || bytes.length < n * width) {
      this.message = `segmentation image: ${kModelNames[f.colorModel]} ${kTypeNames[f.datatype] ?? '?'} of ${bytes.length} bytes not shown`;
      return true;
    }
    const aligned = width === 2 && bytes.byteOffset % 2 ? bytes.slice() : bytes;
    const ids = width === 1 ? aligned : new Uint16Array(aligned.buffer, aligned.byteOffset, n);
    const out = new Uint8ClampedArray(n * 4);
    // One color per class id present; class 0 without a color of its own is transparent.
    const lut = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      let c = lut.get(id);
      if (c === undefined) {
        const own = ann.classes.get(id)?.color;
        c = own ?? (id === 0 ? 0 : autoClassColor(id));
        lut.set(id, c);
      }
      out[4 * i] = c >>> 24;
      out[4 * i + 1] = (c >>> 16) & 255;
      out[4 * i + 2] = (c >>> 8) & 255;
      out[4 * i + 3] = c & 255;
    }
    this.info = `${f.width}×${f.height} segmentation ${kTypeNames[f.datatype]}`;
    this.put(new ImageData(out, f.width, f.height));
    return true;
  }

  private put(pixels: ImageData): void {
    if (this.canvas.width !== pixels.width || this.canvas.height !== pixels.height) {
      this.canvas.width = pixels.width;
      this.canvas.height = pixels.height;
    }
    this.canvas.getContext('2d')!.putImageData(pixels, 0, 0);
    this.width = pixels.width;
    this.height = pixels.height;
    this.ready = true;
    this.version++;
  }

  private drawRaw(buffer: RowRef, formatRef: RowRef | null, depth: boolean): void {
    const component = depth ? 'DepthImage' : 'Image';
    const bytes = bytesAt(buffer, `${component}:buffer`);
    const format = formatRef ? formatAt(formatRef, `${component}:format`) : null;
    if (!bytes || !format) {
      this.message = 'image without a format';
      return;
    }
    const { width, height, colorModel, datatype } = format;
    const rgba = depth ? this.depthPixels(bytes, width, height, datatype) : toRGBA(bytes, width, height, colorModel, datatype);
    this.info = `${width}×${height} ${depth ? 'depth' : kModelNames[colorModel]} ${kTypeNames[datatype] ?? '?'}`;
    this.put(new ImageData(rgba, width, height));
  }

  /** Depth as colors: DepthImage colormap (default Turbo) over depth_range (default: the valid values); 0 is black. */
  private depthPixels(bytes: Uint8Array, width: number, height: number, datatype: number): Uint8ClampedArray<ArrayBuffer> {
    const ctx = this.ctx;
    const map = ctx ? numberAt(batch(ctx, this.entity, C.DepthImage.colormap), 0) : null;
    const range = ctx ? vectorAt(batch(ctx, this.entity, C.DepthImage.depth_range), 0, 2) : null;
    if (map === null && !range) return depthToRGBA(bytes, width, height, datatype);
    const n = width * height;
    const v = tensorValues(bytes, datatype, n);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (v[i] > 0 && v[i] < lo) lo = v[i];
      if (v[i] > hi) hi = v[i];
    }
    if (range) [lo, hi] = [range[0], range[1]];
    const out = new Uint8ClampedArray(n * 4);
    for (let i = 0; i < n; i++) {
      out[4 * i + 3] = 255;
      if (!(v[i] > 0)) continue;
      const [r, g, b] = colormap(map ?? C.Colormap.Turbo, hi > lo ? (v[i] - lo) / (hi - lo) : 0.5);
      out[4 * i] = r;
      out[4 * i + 1] = g;
      out[4 * i + 2] = b;
    }
    return out;
  }

  private drawEncoded(blobRef: RowRef, mediaRef: RowRef | null): void {
    const bytes = bytesAt(blobRef, C.EncodedImage.blob);
    if (!bytes) return;
    let media = '';
    if (mediaRef) {
      const col = mediaRef.chunk.components.get(C.EncodedImage.media_type)!;
      const k = col.offsets[mediaRef.row];
      if (col.offsets[mediaRef.row + 1] > k) media = stringAt(col.instances, k);
    }
    if (!media) media = bytes[0] === 0x89 && bytes[1] === 0x50 ? 'image/png' : 'image/jpeg';
    const token = ++this.decodeToken;
    const blob = new Blob([bytes.slice()], { type: media });
    createImageBitmap(blob).then(
      (bitmap) => {
        if (token !== this.decodeToken) return bitmap.close();
        this.canvas.width = bitmap.width;
        this.canvas.height = bitmap.height;
        this.canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
        this.width = bitmap.width;
        this.height = bitmap.height;
        this.info = `${bitmap.width}×${bitmap.height} ${media}`;
        this.message = '';
        this.ready = true;
        this.version++;
        bitmap.close();
        this.onDecoded();
      },
      (err: Error) => {
        if (token !== this.decodeToken) return;
        this.message = `cannot decode ${media}: ${err.message}`;
        this.onDecoded();
      },
    );
  }

  private drawTensor(ref: RowRef): void {
    const col = ref.chunk.components.get(C.Tensor.data)!;
    const k = col.offsets[ref.row];
    const shapeData = structField(col, 'shape');
    const so = shapeData.valueOffsets as Int32Array;
    const dims = Array.from((shapeData.children[0].values as BigUint64Array).subarray(so[k], so[k + 1]), Number);
    const datatype = Number(structField(col, 'datatype').values[k]);
    const bytes = binaryAt(structField(col, 'buffer'), k);
    const shape = `[${dims.join(', ')}] ${kTypeNames[datatype] ?? '?'}`;
    this.info = `tensor ${shape}`;
    const c = dims.length === 2 ? 1 : dims[2];
    if ((dims.length === 2 || dims.length === 3) && (c === 1 || c === 3 || c === 4)) {
      const model = c === 1 ? ColorModel.L : c === 3 ? ColorModel.RGB : ColorModel.RGBA;
      this.put(new ImageData(toRGBA(bytes, dims[1], dims[0], model, datatype), dims[1], dims[0]));
    } else {
      this.message = `tensor ${shape}: not shown as an image`;
    }
  }
}

