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
