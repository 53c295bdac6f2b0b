import { decodeEntities, safeHttpUrl } from '../dom';

const LINK = /<a href="([^"<>]*)" rel="nofollow ugc noopener">([^<]*)<\/a>/g;

/**
 * A comment's body_html rebuilt from text nodes and links only: the server escaped the text and
 * made its http(s) addresses into anchors; anything else that looks like markup shows as text.
 * Each link is made here, with an http(s) address checked again and the same rel.
 */
export function commentText(html: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  LINK.lastIndex = 0;
  for (let match = LINK.exec(html); match; match = LINK.exec(html)) {
    if (match.index > last) nodes.push(document.createTextNode(decodeEntities(html.slice(last, match.index))));
    const text = decodeEntities(match[2] ?? '');
    const href = safeHttpUrl(decodeEntities(match[1] ?? ''));
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.rel = 'nofollow ugc noopener';
      a.textContent = text;
      nodes.push(a);
    } else {
      nodes.push(document.createTextNode(text));
    }
    last = match.index + match[0].length;
  }
  if (last < html.length) nodes.push(document.createTextNode(decodeEntities(html.slice(last))));
  return nodes;
}
