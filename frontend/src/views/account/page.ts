import { h, setTitle, type Child } from '../../dom';

/** The frame of an account page: a narrow column with its title; returns the part below the title. */
export function accountPage(root: HTMLElement, title: string, ...lead: Child[]): HTMLElement {
  setTitle(title);
  const body = h('div', { class: 'account-page__body' });
  root.append(
    h(
      'div',
      { class: 'container account-page' },
      h('h1', { class: 'account-page__title', id: 'page-title', tabindex: '-1' }, title),
      lead.length ? h('p', { class: 'account-page__lead' }, ...lead) : null,
      body,
    ),
  );
  return body;
}

/** Replaces the page with a short outcome (« Vérifiez votre boîte de réception »), its title focused. */
export function outcome(root: HTMLElement, title: string, kind: 'success' | 'error' | 'info', ...content: Child[]): void {
  setTitle(title);
  const heading = h('h1', { class: 'account-page__title', tabindex: '-1' }, title);
  root.replaceChildren(
    h(
      'div',
      { class: `container account-page account-outcome account-outcome--${kind}` },
      heading,
      h('div', { class: 'account-outcome__body', role: kind === 'error' ? 'alert' : 'status' }, ...content),
    ),
  );
  heading.focus();
}
