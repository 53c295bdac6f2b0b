// Small DOM builder. Text always goes in as text nodes, never as markup, so data from the API
// cannot inject HTML.

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') el.className = String(value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Only http(s) addresses become links: no javascript:, data: or relative tricks from records. */
export function safeHttpUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A link opening in a new window, announced as such to screen reader users. */
export function externalLink(href: string, text: string, className?: string): HTMLAnchorElement {
  return h(
    'a',
    { href, rel: 'noopener', target: '_blank', class: className },
    text,
    h('span', { class: 'visually-hidden' }, ' (nouvelle fenêtre)'),
  );
}

export function setTitle(page: string | null): void {
  document.title = page ? `${page} — SocialConnect` : 'SocialConnect — les innovations sociales près de chez vous';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references of escaped text; anything unknown stays as it is. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

/**
 * A passage where the server put the matched words in <mark> and escaped the rest: rebuilt from
 * text nodes and <mark> elements only. Any other markup would show as plain text, never as HTML.
 */
export function markedText(html: string): Node[] {
  const nodes: Node[] = [];
  const pattern = /<mark>([\s\S]*?)<\/mark>/gi;
  let last = 0;
  for (let match = pattern.exec(html); match; match = pattern.exec(html)) {
    if (match.index > last) nodes.push(document.createTextNode(decodeEntities(html.slice(last, match.index))));
    const mark = document.createElement('mark');
    mark.textContent = decodeEntities(match[1] ?? '');
    nodes.push(mark);
    last = match.index + match[0].length;
  }
  if (last < html.length) nodes.push(document.createTextNode(decodeEntities(html.slice(last))));
  return nodes;
}
