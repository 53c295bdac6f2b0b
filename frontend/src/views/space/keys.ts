// « Clés d'API »: the keys a partner site sends to the API (Authorization: Bearer …). A new key's
// secret is shown once, with a copy button; each key shows its use of the last fourteen days and its
// last use, and can be revoked (after a confirmation).
import { isAbort } from '../../api';
import { confirmDialog } from '../../components/dialog';
import { busy, clearErrors, errorText, formMessage, setFieldError, showError, textField } from '../../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { formatDate, formatDateTime, formatNumber, formatRelative } from '../../format';
import { createApiKey, getApiKeys, revokeApiKey, type ApiKey } from '../../keysApi';
import { panel, sectionFrame, type Section } from './section';

const NAME_MAX = 80;

/** Copies text; false when the browser refuses (the text stays selected for a manual copy). */
async function copy(text: string, input: HTMLInputElement): Promise<boolean> {
  input.focus();
  input.select();
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

export function keysSection(container: HTMLElement): Section {
  const body = sectionFrame(
    container,
    "Clés d'API",
    "Une clé identifie votre site ou votre application auprès de l'API publique de SocialConnect : envoyez-la dans l'en-tête ",
    h('code', null, 'Authorization: Bearer sck_…'),
    ' de chaque requête. Elle donne un quota plus large que sans clé, et rien d’autre : aucune donnée personnelle.',
  );
  const controller = new AbortController();
  const status = h('p', { class: 'space-section__status', role: 'status' });
  const reveal = h('div', { class: 'key-reveal-slot' });
  const list = h('ul', { class: 'key-list' });
  const listArea = h('div', { class: 'key-list-area' });

  // --- Creation ---------------------------------------------------------------------------------
  const name = textField({
    id: 'key-name',
    name: 'name',
    label: 'Nom de la clé',
    hint: 'Pour vous y retrouver : le site ou l’application qui l’utilisera (80 caractères au plus).',
    maxLength: NAME_MAX,
  });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Créer la clé');
  const form = h('form', { class: 'form key-form', novalidate: true }, name.element, message.element, h('div', { class: 'form__actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([name], message);
    const value = name.control.value.trim();
    if (!value) {
      setFieldError(name, 'Donnez un nom à la clé.');
      name.control.focus();
      return;
    }
    void busy(submit, 'Création…', () => createApiKey(value)).then(
      (key) => {
        name.control.value = '';
        showSecret(key);
        load(false);
      },
      (err: unknown) => showError(err, [name], message),
    );
  });

  /** The secret, once: a read-only field, a copy button, and a way to put it away. */
  function showSecret(key: ApiKey): void {
    const secret = key.secret ?? '';
    const input = h('input', { id: 'key-secret', class: 'field__input key-reveal__secret', type: 'text', readonly: true, spellcheck: 'false', autocomplete: 'off' });
    input.value = secret;
    const copied = h('p', { class: 'key-reveal__copied', 'aria-live': 'polite' });
    const copyButton = h('button', { type: 'button', class: 'button button--primary' }, 'Copier la clé');
    copyButton.addEventListener('click', () => {
      void copy(secret, input).then((ok) => {
        copied.textContent = ok ? 'Clé copiée dans le presse-papiers.' : 'La copie a échoué : la clé est sélectionnée, copiez-la avec Ctrl+C (ou ⌘+C).';
      });
    });
    const done = h('button', { type: 'button', class: 'button button--secondary' }, "J'ai copié la clé");
    const box = h(
      'div',
      { class: 'notice key-reveal', role: 'region', 'aria-labelledby': 'key-reveal-title', tabindex: '-1' },
      h('h3', { class: 'key-reveal__title', id: 'key-reveal-title' }, `Clé « ${key.name} » créée`),
      h('p', { class: 'key-reveal__text' }, 'Copiez-la maintenant et gardez-la en lieu sûr : elle ne sera plus jamais affichée. Perdue, il faudra en créer une autre.'),
      h('label', { class: 'field__label', for: 'key-secret' }, 'Votre clé'),
      input,
      h('div', { class: 'key-reveal__actions' }, copyButton, done),
      copied,
    );
    done.addEventListener('click', () => {
      input.value = '';
      reveal.replaceChildren();
      status.textContent = 'La clé n’est plus affichée.';
      name.control.focus();
    });
    reveal.replaceChildren(box);
    box.focus();
  }

  // --- List -------------------------------------------------------------------------------------
  function useSummary(key: ApiKey): HTMLElement {
    const days = Array.isArray(key.use) ? key.use : [];
    const total = days.reduce((n, d) => n + (d.requests || 0), 0);
    const today = days.at(-1)?.requests ?? 0;
    const max = Math.max(1, ...days.map((d) => d.requests || 0));
    const last = key.last_used_at ? formatRelative(key.last_used_at) : null;
    const tableId = `key-use-${key.id}`;
    return h(
      'div',
      { class: 'key-use' },
      h(
        'p',
        { class: 'key-use__summary' },
        `${formatNumber(total)} requête${total > 1 ? 's' : ''} sur 14 jours, dont ${formatNumber(today)} aujourd’hui`,
        ' · ',
        last ? h('span', { title: formatDateTime(key.last_used_at) ?? '' }, `dernière utilisation ${last}`) : 'jamais utilisée',
      ),
      // The bars say the same as the table below them (for screen readers: the table).
      total === 0
        ? null
        : h(
        'div',
        { class: 'key-use__bars', 'aria-hidden': 'true' },
        ...days.map((d) => h('span', { class: 'key-use__bar', style: `height: ${Math.round((100 * (d.requests || 0)) / max)}%`, title: `${d.day} : ${d.requests}` })),
      ),
      h(
        'details',
        { class: 'key-use__details' },
        h('summary', null, 'Requêtes par jour'),
        h(
          'table',
          { class: 'key-use__table', id: tableId },
          h('caption', { class: 'visually-hidden' }, `Requêtes par jour de la clé « ${key.name} »`),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Jour'), h('th', { scope: 'col' }, 'Requêtes'))),
          h('tbody', null, ...days.map((d) => h('tr', null, h('td', null, formatDate(d.day) ?? d.day), h('td', null, formatNumber(d.requests || 0))))),
        ),
      ),
    );
  }

  function row(key: ApiKey): HTMLElement {
    const quota = key.quota_minute || key.quota_day ? h('p', { class: 'card__meta' }, `Quota propre : ${key.quota_minute ? `${formatNumber(key.quota_minute)} par minute` : ''}${key.quota_minute && key.quota_day ? ', ' : ''}${key.quota_day ? `${formatNumber(key.quota_day)} par jour` : ''}`) : null;
    const item = h(
      'li',
      { class: `card key-item${key.revoked_at ? ' key-item--revoked' : ''}`, 'data-id': key.id },
      h('h3', { class: 'card__title key-item__name' }, key.name, key.revoked_at ? h('span', { class: 'badge' }, 'Révoquée') : null),
      h('p', { class: 'card__meta' }, h('code', { class: 'key-item__prefix' }, `${key.prefix}…`), ` · créée le ${formatDate(key.created_at) ?? '—'}`, key.revoked_at ? ` · révoquée le ${formatDate(key.revoked_at) ?? '—'}` : null),
      quota,
      useSummary(key),
    );
    if (!key.revoked_at) {
      const revoke = h('button', { type: 'button', class: 'button button--small button--tertiary' }, 'Révoquer', h('span', { class: 'visually-hidden' }, ` la clé « ${key.name} »`));
      revoke.addEventListener('click', () => {
        void confirmDialog(
          'Révoquer la clé',
          `La clé « ${key.name} » sera refusée dès maintenant par l’API ; les sites qui l’utilisent recevront une erreur. Cela ne peut pas être annulé.`,
          'Révoquer',
        ).then((yes) => {
          if (!yes) {
            revoke.focus();
            return;
          }
          revoke.disabled = true;
          revokeApiKey(key.id).then(
            () => {
              status.textContent = `La clé « ${key.name} » est révoquée.`;
              load(false);
            },
            (err: unknown) => {
              revoke.disabled = false;
              status.textContent = errorText(err);
            },
          );
        });
      });
      item.append(h('div', { class: 'key-item__actions' }, revoke));
    }
    return item;
  }

  function load(spinner = true): void {
    if (spinner) listArea.replaceChildren(loadingIndicator('Chargement de vos clés…'));
    getApiKeys(controller.signal).then(
      (answer) => {
        const items = Array.isArray(answer.items) ? answer.items : [];
        if (items.length === 0) {
          listArea.replaceChildren(emptyState('Aucune clé pour l’instant', ['Créez une clé pour chaque site ou application qui interroge l’API : vous pourrez la révoquer seule.']));
          return;
        }
        list.replaceChildren(...items.map(row));
        listArea.replaceChildren(list);
      },
      (err: unknown) => {
        if (!isAbort(err)) listArea.replaceChildren(errorMessage(errorText(err), () => load()));
      },
    );
  }

  body.append(status, panel('Créer une clé', 'key-create-title', form), reveal, panel('Vos clés', 'key-list-title', listArea));
  load();
  return { destroy: () => controller.abort() };
}
