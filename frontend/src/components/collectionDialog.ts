// « Ajouter à une collection »: my collections, each a button, and « Nouvelle collection ».
import { ApiError } from '../api';
import { addToCollection, createCollection, getMyCollections } from '../accountApi';
import { h } from '../dom';
import { sessionState } from '../session';
import type { Collection } from '../types';
import { openDialog } from './dialog';
import { busy, clearErrors, errorText, formMessage, showError, textField } from './form';
import { inviteToLogIn } from './loginInvite';
import { loadingIndicator } from './status';

export function collectionButton(id: number, title: string, className = ''): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: `button button--small button--tertiary collection-button ${className}`.trim(), 'aria-haspopup': 'dialog' },
    'Ajouter à une collection',
    h('span', { class: 'visually-hidden' }, ` : ${title}`),
  );
  button.addEventListener('click', () => {
    if (sessionState().status !== 'signed-in') {
      inviteToLogIn('Connectez-vous pour rassembler des initiatives dans vos collections et les partager.');
      return;
    }
    openCollectionDialog(id, title);
  });
  return button;
}

function openCollectionDialog(initiativeId: number, initiativeTitle: string): void {
  const list = h('div', { class: 'collection-choice' }, loadingIndicator('Chargement de vos collections…'));
  const message = formMessage();
  const titleField = textField({ id: 'new-collection-title', name: 'title', label: 'Titre de la nouvelle collection', maxLength: 120 });
  const create = h('button', { type: 'submit', class: 'button button--secondary' }, 'Nouvelle collection');
  const form = h('form', { class: 'form collection-choice__new', novalidate: true }, titleField.element, create);

  const dialog = openDialog({
    title: 'Ajouter à une collection',
    content: [h('p', { class: 'dialog__lead' }, `Initiative : ${initiativeTitle}`), message.element, list, form],
    focus: null,
  });

  function added(collection: Collection): void {
    message.element.replaceChildren(
      h(
        'p',
        { class: 'notice notice--success', role: 'status' },
        `Ajoutée à « ${collection.title} ». `,
        h('a', { href: `/mon-espace/collections/${collection.id}` }, 'Voir la collection'),
      ),
    );
    message.element.querySelector('a')?.addEventListener('click', () => dialog.close());
  }

  async function add(collection: Collection, button: HTMLButtonElement): Promise<void> {
    clearErrors([titleField], message);
    try {
      await busy(button, 'Ajout…', () => addToCollection(collection.id, initiativeId));
      added(collection);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'already_present') {
        message.error(`Cette initiative est déjà dans « ${collection.title} ».`);
      } else message.error(errorText(err));
    }
  }

  function render(items: Collection[]): void {
    if (items.length === 0) {
      list.replaceChildren(h('p', { class: 'collection-choice__empty' }, "Vous n'avez pas encore de collection : créez-en une ci-dessous."));
      titleField.control.focus();
      return;
    }
    const buttons = items.map((collection) => {
      const b = h(
        'button',
        { type: 'button', class: 'button button--tertiary collection-choice__item' },
        h('span', { class: 'collection-choice__title' }, collection.title),
        h(
          'span',
          { class: 'collection-choice__meta' },
          `${collection.visibility === 'public' ? 'Publique' : 'Privée'}, ${collection.item_count} initiative${collection.item_count > 1 ? 's' : ''}`,
        ),
      );
      b.addEventListener('click', () => void add(collection, b));
      return h('li', null, b);
    });
    list.replaceChildren(h('ul', { class: 'collection-choice__list', 'aria-label': 'Mes collections' }, ...buttons));
    list.querySelector<HTMLButtonElement>('button')?.focus();
  }

  getMyCollections().then(
    (answer) => render(Array.isArray(answer.items) ? answer.items : []),
    (err: unknown) => list.replaceChildren(h('p', { class: 'alert alert--error', role: 'alert' }, errorText(err))),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([titleField], message);
    const title = titleField.control.value.trim();
    if (!title) {
      showError(new ApiError(400, 'invalid_field', 'Donnez un titre à la collection.', 'title'), [titleField], message);
      return;
    }
    void busy(create, 'Création…', async () => {
      const collection = await createCollection({ title, visibility: 'private' });
      const updated = await addToCollection(collection.id, initiativeId);
      titleField.control.value = '';
      added(updated ?? collection);
    }).catch((err: unknown) => showError(err, [titleField], message));
  });
}
