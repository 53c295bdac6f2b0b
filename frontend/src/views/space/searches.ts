// « Recherches enregistrées »: each with a link that opens it, its alert frequency and deletion.
import { ApiError, isAbort } from '../../api';
import { deleteSavedSearch, getSavedSearches, updateSavedSearch } from '../../accountApi';
import { confirmDialog } from '../../components/dialog';
import { errorText } from '../../components/form';
import { ALERT_CHOICES } from '../../components/saveSearchDialog';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { formatDate } from '../../format';
import { parseSearchState, stateUrl } from '../../searchState';
import type { AlertFrequency, SavedSearch } from '../../types';
import { sectionFrame, type Section } from './section';

/** The search page's URL of saved parameters (same order as any search URL). */
export function savedSearchUrl(params: Record<string, string>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (typeof value === 'string') query.set(key, value);
  return stateUrl(parseSearchState(query.toString()));
}

export function searchesSection(container: HTMLElement): Section {
  const body = sectionFrame(
    container,
    'Recherches enregistrées',
    'Choisissez, pour chaque recherche, de recevoir ou non par e-mail les initiatives nouvelles qui y répondent.',
  );
  const controller = new AbortController();
  const status = h('p', { class: 'space-section__status', role: 'status' });
  const list = h('ul', { class: 'results saved-searches' });

  function row(saved: SavedSearch): HTMLElement {
    let current = saved;
    const selectId = `alert-${saved.id}`;
    const select = h(
      'select',
      { id: selectId, class: 'field__input field__input--select' },
      ...ALERT_CHOICES.map(([value, label]) => h('option', { value }, label)),
    );
    select.value = saved.alert;
    const rowStatus = h('p', { class: 'saved-search__status', 'aria-live': 'polite' });
    select.addEventListener('change', () => {
      const alert = select.value as AlertFrequency;
      select.disabled = true;
      rowStatus.textContent = 'Enregistrement…';
      updateSavedSearch(current.id, current.version, { alert }).then(
        (updated) => {
          current = updated;
          select.disabled = false;
          const label = ALERT_CHOICES.find(([value]) => value === updated.alert)?.[1] ?? '';
          rowStatus.textContent = updated.alert === 'none' ? 'Alerte désactivée.' : `Alerte enregistrée : ${label.toLowerCase()}.`;
        },
        (err: unknown) => {
          select.disabled = false;
          if (err instanceof ApiError && err.status === 409) {
            const latest = (err.body as { current?: SavedSearch } | null)?.current;
            if (latest) {
              current = latest;
              select.value = latest.alert;
            }
          } else select.value = current.alert;
          rowStatus.textContent = errorText(err);
        },
      );
    });
    const remove = h('button', { type: 'button', class: 'button button--small button--tertiary' }, 'Supprimer', h('span', { class: 'visually-hidden' }, ` la recherche « ${saved.name} »`));
    const item = h(
      'li',
      { class: 'card saved-search', 'data-id': saved.id },
      h('h3', { class: 'card__title saved-search__name' }, h('a', { href: savedSearchUrl(saved.params) }, saved.name)),
      h('p', { class: 'card__meta' }, `Enregistrée le ${formatDate(saved.created_at) ?? '—'}`),
      h('div', { class: 'saved-search__alert' }, h('label', { class: 'field__label', for: selectId }, 'Alerte par e-mail'), select, rowStatus),
      h('div', { class: 'saved-search__actions' }, h('a', { class: 'button button--small button--secondary', href: savedSearchUrl(saved.params) }, 'Ouvrir la recherche', h('span', { class: 'visually-hidden' }, ` « ${saved.name} »`)), remove),
    );
    remove.addEventListener('click', () => {
      void confirmDialog('Supprimer la recherche', `La recherche « ${current.name} » et son alerte seront supprimées.`, 'Supprimer').then((yes) => {
        if (!yes) return;
        deleteSavedSearch(current.id).then(
          () => {
            item.remove();
            status.textContent = `La recherche « ${current.name} » est supprimée.`;
            if (list.children.length === 0) showEmpty();
            else (container.querySelector('h2') as HTMLElement).focus();
          },
          (err: unknown) => (status.textContent = errorText(err)),
        );
      });
    });
    return item;
  }

  function showEmpty(): void {
    body.replaceChildren(
      status,
      emptyState(
        'Aucune recherche enregistrée',
        ['Sur la page de recherche, « Enregistrer cette recherche » la garde ici, avec une alerte si vous le souhaitez.'],
        { href: '/', text: 'Faire une recherche' },
      ),
    );
  }

  function load(): void {
    body.replaceChildren(loadingIndicator('Chargement de vos recherches…'));
    getSavedSearches(controller.signal).then(
      (answer) => {
        const items = Array.isArray(answer.items) ? answer.items : [];
        if (items.length === 0) {
          showEmpty();
          return;
        }
        list.replaceChildren(...items.map(row));
        body.replaceChildren(status, list);
      },
      (err: unknown) => {
        if (!isAbort(err)) body.replaceChildren(errorMessage(errorText(err), load));
      },
    );
  }
  load();
  return { destroy: () => controller.abort() };
}
