// A text document (latest-at TextDocument): plain text, or a small subset of Markdown
// (headings, lists, code blocks, paragraphs) built as DOM nodes, never as HTML strings.
import { stringAt } from '../data/components';
import { latestAt, panel, refKey, type View, type ViewContext } from './view';
import * as C from '../data/components.generated';

export function renderMarkdown(text: string, into: HTMLElement): void {
  const lines = text.split('\n');
  let list: HTMLElement | null = null;
  let para: string[] = [];
  let code: string[] | null = null;
  const flushPara = () => {
    if (para.length) {
      const p = document.createElement('p');
      p.textContent = para.join(' ');
      into.append(p);
      para = [];
    }
  };
  for (const line of lines) {
    if (code) {
      if (line.startsWith('```')) {
        const pre = document.createElement('pre');
        pre.textContent = code.join('\n');
        into.append(pre);
        code = null;
      } else {
        code.push(line);
      }
      continue;
    }
    if (line.startsWith('```')) {
      flushPara();
      list = null;
      code = [];
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flushPara();
      list = null;
      const h = document.createElement(`h${Math.min(heading[1].length + 2, 6)}`);
      h.textContent = heading[2];
      into.append(h);
    } else if (item) {
      flushPara();
      if (!list) {
        list = document.createElement('ul');
        into.append(list);
      }
      const li = document.createElement('li');
      li.textContent = item[1];
      list.append(li);
    } else if (line.trim() === '') {
      flushPara();
      list = null;
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  flushPara();
  if (code) {
    const pre = document.createElement('pre');
    pre.textContent = code.join('\n');
    into.append(pre);
  }
}

export class TextDocumentView implements View {
  readonly kind = 'text_document';
  readonly element: HTMLElement;
  private readonly doc = document.createElement('div');
  private key = '';

  constructor(
    readonly id: string,
    private readonly entity: string,
  ) {
    const p = panel('text_document', entity);
    this.element = p.element;
    this.doc.className = 'text-document';
    p.body.append(this.doc);
  }

  update(ctx: ViewContext): void {
    const text = latestAt(ctx, this.entity, C.TextDocument.text);
    const media = latestAt(ctx, this.entity, C.TextDocument.media_type);
    const visible = ctx.isVisible(this.entity);
    const key = `${visible}|${refKey(text)}|${refKey(media)}`;
    if (key === this.key) return;
    this.key = key;
    this.element.classList.toggle('hidden-entity', !visible);
    this.doc.replaceChildren();
    if (!text || !visible) return;
    const one = (ref: typeof text, c: string) => {
      const col = ref.chunk.components.get(c)!;
      const k = col.offsets[ref.row];
      return col.offsets[ref.row + 1] > k ? stringAt(col.instances, k) : '';
    };
    const body = one(text, C.TextDocument.text);
    if (media && one(media, C.TextDocument.media_type) === 'text/markdown') {
      renderMarkdown(body, this.doc);
    } else {
      const pre = document.createElement('pre');
      pre.textContent = body;
      this.doc.append(pre);
    }
  }

  dispose(): void {
    this.element.remove();
  }
}
