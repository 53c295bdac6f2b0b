// « Intégrer une carte sur votre site » (`/developpeurs/widget?<a search>`): the configurator of the
// embeddable widget (embed/main.ts). It starts from the search of its address (the search page's
// « Intégrer cette recherche »), lets a partner change the words, themes and territories and choose
// the presentation, shows the widget live in a frame, and gives the two snippets to paste.

import './widget.css';
import { getVocabularies } from '../api';
import { territoryPicker } from '../components/territoryPicker';
import { h, setTitle } from '../dom';
import {
  ACCENTS,
  COUNT_MAX,
  COUNT_MIN,
  defaultOptions,
  embedPath,
  frameHeight,
  frameTitle,
  HEIGHT_MAX,
  HEIGHT_MESSAGE,
  HEIGHT_MIN,
  iframeSnippet,
  LAYOUTS,
  scriptSnippet,
  TITLE_MAX,
  type EmbedLayout,
  type EmbedOptions,
} from '../embed/options';
import { cloneState, FILTER_KEYS, FILTER_LABELS, stateUrl, type SearchState } from '../searchState';
import type { View } from './view';

/** Wait after the last keystroke before reloading the preview. */
const PREVIEW_DELAY_MS = 400;

function clampInt(raw: string, min: number, max: number, fallback: number): number {
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** A read-only snippet with its « Copier » button; the copy is announced in `announce`. */
function snippetBlock(id: string, label: string, hint: string, announce: HTMLElement): { element: HTMLElement; area: HTMLTextAreaElement } {
  const area = h('textarea', { id, class: 'field__input widget-snippet__code', readonly: true, rows: 4, spellcheck: 'false', 'aria-describedby': `${id}-hint` });
  const button = h('button', { type: 'button', class: 'button button--secondary button--small widget-snippet__copy', 'aria-describedby': id + '-label' }, 'Copier');
  button.addEventListener('click', () => {
    const done = (ok: boolean): void => {
      announce.textContent = '';
      // A new text in the live region, even for the same snippet copied twice.
      window.setTimeout(() => {
        announce.textContent = ok ? `${label} : code copié dans le presse-papiers.` : 'La copie a échoué : sélectionnez le code et copiez-le.';
      }, 50);
      if (!ok) {
        area.focus();
        area.select();
      }
    };
    const text = area.value;
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(text).then(
        () => done(true),
        () => done(legacyCopy(area)),
      );
    } else {
      done(legacyCopy(area));
    }
  });
  const element = h(
    'div',
    { class: 'widget-snippet' },
    h('label', { class: 'field__label', for: id, id: id + '-label' }, label),
    h('p', { class: 'field__hint', id: `${id}-hint` }, hint),
    area,
    button,
  );
  return { element, area };
}

