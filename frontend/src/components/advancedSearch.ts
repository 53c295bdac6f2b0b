import { loadLabels } from '../labels';
import { h } from '../dom';

export interface AdvancedFields {
  all: string;
  phrase: string;
  none: string;
  theme: string;
  territories: readonly string[];
  yearFrom: string;
  yearTo: string;
}

const YEAR_MIN = 1800;
const YEAR_MAX = 2100;

/** Characters that mean something in the query language: a word holding one is quoted. */
const SPECIAL = /[:()|,]/;
const QUOTES = /["“”«»]/g;

function words(text: string): string[] {
  return text.replace(QUOTES, ' ').split(/\s+/).map((w) => w.replace(/^-+/, '')).filter(Boolean);
}

function term(word: string): string {
  return SPECIAL.test(word) || word === 'OR' ? `"${word}"` : word;
}

function year(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (!t) return null;
  if (!/^[0-9]{4}$/.test(t)) return 'invalid';
  const n = Number(t);
  return n >= YEAR_MIN && n <= YEAR_MAX ? n : 'invalid';
}

/**
 * The query-language text of the advanced search fields, e.g.
 * `jardin "aide alimentaire" -vente theme:ENV territory:region:84 year:2015..2020`; or an error message.
 */
export function buildQuery(fields: AdvancedFields): { query: string; error: string | null } {
  const parts: string[] = [];
  parts.push(...words(fields.all).map(term));
  const phrase = fields.phrase.replace(QUOTES, ' ').replace(/\s+/g, ' ').trim();
  if (phrase) parts.push(`"${phrase}"`);
  parts.push(...words(fields.none).map((w) => '-' + term(w)));
  if (fields.theme) parts.push(`theme:${fields.theme}`);
  if (fields.territories.length > 0) parts.push(`territory:${fields.territories.join(',')}`);
  const from = year(fields.yearFrom);
  const to = year(fields.yearTo);
  let error: string | null = null;
  if (from === 'invalid' || to === 'invalid') {
    error = `Une année s'écrit avec quatre chiffres, entre ${YEAR_MIN} et ${YEAR_MAX}.`;
  } else if (from !== null && to !== null && from > to) {
    error = "L'année de début doit précéder l'année de fin.";
  } else if (from !== null && to !== null) {
    parts.push(from === to ? `year:${from}` : `year:${from}..${to}`);
  } else if (from !== null) {
    parts.push(`year:${from}..`);
  } else if (to !== null) {
    parts.push(`year:..${to}`);
  }
  return { query: parts.join(' '), error };
}

function field(id: string, label: string, hint: string | null, control: HTMLElement): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { class: 'field__label', for: id }, label),
    hint ? h('p', { class: 'field__hint', id: `${id}-hint` }, hint) : null,
    control,
  );
}

function textInput(id: string, describedBy: boolean): HTMLInputElement {
  return h('input', {
    id,
    class: 'field__input',
    type: 'text',
    autocomplete: 'off',
    maxlength: 200,
    'aria-describedby': describedBy ? `${id}-hint` : null,
  });
}

/**
 * « Recherche avancée »: a disclosure holding a form whose fields build a query of the query
 * language, shown as it is built (« Requête : … »), and sent as `q`.
 */
export function advancedSearch(onSubmit: (query: string) => void): HTMLDetailsElement {
  const all = textInput('advanced-all', true);
  const phrase = textInput('advanced-phrase', false);
  const none = textInput('advanced-none', true);
  const theme = h('select', { id: 'advanced-theme', class: 'field__input' }, h('option', { value: '' }, 'Tous les thèmes'));
  const queryText = h('code', { class: 'advanced__query-text', id: 'advanced-query-text' });
  const preview = h('p', { class: 'advanced__query', id: 'advanced-query' }, 'Requête : ', queryText);
  const error = h('p', { class: 'advanced__error', id: 'advanced-error', role: 'alert' });

  const form = h(
    'form',
    { class: 'advanced__form', 'aria-label': 'Recherche avancée', novalidate: true },
    field('advanced-all', 'Tous ces mots', 'Chaque résultat contient tous les mots.', all),
    field('advanced-phrase', 'Cette expression exacte', null, phrase),
    field('advanced-none', 'Aucun de ces mots', 'Les résultats qui contiennent un de ces mots sont écartés.', none),
    field('advanced-theme', 'Thème', null, theme),
    preview,
    error,
    h('button', { type: 'submit', class: 'button button--primary advanced__submit' }, 'Lancer la recherche avancée'),
  );

  const details = h(
    'details',
    { class: 'advanced', id: 'advanced-search' },
    h('summary', { class: 'advanced__summary' }, 'Recherche avancée'),
    h(
      'p',
      { class: 'advanced__intro' },
      'Combinez des mots, une expression, des exclusions et un thème. Le territoire et les années choisis sur la page s’y ajoutent.',
    ),
    form,
  );

  function fields(): AdvancedFields {
    return {
      all: all.value,
      phrase: phrase.value,
      none: none.value,
      theme: theme.value,
      // One territory field and one year filter on the page: they go with the query, not in it.
      territories: [],
      yearFrom: '',
      yearTo: '',
    };
  }

  function update(): void {
    const built = buildQuery(fields());
    queryText.textContent = built.query || '—';
    preview.classList.toggle('advanced__query--empty', !built.query);
    if (!built.error) error.textContent = '';
  }

  form.addEventListener('input', update);
  form.addEventListener('change', update);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const built = buildQuery(fields());
    if (built.error) {
      error.textContent = built.error;
      return;
    }
    if (!built.query) {
      error.textContent = 'Remplissez au moins un champ.';
      return;
    }
    error.textContent = '';
    details.open = false;
    onSubmit(built.query);
  });

  let filled = false;
  details.addEventListener('toggle', () => {
    if (!details.open || filled) return;
    filled = true;
    void loadLabels().then((labels) => {
      if (!labels) {
        filled = false;
        return;
      }
      theme.append(...labels.vocabularies.themes.map((t) => h('option', { value: t.code }, t.label)));
    });
  });
  update();
  return details;
}
