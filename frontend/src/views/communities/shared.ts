// What the community pages share: the card of a community, its badge, the « n'existe pas » page, and
// the fields of the creation and edit forms.
import { getVocabularies } from '../../api';
import {
  DESCRIPTION_MAX,
  NAME_MAX,
  VISIBILITY_HINTS,
  VISIBILITY_LABELS,
  type Community,
  type CommunityFields,
  type CommunityVisibility,
} from '../../communitiesApi';
import { textArea, textField, type Field } from '../../components/form';
import { territoryPicker } from '../../components/territoryPicker';
import { h } from '../../dom';
import '../../styles/communities.css';

export const NOT_FOUND_TEXT = "Cette communauté n'existe pas ou est privée.";

export function visibilityBadge(visibility: CommunityVisibility): HTMLElement {
  return h('span', { class: `badge community-badge community-badge--${visibility}` }, VISIBILITY_LABELS[visibility] ?? visibility);
}

export function memberCount(n: number): string {
  return n === 1 ? '1 membre' : `${new Intl.NumberFormat('fr-FR').format(n)} membres`;
}

/** « Membre », « Demande envoyée »… as a small badge, or null for a visitor. */
export function statusBadge(community: Community): HTMLElement | null {
  const me = community.me;
  if (!me?.status) return null;
  const text = me.status === 'member' ? (me.role === 'owner' ? 'Vous êtes responsable' : me.role === 'moderator' ? 'Vous modérez' : 'Vous êtes membre') : me.status === 'pending' ? 'Demande envoyée' : 'Accès retiré';
  return h('span', { class: 'badge community-badge community-badge--me' }, text);
}

/** A short extract of a description for the cards (whole words). */
export function excerpt(text: string, max = 220): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max / 2 ? cut.slice(0, space) : cut) + '…';
}

export function communityCard(community: Community, headingLevel: 'h2' | 'h3' = 'h3'): HTMLElement {
  const themes = Array.isArray(community.themes) ? community.themes : [];
  return h(
    'li',
    { class: 'card community-card', 'data-id': community.id },
    h(
      'div',
      { class: 'card__head' },
      h(headingLevel, { class: 'card__title' }, h('a', { class: 'card__link', href: `/communautes/${community.id}` }, community.name)),
      visibilityBadge(community.visibility),
    ),
    community.description ? h('p', { class: 'card__summary' }, excerpt(community.description)) : null,
    h(
      'p',
      { class: 'card__meta community-card__meta' },
      h('span', null, memberCount(community.member_count ?? 0)),
      community.territory ? h('span', null, community.territory.name) : null,
      themes.length ? h('span', null, themes.map((t) => t.label).join(', ')) : null,
      statusBadge(community),
    ),
  );
}

/** The page shown for an unknown community and, just the same, for a private one to a non-member. */
export function renderCommunityNotFound(root: HTMLElement): void {
  document.title = 'Communauté introuvable — SocialConnect';
  root.replaceChildren(
    h(
      'div',
      { class: 'container not-found' },
      h('h1', { class: 'not-found__title' }, 'Communauté introuvable'),
      h('p', { class: 'not-found__text' }, NOT_FOUND_TEXT, ' Si vous avez reçu une invitation, ouvrez le lien de l’e-mail.'),
      h('p', { class: 'not-found__actions' }, h('a', { class: 'button button--primary', href: '/communautes' }, 'Voir les communautés')),
    ),
  );
}

export interface CommunityForm {
  elements: HTMLElement[];
  fields: Field[];
  name: Field<HTMLInputElement>;
  /** The values to send; only what changed from `initial` when one was given. */
  values(): CommunityFields & { name: string; visibility: CommunityVisibility };
  themesReady: Promise<void>;
}

let formCounter = 0;