/** Where the clipboard API is refused (a page not served over HTTPS): the selection copied. */
function legacyCopy(area: HTMLTextAreaElement): boolean {
  area.focus();
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

export function widgetView(root: HTMLElement, route: { state: SearchState }): View {
  setTitle('Intégrer une carte sur votre site');
  const state = cloneState(route.state);
  const options: EmbedOptions = defaultOptions();
  const origin = window.location.origin;
  let removed = false;
  let timer = 0;

  // The search.
  const words = h('input', { id: 'widget-q', class: 'field__input', type: 'search', name: 'q', maxlength: 200, value: state.q });
  words.addEventListener('input', () => {
    state.q = words.value.trim();
    changed();
  });
  const themes = h('div', { class: 'widget-themes' }, h('p', { class: 'field__hint' }, 'Chargement des thèmes…'));
  const picker = territoryPicker(
    (refs) => {
      state.territories = refs;
      picker.setSelected(refs);
      changed();
    },
    {
      id: 'widget-territory',
      label: 'Territoires',
      chosenMessage: (t) => `${t.name} ajouté à la recherche du widget`,
    },
  );
  picker.setSelected(state.territories);
  const others = h('p', { class: 'field__hint', id: 'widget-other-filters' });
  const otherKeys = FILTER_KEYS.filter((key) => key !== 'theme' && state.filters[key].length > 0);
  const otherBits = otherKeys.map((key) => `${FILTER_LABELS[key]} (${state.filters[key].length})`);
  if (state.yearMin !== null || state.yearMax !== null) otherBits.push('Années');
  if (state.near) otherBits.push('Autour d’un point');
  if (state.bbox) otherBits.push('Zone de la carte');
  others.textContent = otherBits.length ? `Gardés de votre recherche : ${otherBits.join(', ')}.` : '';
  others.hidden = otherBits.length === 0;

  // The presentation.
  const layoutField = h(
    'fieldset',
    { class: 'field widget-choice' },
    h('legend', { class: 'field__label' }, 'Affichage'),
    ...LAYOUTS.map((layout) => {
      const input = h('input', { type: 'radio', name: 'widget-layout', id: `widget-layout-${layout.value}`, value: layout.value });
      input.checked = layout.value === options.layout;
      input.addEventListener('change', () => {
        if (!input.checked) return;
        options.layout = layout.value as EmbedLayout;
        heightInput.disabled = options.layout === 'liste';
        changed();
      });
      return h('label', { class: 'widget-choice__option', for: input.id }, input, ' ' + layout.label);
    }),
  );
  const heightInput = h('input', {
    id: 'widget-height',
    class: 'field__input widget-number',
    type: 'number',
    min: HEIGHT_MIN,
    max: HEIGHT_MAX,
    step: 10,
    value: options.height,
    'aria-describedby': 'widget-height-hint',
  });
  heightInput.addEventListener('input', () => {
    options.height = clampInt(heightInput.value, HEIGHT_MIN, HEIGHT_MAX, options.height);
    changed();
  });
  const colorField = h(
    'fieldset',
    { class: 'field widget-choice' },
    h('legend', { class: 'field__label' }, 'Couleur'),
    h('p', { class: 'field__hint' }, 'Toutes contrastées sur fond blanc (rapport d’au moins 4,5:1).'),
    ...ACCENTS.map((accent) => {
      const input = h('input', { type: 'radio', name: 'widget-color', id: `widget-color-${accent.value}`, value: accent.value });
      input.checked = accent.value === options.color;
      input.addEventListener('change', () => {
        if (!input.checked) return;
        options.color = accent.value;
        changed();
      });
      const swatch = h('span', { class: 'widget-swatch', 'aria-hidden': 'true' });
      swatch.style.background = accent.hex;
      return h('label', { class: 'widget-choice__option', for: input.id }, input, ' ', swatch, ' ' + accent.label);
    }),
  );
  const countInput = h('input', { id: 'widget-count', class: 'field__input widget-number', type: 'number', min: COUNT_MIN, max: COUNT_MAX, step: 1, value: options.count });
  countInput.addEventListener('input', () => {
    options.count = clampInt(countInput.value, COUNT_MIN, COUNT_MAX, options.count);
    changed();
  });
  const titleInput = h('input', { id: 'widget-title', class: 'field__input', type: 'text', maxlength: TITLE_MAX, placeholder: 'Initiatives sociales' });
  titleInput.addEventListener('input', () => {
    options.title = titleInput.value;
    changed();
  });

  // The preview and the snippets.
  const preview = h('iframe', { id: 'widget-preview', class: 'widget-preview__frame', title: 'Aperçu du widget', loading: 'eager' });
  const announce = h('p', { class: 'visually-hidden', id: 'widget-copy-status', role: 'status', 'aria-live': 'polite' });
  const iframeBlock = snippetBlock(
    'widget-iframe-code',
    'Code iframe',
    'À coller tel quel dans une page : une hauteur fixe, sans script.',
    announce,
  );
  const scriptBlock = snippetBlock(
    'widget-script-code',
    'Code avec script (hauteur automatique)',
    'Le script crée le cadre et l’ajuste à la hauteur de son contenu.',
    announce,
  );
  const openLink = h('a', { id: 'widget-open', href: '/embed', target: '_blank', rel: 'noopener' }, 'Ouvrir le widget seul', h('span', { class: 'visually-hidden' }, ' (nouvel onglet)'));
  const searchLink = h('a', { id: 'widget-search', href: stateUrl(state) }, 'Voir cette recherche sur SocialConnect');

  function render(previewNow: boolean): void {
    const path = embedPath(state, options);
    iframeBlock.area.value = iframeSnippet(origin, state, options);
    scriptBlock.area.value = scriptSnippet(origin, state, options);
    openLink.href = path;
    searchLink.href = stateUrl(state);
    window.clearTimeout(timer);
    const load = (): void => {
      if (removed) return;
      preview.title = `Aperçu : ${frameTitle(options)}`;
      preview.style.height = `${frameHeight(options)}px`;
      preview.src = path;
      preview.dataset.src = path;
    };
    if (previewNow) load();
    else timer = window.setTimeout(load, PREVIEW_DELAY_MS);
  }

  function changed(): void {
    render(false);
  }

  // The preview takes the height its page announces, as public/embed.js does on partner sites.
  function onMessage(event: MessageEvent): void {
    if (event.origin !== origin || event.source !== preview.contentWindow) return;
    const data = event.data as { type?: unknown; height?: unknown } | null;
    if (!data || data.type !== HEIGHT_MESSAGE || typeof data.height !== 'number' || !Number.isFinite(data.height)) return;
    if (data.height < 100 || data.height > 4000) return;
    preview.style.height = `${Math.ceil(data.height)}px`;
  }
  window.addEventListener('message', onMessage);

  void getVocabularies().then(
    (vocabularies) => {
      if (removed) return;
      themes.replaceChildren(
        h(
          'fieldset',
          { class: 'field widget-choice widget-choice--themes' },
          h('legend', { class: 'field__label' }, 'Thèmes'),
          ...vocabularies.themes.map((theme) => {
            const input = h('input', { type: 'checkbox', name: 'widget-theme', id: `widget-theme-${theme.code}`, value: theme.code });
            input.checked = state.filters.theme.includes(theme.code);
            input.addEventListener('change', () => {
              const codes = state.filters.theme.filter((code) => code !== theme.code);
              if (input.checked) codes.push(theme.code);
              state.filters.theme = codes;
              changed();
            });
            return h('label', { class: 'widget-choice__option', for: input.id }, input, ' ' + theme.label);
          }),
        ),
      );
    },
    () => {
      if (removed) return;
      themes.replaceChildren(h('p', { class: 'field__hint' }, 'Les thèmes n’ont pas pu être chargés ; les thèmes déjà choisis sont gardés.'));
    },
  );

  root.append(
    h(
      'div',
      { class: 'container widget' },
      h('h1', null, 'Intégrer une carte sur votre site'),
      h(
        'p',
        { class: 'widget__intro' },
        'Montrez sur votre site les initiatives d’une recherche de SocialConnect : une carte et une liste, tenues à jour, chaque fiche s’ouvrant sur SocialConnect. Choisissez la recherche et la présentation, puis copiez le code.',
      ),
      h(
        'div',
        { class: 'widget__grid' },
        h(
          'form',
          { class: 'widget__form', 'aria-labelledby': 'widget-settings-heading' },
          h('h2', { id: 'widget-settings-heading' }, 'Réglages'),
          h(
            'fieldset',
            { class: 'widget__group' },
            h('legend', null, 'La recherche'),
            h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'widget-q' }, 'Mots'), words),
            themes,
            picker.element,
            others,
          ),
          h(
            'fieldset',
            { class: 'widget__group' },
            h('legend', null, 'La présentation'),
            layoutField,
            h(
              'div',
              { class: 'field' },
              h('label', { class: 'field__label', for: 'widget-height' }, 'Hauteur de la carte (pixels)'),
              h('p', { class: 'field__hint', id: 'widget-height-hint' }, `De ${HEIGHT_MIN} à ${HEIGHT_MAX}.`),
              heightInput,
            ),
            colorField,
            h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'widget-count' }, `Nombre d’initiatives listées (${COUNT_MIN} à ${COUNT_MAX})`), countInput),
            h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'widget-title' }, 'Titre'), titleInput),
          ),
        ),
        h(
          'section',
          { class: 'widget__preview', 'aria-labelledby': 'widget-preview-heading' },
          h('h2', { id: 'widget-preview-heading' }, 'Aperçu'),
          preview,
          h('p', { class: 'widget__links' }, openLink, ' · ', searchLink),
        ),
      ),
      h(
        'section',
        { class: 'widget__code', 'aria-labelledby': 'widget-code-heading' },
        h('h2', { id: 'widget-code-heading' }, 'Le code à coller'),
        scriptBlock.element,
        iframeBlock.element,
        announce,
        h(
          'p',
          { class: 'field__hint' },
          'Le widget lit l’API publique de SocialConnect : aucune clé n’est nécessaire. Voir ',
          h('a', { href: '/api/v1/vocabularies' }, 'l’API ouverte'),
          '.',
        ),
      ),
    ),
  );
  render(true);

  return {
    destroy(): void {
      removed = true;
      window.clearTimeout(timer);
      window.removeEventListener('message', onMessage);
    },
  };
}
