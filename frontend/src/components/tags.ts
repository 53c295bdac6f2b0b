import { h } from '../dom';
import type { Coded } from '../types';

export type TagVariant = 'theme' | 'subtheme' | 'public';

/** A list of chips; nothing when the list is empty. */
export function tagList(items: Coded[], variant: TagVariant = 'theme', label?: string): HTMLElement | null {
  if (items.length === 0) return null;
  return h(
    'ul',
    { class: `tags tags--${variant}`, 'aria-label': label },
    ...items.map((item) => h('li', { class: `tag tag--${variant}`, 'data-code': item.code }, item.label)),
  );
}
