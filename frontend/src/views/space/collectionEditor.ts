// `/mon-espace/collections/{id}`: a collection of mine — title, description, visibility, the share
// link of a public one, its initiatives with notes and their order, and its deletion.
import { ApiError, isAbort } from '../../api';
import { deleteCollection, getCollection, removeFromCollection, updateCollection, updateCollectionItem } from '../../accountApi';
import { confirmDialog } from '../../components/dialog';
import { busy, clearErrors, errorText, formMessage, setFieldError, showError, textArea } from '../../components/form';
import { errorMessage, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { h } from '../../dom';
import { formatPlace } from '../../format';
import { navigate } from '../../router';
import type { Collection, CollectionItem } from '../../types';
import { collectionFields } from './collectionFields';
import { visibilityBadge } from './collections';
import { panel, sectionFrame, type Section } from './section';

export function shareUrl(id: number): string {
  return `${window.location.origin}/collections/${id}`;
}

export function collectionEditor(container: HTMLElement, id: number): Section {
  const body = sectionFrame(container, 'Collection');
  const title = container.querySelector('h2') as HTMLElement;
  const controller = new AbortController();
  let collection: Collection;

  const back = h('p', { class: 'space-section__back' }, h('a', { href: '/mon-espace/collections' }, '← Toutes mes collections'));
  const infoBox = h('div');
  const shareBox = h('div');
  const itemsStatus = h('p', { class: 'space-section__status', role: 'status' });
  const itemsList = h('ol', { class: 'collection-items' });

  function renderHeading(): void {
    title.replaceChildren(collection.title, ' ', visibilityBadge(collection.visibility));
  }

  function infoPanel(): HTMLElement {
    const fieldset = collectionFields('edit-collection', collection);
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Enregistrer');
    const form = h('form', { class: 'form', novalidate: true }, ...fieldset.element, message.element, submit);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(fieldset.fields, message);
      const newTitle = fieldset.title.control.value.trim();
      if (!newTitle) {
        setFieldError(fieldset.title, 'Donnez un titre à la collection.');
        fieldset.title.control.focus();
        return;
      }
      const change = { title: newTitle, description: fieldset.description.control.value.trim(), visibility: fieldset.visibility() };
      void busy(submit, 'Enregistrement…', () => updateCollection(collection.id, collection.version, change)).then(
        (updated) => {
          collection = { ...collection, ...updated, items: updated.items ?? collection.items };
          renderHeading();
          renderShare();
          message.success('Les modifications sont enregistrées.');
        },
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 409) {
            const current = (err.body as { current?: Collection } | null)?.current;
            if (current) {
              collection = { ...collection, ...current };
              renderAll();
            }
            toast('La collection a été modifiée ailleurs entre-temps : voici sa version actuelle.');
            return;
          }
          showError(err, fieldset.fields, message);
        },
      );
    });
    return panel('Titre, description et visibilité', 'collection-info-title', form);
  }

  function renderShare(): void {
    if (collection.visibility !== 'public') {
      shareBox.replaceChildren(
        panel(
          'Partager',
          'collection-share-title',
          h('p', { class: 'panel__text' }, 'Cette collection est privée. Rendez-la publique pour la partager par un lien.'),
          h('p', null, h('a', { href: `/collections/${collection.id}` }, 'Voir la page de la collection')),
        ),
      );
      return;
    }
    const url = shareUrl(collection.id);
    const input = h('input', { id: 'share-link', class: 'field__input share__input', readonly: true, type: 'text' });
    input.value = url;
    const status = h('p', { class: 'share__status', role: 'status' });
    const copy = h('button', { type: 'button', class: 'button button--secondary share__copy' }, 'Copier le lien');
    copy.addEventListener('click', () => {
      const done = (): void => {
        status.textContent = 'Le lien est copié.';
      };
      const manual = (): void => {
        input.focus();
        input.select();
        status.textContent = 'Le lien est sélectionné : copiez-le avec Ctrl+C (ou Cmd+C).';
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, manual);
      else manual();
    });
    shareBox.replaceChildren(
      panel(
        'Partager',
        'collection-share-title',
        h('label', { class: 'field__label', for: 'share-link' }, 'Lien de la collection'),
        h('div', { class: 'share' }, input, copy),
        status,
        h('p', null, h('a', { href: `/collections/${collection.id}` }, 'Voir la page publique')),
      ),
    );
  }

  function itemRow(item: CollectionItem, index: number, count: number): HTMLElement {
    const initiative = item.initiative;
    const name = initiative.title;
    const note = textArea({
      id: `note-${initiative.id}`,
      name: 'note',
      label: `Note sur « ${name} »`,
      required: false,
      maxLength: 1000,
      rows: 2,
      value: item.note,
    });
    const noteMessage = formMessage();
    const saveNote = h('button', { type: 'submit', class: 'button button--small button--secondary' }, 'Enregistrer la note');
    const noteForm = h('form', { class: 'form collection-item__note', novalidate: true }, note.element, noteMessage.element, saveNote);
    noteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors([note], noteMessage);
      void busy(saveNote, 'Enregistrement…', () => updateCollectionItem(collection.id, initiative.id, { note: note.control.value.trim() })).then(
        () => noteMessage.success('La note est enregistrée.'),
        (err: unknown) => showError(err, [note], noteMessage),
      );
    });
    const up = h('button', { type: 'button', class: 'button button--small button--tertiary', 'data-move': 'up', disabled: index === 0 }, 'Monter', h('span', { class: 'visually-hidden' }, ` « ${name} »`));
    const down = h(
      'button',
      { type: 'button', class: 'button button--small button--tertiary', 'data-move': 'down', disabled: index === count - 1 },
      'Descendre',
      h('span', { class: 'visually-hidden' }, ` « ${name} »`),
    );
    const remove = h('button', { type: 'button', class: 'button button--small button--tertiary collection-item__remove' }, 'Retirer', h('span', { class: 'visually-hidden' }, ` « ${name} » de la collection`));
    up.addEventListener('click', () => void move(item, index - 1, 'up'));
    down.addEventListener('click', () => void move(item, index + 1, 'down'));
    remove.addEventListener('click', () => void removeItem(item));
    const place = formatPlace(initiative.territory);
    return h(
      'li',
      { class: 'card collection-item', 'data-id': initiative.id },
      h('p', { class: 'collection-item__position', 'aria-hidden': 'true' }, String(index + 1)),
      h('h3', { class: 'card__title collection-item__title' }, h('a', { href: `/initiatives/${initiative.id}` }, name)),
      place ? h('p', { class: 'card__meta' }, place) : null,
      noteForm,
      h('div', { class: 'collection-item__actions' }, up, down, remove),
    );
  }

  function renderItems(focus?: { id: number; move: 'up' | 'down' }): void {
    const items = (collection.items ?? []).slice().sort((a, b) => a.position - b.position);
    if (items.length === 0) {
      itemsList.replaceChildren(
        h('li', { class: 'empty-state' }, h('p', { class: 'empty-state__title' }, 'Cette collection est vide'), h('p', null, 'Sur une fiche ou un résultat, « Ajouter à une collection » y ajoute une initiative.'), h('a', { class: 'button button--secondary', href: '/' }, 'Rechercher des initiatives')),
      );
      return;
    }
    itemsList.replaceChildren(...items.map((item, index) => itemRow(item, index, items.length)));
    if (focus) {
      const li = itemsList.querySelector<HTMLElement>(`li[data-id="${focus.id}"]`);
      const same = li?.querySelector<HTMLButtonElement>(`button[data-move="${focus.move}"]`);
      const other = li?.querySelector<HTMLButtonElement>(`button[data-move="${focus.move === 'up' ? 'down' : 'up'}"]`);
      (same && !same.disabled ? same : other)?.focus();
    }
  }

  async function move(item: CollectionItem, toIndex: number, direction: 'up' | 'down'): Promise<void> {
    const count = collection.items?.length ?? 0;
    if (toIndex < 0 || toIndex >= count) return;
    try {
      const updated = await updateCollectionItem(collection.id, item.initiative.id, { position: toIndex + 1 });
      collection = { ...collection, ...updated };
      renderItems({ id: item.initiative.id, move: direction });
      itemsStatus.textContent = `« ${item.initiative.title} » est maintenant en position ${toIndex + 1} sur ${count}.`;
    } catch (err) {
      itemsStatus.textContent = errorText(err);
    }
  }

  async function removeItem(item: CollectionItem): Promise<void> {
    try {
      await removeFromCollection(collection.id, item.initiative.id);
      const items = (collection.items ?? []).filter((i) => i.initiative.id !== item.initiative.id);
      items.forEach((i, n) => (i.position = n + 1));
      collection = { ...collection, items, item_count: items.length };
      renderItems();
      itemsStatus.textContent = `« ${item.initiative.title} » est retirée de la collection.`;
      (itemsList.querySelector<HTMLElement>('a, button:not([disabled])') ?? title).focus();
    } catch (err) {
      itemsStatus.textContent = errorText(err);
    }
  }

  function deletePanel(): HTMLElement {
    const button = h('button', { type: 'button', class: 'button button--danger', 'aria-haspopup': 'dialog' }, 'Supprimer la collection');
    button.addEventListener('click', () => {
      void confirmDialog('Supprimer la collection', `La collection « ${collection.title} » et ses notes seront supprimées. Les initiatives restent publiées.`, 'Supprimer').then(
        (yes) => {
          if (!yes) return;
          deleteCollection(collection.id).then(
            () => {
              toast(`La collection « ${collection.title} » est supprimée.`);
              navigate('/mon-espace/collections');
            },
            (err: unknown) => toast(errorText(err)),
          );
        },
      );
    });
    return panel('Supprimer', 'collection-delete-title', button);
  }

  function renderAll(): void {
    renderHeading();
    infoBox.replaceChildren(infoPanel());
    renderShare();
    renderItems();
  }

  function load(): void {
    body.replaceChildren(loadingIndicator('Chargement de la collection…'));
    getCollection(id, controller.signal).then(
      (answer) => {
        collection = answer;
        if (!collection.is_owner) {
          navigate(`/collections/${id}`, { replace: true });
          return;
        }
        body.replaceChildren(
          back,
          infoBox,
          shareBox,
          panel('Initiatives', 'collection-items-title', itemsStatus, itemsList),
          deletePanel(),
        );
        renderAll();
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 404) {
          title.textContent = 'Collection introuvable';
          body.replaceChildren(back, h('p', null, 'Cette collection n’existe pas ou a été supprimée.'));
          return;
        }
        body.replaceChildren(back, errorMessage(errorText(err), load));
      },
    );
  }
  load();
  return { destroy: () => controller.abort() };
}
