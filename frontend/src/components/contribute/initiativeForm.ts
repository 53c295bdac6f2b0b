// The fields of an initiative as one form: the proposal of a new one (« Ajouter une initiative »), the
// suggestion of a correction and the carriers' edit use it alike. Vocabularies are checkboxes and
// selects of their French labels; the place is the map picker. An API error naming a field (`field`,
// or `place.lon`…) is shown beside that field, which gets the focus.
import { ApiError } from '../../api';
import { h } from '../../dom';
import type { Coded, Vocabularies } from '../../types';
import type { FieldName, InitiativeFields } from '../../contribApi';
import { selectField, setFieldError, showError, textArea, textField, type Field } from '../form';
import { FIELD_ORDER, normalized } from './fieldValues';
import { placePicker } from './placePicker';

export interface InitiativeForm {
  element: HTMLElement;
  fields: Field[];
  /** Every field's value as typed (empty strings and lists included). */
  values(): InitiativeFields;
  /** Only the fields whose value differs from `base`. */
  changedFrom(base: InitiativeFields): InitiativeFields;
  /** The fields with a value: what a proposal sends. */
  filled(): InitiativeFields;
  setValues(values: InitiativeFields): void;
  /** Shows an API error beside its field (focused) or in `message`. */
  showError(err: unknown, message: { error(text: string): void }): void;
  clearErrors(): void;
  field(name: FieldName): Field | undefined;
  destroy(): void;
}

interface CheckGroup {
  field: Field<HTMLInputElement>;
  boxes: HTMLInputElement[];
}

/** A fieldset of checkboxes named by its legend, with its error; `field.control` is the first box. */
function checkGroup(prefix: string, name: string, legend: string, items: Coded[], hint?: string): CheckGroup {
  const boxes: HTMLInputElement[] = [];
  const errorId = `${prefix}-${name}-error`;
  const error = h('p', { class: 'field__error', id: errorId, 'aria-live': 'polite' });
  const box = (item: Coded, group: string): HTMLElement => {
    const input = h('input', { type: 'checkbox', id: `${prefix}-${group}-${item.code}`, name: group, value: item.code, class: 'choice__input' });
    boxes.push(input);
    return h('div', { class: 'choice' }, input, h('label', { class: 'choice__label', for: input.id }, item.label));
  };
  const list = h('div', { class: 'choice-list' }, ...items.map((item) => box(item, name)));
  const fieldset = h(
    'fieldset',
    { class: 'field form__field choice-group', 'aria-describedby': hint ? `${prefix}-${name}-hint ${errorId}` : errorId },
    h('legend', { class: 'field__label' }, legend, ' (facultatif)'),
    hint ? h('p', { class: 'field__hint', id: `${prefix}-${name}-hint` }, hint) : null,
    list,
    error,
  );
  const first = boxes[0] ?? h('input', { type: 'checkbox', hidden: true });
  return { field: { name, element: fieldset, control: first, error }, boxes };
}

function codesOf(group: CheckGroup): string[] {
  return group.boxes.filter((b) => b.checked).map((b) => b.value);
}

function setCodes(group: CheckGroup, codes: readonly string[] | undefined): void {
  const chosen = new Set(codes ?? []);
  for (const b of group.boxes) b.checked = chosen.has(b.value);
}

const choices = (items: Coded[]): [string, string][] => [['', 'Non précisé'], ...items.map((c): [string, string] => [c.code, c.label])];

