// @-mention completion in a text area: typing « @Cam » lists the community's members whose name
// starts so (or has a word that does). The list is a listbox tied to the text area
// (aria-controls, aria-activedescendant, aria-autocomplete=list); Down/Up move through it, Enter or
// Tab choose, Escape closes it; a click chooses too. The text keeps the typed « @Display Name »; the
// ids sent as `mentions` are those of the members whose « @Name » is in the text when it is sent.
import type { Person } from '../../communitiesApi';
import { h } from '../../dom';

const MAX_SHOWN = 8;
const MAX_QUERY = 40;

let counter = 0;

function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

export interface Mentions {
  /** The list and its live region, to put right after the text area. */
  element: HTMLElement;
  /** The hint to add to the text area's description. */
  hintId: string;
  hint: HTMLElement;
  /** The ids of the members mentioned in the text now. */
  ids(): number[];
  setMembers(members: Person[]): void;
  destroy(): void;
}

export function attachMentions(area: HTMLTextAreaElement, exclude: number | null = null): Mentions {
  const n = ++counter;
  const listId = `mention-list-${n}`;
  const hintId = `mention-hint-${n}`;
  const listbox = h('ul', { id: listId, class: 'mention-list', role: 'listbox', 'aria-label': 'Membres à mentionner', hidden: true });
  const live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const hint = h('p', { class: 'field__hint', id: hintId }, 'Pour mentionner un membre, tapez @ puis le début de son nom, choisissez avec les flèches et validez avec Entrée.');
  let members: Person[] = [];
  let shown: Person[] = [];
  let active = -1;
  let start = -1;

  area.setAttribute('aria-autocomplete', 'list');
  area.setAttribute('aria-controls', listId);
  const described = area.getAttribute('aria-describedby');
  area.setAttribute('aria-describedby', described ? `${hintId} ${described}` : hintId);

  function close(): void {
    listbox.hidden = true;
    shown = [];
    active = -1;
    start = -1;
    area.removeAttribute('aria-activedescendant');
  }

  function setActive(index: number): void {
    active = index;
    listbox.querySelectorAll('[role=option]').forEach((el, i) => {
      el.setAttribute('aria-selected', String(i === index));
      el.classList.toggle('is-active', i === index);
    });
    if (index >= 0) area.setAttribute('aria-activedescendant', `${listId}-${index}`);
    else area.removeAttribute('aria-activedescendant');
  }

  /** The « @text » being typed just before the caret, or null. */
  function pending(): { at: number; query: string } | null {
    const caret = area.selectionStart ?? area.value.length;
    if (caret !== (area.selectionEnd ?? caret)) return null;
    const before = area.value.slice(0, caret);
    const at = before.lastIndexOf('@');
    if (at < 0 || caret - at - 1 > MAX_QUERY) return null;
    if (at > 0 && !/\s|[(«"']/.test(before[at - 1]!)) return null;
    const query = before.slice(at + 1);
    if (/[\n@]/.test(query) || /\s{2}/.test(query)) return null;
    return { at, query };
  }

  function matches(query: string): Person[] {
    const q = fold(query.trim());
    return members
      .filter((m) => m.account_id !== exclude)
      .filter((m) => {
        const name = fold(m.display_name);
        return q === '' || name.startsWith(q) || name.split(/\s+/).some((word) => word.startsWith(q));
      })
      .slice(0, MAX_SHOWN);
  }

  function update(): void {
    const found = pending();
    if (!found) {
      if (!listbox.hidden) live.textContent = '';
      close();
      return;
    }
    const list = matches(found.query);
    if (list.length === 0) {
      close();
      live.textContent = found.query ? 'Aucun membre de ce nom' : '';
      return;
    }
    start = found.at;
    shown = list;
    listbox.replaceChildren(
      ...list.map((m, i) => {
        const option = h('li', { id: `${listId}-${i}`, class: 'mention-option', role: 'option', 'aria-selected': 'false' }, m.display_name);
        // Keeps the focus in the text area.
        option.addEventListener('mousedown', (event) => event.preventDefault());
        option.addEventListener('click', () => choose(i));
        return option;
      }),
    );
    listbox.hidden = false;
    setActive(-1);
    live.textContent = list.length === 1 ? '1 membre suggéré' : `${list.length} membres suggérés`;
  }

  function choose(index: number): void {
    const person = shown[index];
    if (!person || start < 0) return;
    const caret = area.selectionStart ?? area.value.length;
    const insert = `@${person.display_name} `;
    area.value = area.value.slice(0, start) + insert + area.value.slice(caret);
    const at = start + insert.length;
    area.setSelectionRange(at, at);
    close();
    live.textContent = `${person.display_name} mentionné·e`;
    area.focus();
  }

  const onKey = (event: KeyboardEvent): void => {
    if (listbox.hidden || shown.length === 0) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive(active + 1 >= shown.length ? 0 : active + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(active <= 0 ? shown.length - 1 : active - 1);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
      live.textContent = '';
    }
  };
  const onInput = (): void => update();
  const onBlur = (): void => close();
  area.addEventListener('keydown', onKey);
  area.addEventListener('input', onInput);
  area.addEventListener('blur', onBlur);

  return {
    element: h('div', { class: 'mention' }, listbox, live),
    hintId,
    hint,
    ids(): number[] {
      const text = area.value;
      const ids = new Set<number>();
      for (const m of members) {
        if (m.account_id !== exclude && text.includes(`@${m.display_name}`)) ids.add(m.account_id);
      }
      return Array.from(ids);
    },
    setMembers(list: Person[]): void {
      members = list.slice().sort((a, b) => a.display_name.localeCompare(b.display_name, 'fr'));
    },
    destroy(): void {
      area.removeEventListener('keydown', onKey);
      area.removeEventListener('input', onInput);
      area.removeEventListener('blur', onBlur);
    },
  };
}
