import { ApiError } from '../../api';
import { describeUnsubscribe, unsubscribe } from '../../accountApi';
import { busy, errorText, formMessage } from '../../components/form';
import { h } from '../../dom';
import type { View } from '../view';
import { accountPage, outcome } from './page';

/** `/desabonnement?token=`: names the alert of the e-mail, and turns it off on confirmation. Works signed out. */
export function unsubscribeView(root: HTMLElement, query: URLSearchParams): View {
  const token = query.get('token') ?? '';
  const body = accountPage(root, 'Se désabonner d’une alerte');
  const controller = new AbortController();
  const what = h('p', { class: 'unsubscribe__what' }, 'Vous ne recevrez plus d’e-mail pour cette recherche enregistrée.');
  const message = formMessage();
  const confirm = h('button', { type: 'button', class: 'button button--primary' }, 'Confirmer le désabonnement');
  body.append(what, message.element, confirm);

  if (!token) {
    message.error('Le lien est incomplet. Copiez-le en entier depuis l’e-mail reçu.');
    confirm.hidden = true;
  } else {
    describeUnsubscribe(token, controller.signal).then(
      (answer) => {
        const name = typeof answer.name === 'string' && answer.name ? answer.name : null;
        if (answer.status === 'unsubscribed') {
          what.replaceChildren('L’alerte', name ? ' de la recherche « ' : '', name ? h('strong', null, name) : '', name ? ' »' : '', ' est déjà désactivée : vous ne recevrez plus d’e-mail pour elle.');
          confirm.hidden = true;
        } else if (name) {
          what.replaceChildren('Vous ne recevrez plus d’e-mail pour la recherche « ', h('strong', null, name), ' ».');
        }
      },
      (err: unknown) => {
        // A link that cannot work says so at once; any other failure leaves the button, whose
        // answer names the alert.
        if (err instanceof ApiError && err.code === 'invalid_token') {
          message.error(err.message);
          what.hidden = true;
          confirm.hidden = true;
        }
      },
    );
  }

  confirm.addEventListener('click', () => {
    message.clear();
    void busy(confirm, 'Désabonnement…', () => unsubscribe(token)).then(
      (answer) =>
        outcome(
          root,
          'Vous êtes désabonné',
          'success',
          h('p', null, answer?.name ? `L’alerte « ${answer.name} » est désactivée.` : 'L’alerte est désactivée.'),
          h('p', null, 'La recherche reste enregistrée dans votre espace : vous pouvez y réactiver l’alerte à tout moment.'),
          h('p', null, h('a', { href: '/mon-espace/recherches' }, 'Mes recherches enregistrées')),
        ),
      (err: unknown) => message.error(errorText(err)),
    );
  });
  return {
    destroy() {
      controller.abort();
    },
  };
}
