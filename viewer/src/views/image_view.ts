// A 2D image view of one entity: the latest-at Image (raw pixels + format), DepthImage,
// EncodedImage (JPEG/PNG decoded by the browser) or 2D/3D Tensor.
import { binaryAt, stringAt, structField } from '../data/components';
import type { RowRef } from '../data/store';
import { ColorModel, depthToRGBA, toRGBA } from './image_convert';
import { latestAt, panel, refKey, type View, type ViewContext } from './view';
import * as C from '../data/components.generated';

const kModelNames: Record<number, string> = { 1: 'L', 2: 'RGB', 3: 'RGBA', 4: 'BGR', 5: 'BGRA' };
const kTypeNames: Record<number, string> = { 1: 'u8', 2: 'u16', 3: 'u32', 4: 'u64', 5: 'i8', 6: 'i16', 7: 'i32', 8: 'i64', 9: 'f16', 10: 'f32', 11: 'f64' };

interface Format {
  width: number;
  height: number;
  colorModel: number;
  datatype: number;
}

function formatAt(ref: RowRef, component: string): Format | null {
  const col = ref.chunk.components.get(component)!;
  const k = col.offsets[ref.row];
  if (col.offsets[ref.row + 1] <= k) return null;
  const f = (name: string) => Number(structField(col, name).values[k]);
  return { width: f('width'), height: f('height'), colorModel: f('color_model'), datatype: f('channel_datatype') };
}

function bytesAt(ref: RowRef, component: string): Uint8Array | null {
  const col = ref.chunk.components.get(component)!;
  const k = col.offsets[ref.row];
  return col.offsets[ref.row + 1] > k ? binaryAt(col.instances, k) : null;
}

export class ImageView implements View {
  readonly kind = 'image';
  readonly element: HTMLElement;
  private readonly canvas = document.createElement('canvas');
  private readonly info = document.createElement('span');
  private readonly message = document.createElement('div');
  private key = '';
  private lastStore = -1;
  private lastCursor = -1;
  private lastVisibility = -1;
  private decodeToken = 0;

  constructor(
    readonly id: string,
    private readonly entity: string,
  ) {
    const p = panel('image', entity);
    this.element = p.element;
    this.info.className = 'panel-info';
    p.header.append(this.info);
    this.canvas.className = 'image-canvas';
    this.canvas.width = 1;
    this.canvas.height = 1;
    this.message.className = 'panel-message';
    p.body.append(this.canvas, this.message);
  }

  update(ctx: ViewContext): void {
    if (ctx.storeVersion === this.lastStore && ctx.cursorVersion === this.lastCursor && ctx.visibilityVersion === this.lastVisibility) return;
    this.lastStore = ctx.storeVersion;
    this.lastCursor = ctx.cursorVersion;
    this.lastVisibility = ctx.visibilityVersion;
    const visible = ctx.isVisible(this.entity);
    this.element.classList.toggle('hidden-entity', !visible);
    const refs = {
      buffer: latestAt(ctx, this.entity, C.Image.buffer),
      format: latestAt(ctx, this.entity, C.Image.format),
      depth: latestAt(ctx, this.entity, C.DepthImage.buffer),
      depthFormat: latestAt(ctx, this.entity, C.DepthImage.format),
      blob: latestAt(ctx, this.entity, C.EncodedImage.blob),
      media: latestAt(ctx, this.entity, C.EncodedImage.media_type),
      tensor: latestAt(ctx, this.entity, C.Tensor.data),
    };
    const key = `${visible}|${Object.values(refs).map(refKey).join('|')}`;
    if (key === this.key) return;
    this.key = key;
    this.message.textContent = '';
    if (!visible) return;
    try {
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
      if (!best) {
        this.show(null, 'no image at this time');
        return;
      }
      if (best[0] === 'image') this.drawRaw(refs.buffer!, refs.format, false);
      else if (best[0] === 'depth') this.drawRaw(refs.depth!, refs.depthFormat, true);
      else if (best[0] === 'encoded') this.drawEncoded(refs.blob!, refs.media);
      else this.drawTensor(refs.tensor!);
    } catch (e) {
      this.show(null, `cannot show: ${(e as Error).message}`);
    }
  }

  private show(pixels: ImageData | null, message = ''): void {
    this.message.textContent = message;
    if (!pixels) return;
    if (this.canvas.width !== pixels.width || this.canvas.height !== pixels.height) {
      this.canvas.width = pixels.width;
      this.canvas.height = pixels.height;
    }
    this.canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  }

  private drawRaw(buffer: RowRef, formatRef: RowRef | null, depth: boolean): void {
    const component = depth ? 'DepthImage' : 'Image';
    const bytes = bytesAt(buffer, `${component}:buffer`);
    const format = formatRef ? formatAt(formatRef, `${component}:format`) : null;
    if (!bytes || !format) {
      this.show(null, 'image without a format');
      return;
    }
    const { width, height, colorModel, datatype } = format;
    const rgba = depth ? depthToRGBA(bytes, width, height, datatype) : toRGBA(bytes, width, height, colorModel, datatype);
    this.info.textContent = `${width}×${height} ${depth ? 'depth' : kModelNames[colorModel]} ${kTypeNames[datatype] ?? '?'}`;
    this.show(new ImageData(rgba, width, height));
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
        this.info.textContent = `${bitmap.width}×${bitmap.height} ${media}`;
        this.message.textContent = '';
        bitmap.close();
      },
      (e: Error) => {
        if (token === this.decodeToken) this.show(null, `cannot decode ${media}: ${e.message}`);
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
    this.info.textContent = `tensor ${shape}`;
    const c = dims.length === 2 ? 1 : dims[2];
    if ((dims.length === 2 || dims.length === 3) && (c === 1 || c === 3 || c === 4)) {
      const model = c === 1 ? ColorModel.L : c === 3 ? ColorModel.RGB : ColorModel.RGBA;
      this.show(new ImageData(toRGBA(bytes, dims[1], dims[0], model, datatype), dims[1], dims[0]));
    } else {
      this.show(null, `tensor ${shape}: not shown as an image`);
    }
  }

  dispose(): void {
    this.element.remove();
  }
}