export function initiativeForm(prefix: string, vocabularies: Vocabularies): InitiativeForm {
  const title = textField({ id: `${prefix}-title`, name: 'title', label: 'Titre', maxLength: 300, hint: "Le nom de l'initiative, tel que ses porteurs le donnent." });
  title.control.required = false; // checked on submit only: a draft may be saved without it
  const summary = textArea({ id: `${prefix}-summary`, name: 'summary', label: 'Résumé', required: false, maxLength: 2000, rows: 3, hint: 'Une ou deux phrases.' });
  const description = textArea({ id: `${prefix}-description`, name: 'description', label: 'Description', required: false, maxLength: 50000, rows: 8 });
  const actorName = textField({ id: `${prefix}-actor-name`, name: 'actor_name', label: 'Porteur (structure)', required: false, maxLength: 300, hint: "L'association, l'entreprise ou la collectivité qui mène le projet." });
  const actorType = selectField({ id: `${prefix}-actor-type`, name: 'actor_type', label: "Type d'acteur", required: false, choices: choices(vocabularies.actor_types) });
  const themes = checkGroup(prefix, 'themes', 'Thèmes', vocabularies.themes);
  const subthemeItems: Coded[] = [];
  for (const theme of vocabularies.themes) for (const child of theme.children ?? []) subthemeItems.push({ code: child.code, label: `${child.label} (${theme.label})` });
  const subthemes = checkGroup(prefix, 'subthemes', 'Sous-thèmes', subthemeItems, 'Choisir un sous-thème ajoute son thème.');
  const publics = checkGroup(prefix, 'publics', 'Publics', vocabularies.publics);
  const scale = selectField({ id: `${prefix}-scale`, name: 'scale', label: 'Échelle', required: false, choices: choices(vocabularies.scales) });
  const stage = selectField({ id: `${prefix}-stage`, name: 'stage', label: 'Stade', required: false, choices: choices(vocabularies.stages) });
  const startYear = textField({ id: `${prefix}-start-year`, name: 'start_year', label: 'Année de lancement', required: false, maxLength: 4, hint: 'Entre 1800 et 2100.' });
  startYear.control.inputMode = 'numeric';
  startYear.control.classList.add('field__input--short');
  const website = textField({ id: `${prefix}-website`, name: 'website', label: 'Site web', required: false, maxLength: 2000, hint: 'Adresse complète, commençant par https://' });
  website.control.type = 'url';
  website.control.setAttribute('autocomplete', 'url');
  const place = placePicker(prefix);

  const fields: Field[] = [title, summary, description, actorName, actorType, themes.field, subthemes.field, publics.field, scale, stage, startYear, website, place.field];
  const byName = new Map(fields.map((f) => [f.name, f]));
  // Sub-themes imply their theme: ticking one ticks the theme too, so what is sent says what is meant.
  const parentOf = new Map<string, string>();
  for (const theme of vocabularies.themes) for (const child of theme.children ?? []) parentOf.set(child.code, theme.code);
  for (const b of subthemes.boxes) {
    b.addEventListener('change', () => {
      const parent = parentOf.get(b.value);
      if (b.checked && parent) {
        const themeBox = themes.boxes.find((t) => t.value === parent);
        if (themeBox) themeBox.checked = true;
      }
    });
  }

  const subthemeBox = h('details', { class: 'form-section__more' }, h('summary', null, 'Sous-thèmes'), subthemes.field.element);
  const element = h(
    'div',
    { class: 'initiative-form' },
    h('fieldset', { class: 'form-section' }, h('legend', { class: 'form-section__title' }, "L'initiative"), title.element, summary.element, description.element),
    h('fieldset', { class: 'form-section' }, h('legend', { class: 'form-section__title' }, 'Qui la porte'), actorName.element, actorType.element, website.element),
    h(
      'fieldset',
      { class: 'form-section' },
      h('legend', { class: 'form-section__title' }, 'Domaines et publics'),
      themes.field.element,
      subthemeBox,
      publics.field.element,
      scale.element,
      stage.element,
      startYear.element,
    ),
    h('fieldset', { class: 'form-section' }, h('legend', { class: 'form-section__title' }, 'Où'), place.field.element),
  );

  function values(): InitiativeFields {
    const year = startYear.control.value.trim();
    const yearNumber = /^[0-9]{1,4}$/.test(year) ? Number(year) : null;
    return {
      title: title.control.value.trim(),
      summary: summary.control.value.trim(),
      description: description.control.value.trim(),
      actor_name: actorName.control.value.trim(),
      actor_type: actorType.control.value || null,
      themes: codesOf(themes),
      subthemes: codesOf(subthemes),
      publics: codesOf(publics),
      scale: scale.control.value || null,
      stage: stage.control.value || null,
      // Anything else typed there goes as it is, so the API's own error names the field.
      start_year: year === '' ? null : (yearNumber ?? (year as unknown as number)),
      website: website.control.value.trim(),
      place: place.value(),
    };
  }

  return {
    element,
    fields,
    values,
    changedFrom(base: InitiativeFields): InitiativeFields {
      const now = values() as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const name of FIELD_ORDER) {
        if (normalized(now[name]) !== normalized((base as Record<string, unknown>)[name])) out[name] = now[name];
      }
      return out as InitiativeFields;
    },
    filled(): InitiativeFields {
      const now = values() as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const name of FIELD_ORDER) if (normalized(now[name]) !== 'null') out[name] = now[name];
      return out as InitiativeFields;
    },
    setValues(v: InitiativeFields): void {
      title.control.value = v.title ?? '';
      summary.control.value = v.summary ?? '';
      description.control.value = v.description ?? '';
      actorName.control.value = v.actor_name ?? '';
      actorType.control.value = v.actor_type ?? '';
      setCodes(themes, v.themes);
      setCodes(subthemes, v.subthemes);
      subthemeBox.open = (v.subthemes ?? []).length > 0;
      setCodes(publics, v.publics);
      scale.control.value = v.scale ?? '';
      stage.control.value = v.stage ?? '';
      startYear.control.value = v.start_year === null || v.start_year === undefined ? '' : String(v.start_year);
      website.control.value = v.website ?? '';
      place.setValue(v.place ?? null);
    },
    showError(err: unknown, message: { error(text: string): void }): void {
      // The API names the fields of the body's `fields` object `fields.title`, `fields.place.lon`…
      let error = err;
      if (err instanceof ApiError && err.field?.startsWith('fields.')) {
        error = new ApiError(err.status, err.code, err.message, err.field.slice('fields.'.length), err.body);
      }
      // An error on a sub-theme must be seen: its list may be folded.
      if (error instanceof ApiError && error.field?.startsWith('subthemes')) subthemeBox.open = true;
      showError(error, fields, message);
    },
    clearErrors(): void {
      for (const f of fields) setFieldError(f, null);
    },
    field(name: FieldName): Field | undefined {
      return byName.get(name);
    },
    destroy(): void {
      place.destroy();
    },
  };
}