/** Name, description, visibility, territory and themes, filled from `initial` when editing. */
export function communityFields(initial: Community | null): CommunityForm {
  const n = ++formCounter;
  const name = textField({
    id: `community-name-${n}`,
    name: 'name',
    label: 'Nom de la communauté',
    hint: `Une ligne, ${NAME_MAX} caractères au plus.`,
    maxLength: NAME_MAX,
    value: initial?.name ?? '',
  });
  const description = textArea({
    id: `community-description-${n}`,
    name: 'description',
    label: 'Présentation',
    hint: 'Ce qui réunit ses membres, ce qu’on y partage. Les adresses web deviennent des liens. 4 000 caractères au plus.',
    required: false,
    maxLength: DESCRIPTION_MAX,
    rows: 5,
    value: initial?.description ?? '',
  });

  // Visibility: three radios in a fieldset.
  const visibilityError = h('p', { class: 'field__error', id: `community-visibility-error-${n}`, 'aria-live': 'polite' });
  const radios = (['public', 'restricted', 'private'] as const).map((value) => {
    const id = `community-visibility-${n}-${value}`;
    const input = h('input', {
      type: 'radio',
      class: 'choice__input',
      name: `visibility-${n}`,
      id,
      value,
      'aria-describedby': `${id}-hint`,
    });
    input.checked = (initial?.visibility ?? 'public') === value;
    return {
      input,
      element: h(
        'div',
        { class: 'choice' },
        input,
        h('label', { for: id }, h('strong', null, VISIBILITY_LABELS[value]), h('span', { class: 'choice__hint', id: `${id}-hint` }, ' — ', VISIBILITY_HINTS[value])),
      ),
    };
  });
  const visibilityBox = h(
    'fieldset',
    { class: 'field form__field choices' },
    h('legend', { class: 'field__label' }, 'Qui peut voir et rejoindre la communauté ?'),
    ...radios.map((r) => r.element),
    visibilityError,
  );
  const visibilityField: Field = { name: 'visibility', element: visibilityBox, control: radios[0]!.input, error: visibilityError };

  // Territory: one at most, chosen in the site's territory picker.
  let territory: string | null = initial?.territory?.ref ?? null;
  const picker = territoryPicker(
    (refs) => {
      territory = refs.length ? refs[refs.length - 1]! : null;
      picker.setSelected(territory ? [territory] : []);
    },
    {
      id: `community-territory-${n}`,
      label: 'Territoire (facultatif)',
      hint: 'Une région, un département ou une commune : la communauté apparaît à cet endroit sur la carte.',
      chosenMessage: (t) => `${t.name} choisi`,
    },
  );
  if (territory) picker.setSelected([territory]);
  const territoryError = h('p', { class: 'field__error', id: `community-territory-error-${n}`, 'aria-live': 'polite' });
  const territoryBox = h('div', { class: 'field form__field' }, picker.element, territoryError);
  const territoryField: Field = { name: 'territory', element: territoryBox, control: picker.input, error: territoryError };

  // Themes: checkboxes of the vocabulary's top-level themes.
  const chosenThemes = new Set((initial?.themes ?? []).map((t) => t.code));
  const themesList = h('div', { class: 'community-themes' }, h('p', { class: 'field__hint' }, 'Chargement des thèmes…'));
  const themesError = h('p', { class: 'field__error', id: `community-themes-error-${n}`, 'aria-live': 'polite' });
  const themesBox = h('fieldset', { class: 'field form__field choices' }, h('legend', { class: 'field__label' }, 'Thèmes (facultatif)'), themesList, themesError);
  let firstTheme: HTMLInputElement | null = null;
  const themesReady = getVocabularies().then(
    (vocabularies) => {
      const boxes = (vocabularies.themes ?? []).map((theme) => {
        const id = `community-theme-${n}-${theme.code}`;
        const input = h('input', { type: 'checkbox', class: 'choice__input', id, value: theme.code });
        input.checked = chosenThemes.has(theme.code);
        input.addEventListener('change', () => {
          if (input.checked) chosenThemes.add(theme.code);
          else chosenThemes.delete(theme.code);
        });
        firstTheme ??= input;
        return h('div', { class: 'choice' }, input, h('label', { for: id }, theme.label));
      });
      themesList.replaceChildren(...boxes);
    },
    () => {
      themesList.replaceChildren(h('p', { class: 'field__hint' }, 'Les thèmes n’ont pas pu être chargés ; vous pourrez les choisir plus tard.'));
    },
  );
  const themesField: Field = { name: 'themes', element: themesBox, control: picker.input, error: themesError };
  void themesReady.then(() => {
    if (firstTheme) themesField.control = firstTheme;
  });

  return {
    elements: [name.element, description.element, visibilityBox, territoryBox, themesBox],
    fields: [name, description, visibilityField, territoryField, themesField],
    name,
    themesReady,
    values() {
      const visibility = (radios.find((r) => r.input.checked)?.input.value ?? 'public') as CommunityVisibility;
      const out: CommunityFields & { name: string; visibility: CommunityVisibility } = {
        name: name.control.value.trim(),
        visibility,
        description: description.control.value.trim(),
        themes: Array.from(chosenThemes),
      };
      // In a change, an empty reference removes the territory (docs/api.md, "Communities").
      if (territory) out.territory = territory;
      else if (initial?.territory) out.territory = '';
      return out;
    },
  };
}
