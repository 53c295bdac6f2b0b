// « Mes collections »: the list of mine, and a form to create one.
import { isAbort } from '../../api';
import { createCollection, getMyCollections } from '../../accountApi';
import { busy, clearErrors, errorText, formMessage, setFieldError, showError } from '../../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { formatDate } from '../../format';
import { navigate } from '../../router';
import type { Collection } from '../../types';
import { collectionFields } from './collectionFields';
import { panel, sectionFrame, type Section } from './section';

export function visibilityBadge(visibility: Collection['visibility']): HTMLElement {
  return h('span', { class: `badge badge--${visibility}` }, visibility === 'public' ? 'Publique' : 'Privée');
}

function collectionCard(collection: Collection): HTMLElement {
  const count = collection.item_count;
  const updated = formatDate(collection.updated_at);
  return h(
    'li',
    { class: 'card collection-card', 'data-id': collection.id },
    h(
      'div',
      { class: 'card__head' },
      h('h3', { class: 'card__title' }, h('a', { class: 'card__link', href: `/mon-espace/collections/${collection.id}` }, collection.title)),
      visibilityBadge(collection.visibility),
    ),
    collection.description ? h('p', { class: 'card__summary' }, collection.description) : null,
    h(
      'p',
      { class: 'card__meta' },
      `${count} initiative${count > 1 ? 's' : ''}`,
      updated ? h('span', null, `modifiée le ${updated}`) : null,
    ),
  );
}

export function collectionsSection(container: HTMLElement): Section {
  const body = sectionFrame(
    container,
    'Mes collections',
    'Rassemblez des initiatives, annotez-les et partagez une collection publique par son lien.',
  );
  const controller = new AbortController();
  const listBox = h('div', { class: 'collections' });

  const fieldset = collectionFields('new-collection');
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Créer la collection');
  const form = h('form', { class: 'form', novalidate: true }, ...fieldset.element, message.element, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fieldset.fields, message);
    const title = fieldset.title.control.value.trim();
    if (!title) {
      setFieldError(fieldset.title, 'Donnez un titre à la collection.');
      fieldset.title.control.focus();
      return;
    }
    const description = fieldset.description.control.value.trim();
    void busy(submit, 'Création…', () =>
      createCollection({ title, visibility: fieldset.visibility(), ...(description ? { description } : {}) }),
    ).then(
      (collection) => navigate(`/mon-espace/collections/${collection.id}`),
      (err: unknown) => showError(err, fieldset.fields, message),
    );
  });

  function load(): void {
    listBox.replaceChildren(loadingIndicator('Chargement de vos collections…'));
    getMyCollections(controller.signal).then(
      (answer) => {
        const items = Array.isArray(answer.items) ? answer.items : [];
        listBox.replaceChildren(
          items.length === 0
            ? emptyState('Vous n’avez pas encore de collection', ['Créez-en une ci-dessous, ou depuis « Ajouter à une collection » sur une initiative.'])
            : h('ul', { class: 'results collection-list', 'aria-label': 'Mes collections' }, ...items.map(collectionCard)),
        );
      },
      (err: unknown) => {
        if (!isAbort(err)) listBox.replaceChildren(errorMessage(errorText(err), load));
      },
    );
  }

  body.append(listBox, panel('Nouvelle collection', 'new-collection-heading', form));
  load();
  return { destroy: () => controller.abort() };
}
