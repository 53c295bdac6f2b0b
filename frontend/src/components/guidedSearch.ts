import { h } from '../dom';
import { loadLabels } from '../labels';
import type { Coded } from '../types';
import { errorMessage, loadingIndicator } from './status';
import { territoryPicker } from './territoryPicker';

export interface GuidedChoice {
  theme: string | null;
  territories: string[];
  public: string | null;
}

export interface GuidedSearch {
  element: HTMLElement;
  /** Shows the first step and moves the focus to it. */
  start(): void;
}

const STEPS = [
  { short: 'Quoi ?', title: 'Quel thème vous intéresse ?' },
  { short: 'Où ?', title: 'Dans quel territoire ?' },
  { short: 'Pour qui ?', title: 'Pour quel public ?' },
] as const;

/**
 * « Quoi ? Où ? Pour qui ? »: three skippable steps (a theme, territories, a public) with
 * Précédent / Suivant and « Étape 2 sur 3 », ending on the results with these filters.
 */
export function guidedSearch(onDone: (choice: GuidedChoice) => void, onQuit: () => void): GuidedSearch {
  const choice: GuidedChoice = { theme: null, territories: [], public: null };
  let step = 0;

  const progressText = h('p', { class: 'guide__progress', id: 'guide-progress' });
  const stepList = h(
    'ol',
    { class: 'guide__steps', 'aria-hidden': 'true' },
    ...STEPS.map((s, i) => h('li', { class: 'guide__step', 'data-step': i + 1 }, h('span', { class: 'guide__step-number' }, String(i + 1)), s.short)),
  );
  const heading = h('h3', { class: 'guide__title', id: 'guide-step-title', tabindex: '-1' });
  const content = h('div', { class: 'guide__content' });
  const previous = h('button', { type: 'button', class: 'button button--tertiary guide__previous' }, 'Précédent');
  const skip = h('button', { type: 'button', class: 'button button--tertiary guide__skip' }, 'Passer cette étape');
  const next = h('button', { type: 'submit', class: 'button button--primary guide__next' }, 'Suivant');
  const quit = h('button', { type: 'button', class: 'button button--small button--tertiary guide__quit' }, 'Quitter le parcours guidé');

  const picker = territoryPicker(
    (refs) => {
      choice.territories = refs;
      picker.setSelected(refs);
    },
    { id: 'guide-territory', label: 'Territoire (région, département, commune ou code postal)', hint: 'Choisissez dans la liste ; plusieurs territoires peuvent être combinés.' },
  );

  const form = h(
    'form',
    { class: 'guide__form', 'aria-labelledby': 'guide-step-title', 'aria-describedby': 'guide-progress', novalidate: true },
    heading,
    content,
    h('div', { class: 'guide__actions' }, previous, skip, next),
  );
  const element = h(
    'section',
    { class: 'guide', id: 'guide', 'aria-labelledby': 'guide-heading', hidden: true },
    h(
      'div',
      { class: 'guide__head' },
      h('h2', { class: 'guide__heading', id: 'guide-heading' }, 'Être guidé pas à pas'),
      quit,
    ),
    progressText,
    stepList,
    form,
  );

  let themes: Coded[] | null = null;
  let publics: Coded[] | null = null;

  function radios(name: string, legend: string, items: Coded[], current: string | null, set: (code: string | null) => void): HTMLElement {
    const any = `Peu importe`;
    const all: { code: string | null; label: string }[] = [...items, { code: null, label: any }];
    return h(
      'fieldset',
      { class: 'guide__choices' },
      h('legend', { class: 'visually-hidden' }, legend),
      h(
        'ul',
        { class: 'guide__options' },
        ...all.map((item) => {
          const id = `guide-${name}-${item.code ?? 'any'}`;
          const input = h('input', { type: 'radio', name: `guide-${name}`, id, value: item.code ?? '', class: 'guide__radio' });
          input.checked = item.code === current;
          input.addEventListener('change', () => {
            if (input.checked) set(item.code);
          });
          return h('li', { class: 'guide__option' }, input, h('label', { for: id, class: 'guide__option-label' }, item.label));
        }),
      ),
    );
  }

  function renderVocabularyStep(kind: 'theme' | 'public'): void {
    const list = kind === 'theme' ? themes : publics;
    const legend = STEPS[step]!.title;
    if (list) {
      content.replaceChildren(
        radios(kind, legend, list, kind === 'theme' ? choice.theme : choice.public, (code) => {
          if (kind === 'theme') choice.theme = code;
          else choice.public = code;
        }),
      );
      return;
    }
    content.replaceChildren(loadingIndicator('Chargement des choix…'));
    void loadLabels().then((labels) => {
      if (!labels) {
        content.replaceChildren(errorMessage('Les choix ne peuvent pas être chargés pour le moment. Vous pouvez passer cette étape.', () => renderVocabularyStep(kind)));
        return;
      }
      themes = labels.vocabularies.themes;
      publics = labels.vocabularies.publics;
      if ((step === 0 && kind === 'theme') || (step === 2 && kind === 'public')) renderVocabularyStep(kind);
    });
  }

  function render(focus: boolean): void {
    const s = STEPS[step]!;
    progressText.textContent = `Étape ${step + 1} sur ${STEPS.length} : ${s.short}`;
    Array.from(stepList.children).forEach((li, i) => {
      li.classList.toggle('is-current', i === step);
      li.classList.toggle('is-done', i < step);
    });
    // The title read when the focus lands on it says where one is.
    heading.replaceChildren(h('span', { class: 'visually-hidden' }, `Étape ${step + 1} sur ${STEPS.length} : `), s.title);
    previous.hidden = step === 0;
    next.textContent = step === STEPS.length - 1 ? 'Voir les initiatives' : 'Suivant';
    if (step === 1) {
      picker.setSelected(choice.territories);
      content.replaceChildren(picker.element);
    } else {
      renderVocabularyStep(step === 0 ? 'theme' : 'public');
    }
    if (focus) heading.focus();
  }

  function go(delta: number): void {
    const target = step + delta;
    if (target >= STEPS.length) {
      onDone({ theme: choice.theme, territories: choice.territories.slice(), public: choice.public });
      return;
    }
    step = Math.max(0, target);
    render(true);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(1);
  });
  previous.addEventListener('click', () => go(-1));
  skip.addEventListener('click', () => {
    if (step === 0) choice.theme = null;
    else if (step === 1) choice.territories = [];
    else choice.public = null;
    go(1);
  });
  quit.addEventListener('click', onQuit);
  element.addEventListener('keydown', (event) => {
    // Escape leaves the path, unless a list of suggestions is open (the field closes it first).
    if (event.key === 'Escape' && !event.defaultPrevented) onQuit();
  });

  return {
    element,
    start(): void {
      choice.theme = null;
      choice.territories = [];
      choice.public = null;
      step = 0;
      render(false);
      heading.focus();
    },
  };
}
