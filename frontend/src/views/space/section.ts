import { h, type Child } from '../../dom';

/** What « Mon espace » keeps of the section shown: a way to take it down. */
export interface Section {
  destroy(): void;
}

/** A section of « Mon espace »: its title (focusable, for moves between sections) and its body. */
export function sectionFrame(container: HTMLElement, title: string, ...intro: Child[]): HTMLElement {
  const body = h('div', { class: 'space-section__body' });
  container.append(
    h(
      'section',
      { class: 'space-section', 'aria-labelledby': 'space-section-title' },
      h('h2', { class: 'space-section__title', id: 'space-section-title', tabindex: '-1' }, title),
      intro.length ? h('p', { class: 'space-section__intro' }, ...intro) : null,
      body,
    ),
  );
  return body;
}

/** A titled block inside a section (a form of the profile, a collection's items…). */
export function panel(title: string, id: string, ...content: Child[]): HTMLElement {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h3', { class: 'panel__title', id }, title), ...content);
}
