// « Enregistrer cette recherche »: a name (prefilled from the words and the territory) and an alert
// frequency; the search's URL parameters are saved as `params`.
import { saveSearch } from '../accountApi';
import { searchParams } from '../api';
import { h } from '../dom';
import type { SearchState } from '../searchState';
import { sessionState } from '../session';
import { knownTerritory } from '../territories';
import type { AlertFrequency } from '../types';
import { openDialog } from './dialog';
import { busy, clearErrors, formMessage, selectField, showError, textField } from './form';
import { inviteToLogIn } from './loginInvite';

export const ALERT_CHOICES: [AlertFrequency, string][] = [
  ['none', 'Pas d’alerte'],
  ['daily', 'Une fois par jour'],
  ['weekly', 'Une fois par semaine'],
];

/** The parameters of a search as the API takes them, each a string; empty words left out. */
export function savedParams(state: SearchState): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of searchParams(state)) if (value !== '') params[key] = value;
  return params;
}

/** « jardin — Lyon », from the words and the territories' names when they are known. */
export function suggestedName(state: SearchState): string {
  const places = state.territories.map((ref) => knownTerritory(ref)?.name ?? null).filter((name): name is string => !!name);
  const parts = [state.q, places.join(', ')].filter(Boolean);
  return (parts.join(' — ') || 'Toutes les initiatives').slice(0, 120);
}

export function saveSearchButton(getState: () => SearchState): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'button button--small button--secondary save-search', 'aria-haspopup': 'dialog' },
    'Enregistrer cette recherche',
  );
  button.addEventListener('click', () => {
    if (sessionState().status !== 'signed-in') {
      inviteToLogIn('Connectez-vous pour enregistrer cette recherche et recevoir par e-mail les nouvelles initiatives qui y répondent.');
      return;
    }
    openSaveDialog(getState());
  });
  return button;
}

function openSaveDialog(state: SearchState): void {
  const name = textField({ id: 'saved-search-name', name: 'name', label: 'Nom de la recherche', maxLength: 120, value: suggestedName(state) });
  const alert = selectField({
    id: 'saved-search-alert',
    name: 'alert',
    label: 'Alerte par e-mail',
    hint: 'Un e-mail liste les initiatives nouvelles ou modifiées qui répondent à la recherche.',
    choices: ALERT_CHOICES,
    value: 'none',
  });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Enregistrer');
  const form = h('form', { class: 'form', novalidate: true }, name.element, alert.element, message.element, h('div', { class: 'dialog__actions' }, submit));
  const dialog = openDialog({ title: 'Enregistrer cette recherche', content: [form], focus: name.control });
  const fields = [name, alert];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    const value = name.control.value.trim();
    if (!value) {
      name.error.textContent = 'Donnez un nom à cette recherche.';
      name.control.setAttribute('aria-invalid', 'true');
      name.control.focus();
      return;
    }
    void busy(submit, 'Enregistrement…', () => saveSearch(value, savedParams(state), alert.control.value as AlertFrequency)).then(
      (saved) => {
        form.replaceChildren(
          h('p', { class: 'notice notice--success', role: 'status' }, `La recherche « ${saved.name} » est enregistrée.`),
          h(
            'div',
            { class: 'dialog__actions' },
            h('a', { class: 'button button--secondary', href: '/mon-espace/recherches' }, 'Voir mes recherches'),
          ),
        );
        form.querySelector('a')?.addEventListener('click', () => dialog.close());
        form.querySelector<HTMLElement>('a')?.focus();
      },
      (err: unknown) => showError(err, fields, message),
    );
  });
}
