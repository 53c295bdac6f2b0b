// `/communautes/nouvelle`: the creation form. A visitor is sent to the log-in page and back; an
// account whose address is not confirmed yet is told so (the API answers 403 unverified).
import { ApiError } from '../../api';
import { createCommunity } from '../../communitiesApi';
import { busy, clearErrors, formMessage, setFieldError, showError } from '../../components/form';
import { loadingIndicator } from '../../components/status';
import { append, h, setTitle } from '../../dom';
import { communityUrl, loginHref, navigate } from '../../router';
import { sessionReady } from '../../session';
import type { View } from '../view';
import { communityFields } from './shared';

export function createCommunityView(root: HTMLElement): View {
  setTitle('Créer une communauté');
  let live = true;
  const page = h('div', { class: 'container community-create' }, loadingIndicator());
  root.append(page);

  void sessionReady().then((state) => {
    if (!live) return;
    if (state.status !== 'signed-in') {
      navigate(loginHref('connexion', '/communautes/nouvelle'), { replace: true });
      return;
    }
    const form = communityFields(null);
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Créer la communauté');
    const element = h(
      'form',
      { class: 'form community-form', novalidate: true, 'aria-labelledby': 'community-create-title' },
      ...form.elements,
      message.element,
      h('div', { class: 'form__actions' }, submit, h('a', { class: 'button button--secondary', href: '/communautes' }, 'Annuler')),
    );
    page.replaceChildren();
    append(
      page,
      h('p', { class: 'breadcrumb' }, h('a', { href: '/communautes' }, 'Communautés')),
      h('h1', { id: 'community-create-title' }, 'Créer une communauté'),
      h('p', { class: 'community-create__lead' }, 'Vous en serez responsable : vous pourrez inviter des personnes, nommer des modérateurs et passer la main.'),
      state.user.verified
        ? null
        : h('p', { class: 'notice' }, 'Confirmez d’abord votre adresse e-mail (lien reçu à l’inscription) : c’est nécessaire pour créer une communauté.'),
      element,
    );
    element.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form.fields, message);
      const values = form.values();
      if (!values.name) {
        setFieldError(form.name, 'Donnez un nom à la communauté.');
        form.name.control.focus();
        return;
      }
      if (!values.description) delete values.description;
      if (!values.territory) delete values.territory;
      void busy(submit, 'Création…', () => createCommunity(values)).then(
        (community) => navigate(communityUrl(community.id)),
        (err: unknown) => {
          if (err instanceof ApiError && err.code === 'unverified') {
            message.error('Confirmez d’abord votre adresse e-mail (lien reçu à l’inscription) : c’est nécessaire pour créer une communauté.');
            return;
          }
          showError(err, form.fields, message);
        },
      );
    });
  });

  return {
    destroy(): void {
      live = false;
    },
  };
}
