// A readable diff of one field: « Avant » / « Après » (and, for a correction under review, the value
// when it was proposed, the current one and the proposed one). Long texts are compared word by word:
// removed words in <del>, added ones in <ins>, each announced to screen readers.
import { diffWordsWithSpace } from 'diff';
import { h } from '../../dom';
import { fieldLabel, LONG_TEXT_FIELDS, valueText, type Labels } from './fieldValues';

const EMPTY = '(vide)';

function plain(text: string): HTMLElement {
  return text ? h('span', { class: 'diff__text' }, text) : h('span', { class: 'diff__empty' }, EMPTY);
}

/** Word-level changes from before to after, inline. */
export function wordDiff(before: string, after: string): HTMLElement {
  const box = h('p', { class: 'diff__words' });
  for (const part of diffWordsWithSpace(before, after)) {
    if (part.added) box.append(h('ins', null, h('span', { class: 'visually-hidden' }, '[ajouté : '), part.value, h('span', { class: 'visually-hidden' }, ']')));
    else if (part.removed) box.append(h('del', null, h('span', { class: 'visually-hidden' }, '[retiré : '), part.value, h('span', { class: 'visually-hidden' }, ']')));
    else box.append(part.value);
  }
  return box;
}

/** One field's change, as a row of a description list. */
export function fieldChange(field: string, before: unknown, after: unknown, labels: Labels): HTMLElement {
  const b = valueText(field, before, labels);
  const a = valueText(field, after, labels);
  const body = h('div', { class: 'diff__values' });
  if (LONG_TEXT_FIELDS.has(field) && b && a) {
    body.append(wordDiff(b, a));
  } else if (!b && a) {
    body.append(h('div', { class: 'diff__after' }, h('span', { class: 'diff__label' }, 'Ajouté : '), plain(a)));
  } else if (b && !a) {
    body.append(h('div', { class: 'diff__before' }, h('span', { class: 'diff__label' }, 'Retiré : '), plain(b)));
  } else {
    body.append(
      h('div', { class: 'diff__before' }, h('span', { class: 'diff__label' }, 'Avant : '), plain(b)),
      h('div', { class: 'diff__after' }, h('span', { class: 'diff__label' }, 'Après : '), plain(a)),
    );
  }
  return h('div', { class: 'diff__row', 'data-field': field }, h('dt', { class: 'diff__field' }, fieldLabel(field)), h('dd', null, body));
}

/** A list of field changes; `changes` in the order given. */
export function changeList(changes: { field: string; before: unknown; after: unknown }[], labels: Labels): HTMLElement {
  return h('dl', { class: 'diff' }, ...changes.map((c) => fieldChange(c.field, c.before, c.after, labels)));
}

/**
 * A correction under review: for each proposed field, the value the author saw, the value now (which
 * may have changed since) and the proposed one, with the words changed from now to proposed.
 */
export function correctionTable(
  fields: Record<string, unknown>,
  base: Record<string, unknown>,
  current: Record<string, unknown>,
  labels: Labels,
): HTMLElement {
  const rows = Object.keys(fields).map((field) => {
    const baseText = valueText(field, base[field], labels);
    const currentText = valueText(field, current[field], labels);
    const proposed = valueText(field, fields[field], labels);
    const moved = baseText !== currentText;
    return h(
      'tr',
      { 'data-field': field },
      h('th', { scope: 'row' }, fieldLabel(field)),
      h('td', { class: 'review-table__base' }, plain(baseText)),
      h('td', { class: moved ? 'review-table__current review-table__current--moved' : 'review-table__current' }, plain(currentText), moved ? h('span', { class: 'review-table__note' }, ' (modifiée depuis)') : null),
      h(
        'td',
        { class: 'review-table__proposed' },
        LONG_TEXT_FIELDS.has(field) && currentText && proposed ? wordDiff(currentText, proposed) : plain(proposed),
      ),
    );
  });
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Modifications proposées' },
    h(
      'table',
      { class: 'review-table' },
      h('caption', { class: 'visually-hidden' }, 'Pour chaque champ : valeur de départ, valeur actuelle, valeur proposée'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Champ'),
          h('th', { scope: 'col' }, 'Valeur de départ'),
          h('th', { scope: 'col' }, 'Valeur actuelle'),
          h('th', { scope: 'col' }, 'Valeur proposée'),
        ),
      ),
      h('tbody', null, ...rows),
    ),
  );
}

/** The fields of a proposal: each with its proposed value (there is no « before »). */
export function proposalList(fields: Record<string, unknown>, order: string[], labels: Labels): HTMLElement {
  return h(
    'dl',
    { class: 'diff diff--proposal' },
    ...order.map((field) =>
      h(
        'div',
        { class: 'diff__row', 'data-field': field },
        h('dt', { class: 'diff__field' }, fieldLabel(field)),
        h('dd', null, h('div', { class: 'diff__values diff__proposed' }, plain(valueText(field, fields[field], labels)))),
      ),
    ),
  );
}
