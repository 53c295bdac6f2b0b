import { h, safeHttpUrl } from '../dom';

// An address ends before a space or an angle bracket; closing punctuation right after it is left
// out (« voir https://exemple.org/page. » links to …/page).
const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;
const TRAILING = /[.,;:!?)\]}»'’]+$/;

/**
 * A member's text (a thread, a reply, a description) as typed: text nodes, and its http(s) addresses
 * as links with rel="nofollow ugc noopener". Nothing is ever parsed as markup; line breaks are kept
 * by the CSS of `.member-text` (white-space: pre-wrap).
 */
export function memberText(text: string, className = 'member-text'): HTMLElement {
  const box = h('div', { class: className });
  let last = 0;
  URL_PATTERN.lastIndex = 0;
  for (let match = URL_PATTERN.exec(text); match; match = URL_PATTERN.exec(text)) {
    let raw = match[0];
    const trailing = TRAILING.exec(raw);
    if (trailing) raw = raw.slice(0, raw.length - trailing[0].length);
    const href = safeHttpUrl(raw);
    if (!href || raw.length <= 'https://'.length) continue;
    if (match.index > last) box.append(document.createTextNode(text.slice(last, match.index)));
    box.append(h('a', { href, rel: 'nofollow ugc noopener' }, raw));
    last = match.index + raw.length;
    URL_PATTERN.lastIndex = last;
  }
  if (last < text.length) box.append(document.createTextNode(text.slice(last)));
  return box;
}
