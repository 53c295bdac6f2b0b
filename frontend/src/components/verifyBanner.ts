// « Confirmez votre adresse e-mail »: shown under the header while the account is not verified.
import { resendVerification } from '../accountApi';
import { h } from '../dom';
import { onSession, sessionState, type SessionState } from '../session';
import { errorText } from './form';

export function mountVerifyBanner(after: HTMLElement): void {
  const banner = h('div', { class: 'verify-banner', hidden: true });
  after.after(banner);

  function render(state: SessionState): void {
    if (state.status !== 'signed-in' || state.user.verified) {
      banner.hidden = true;
      banner.replaceChildren();
      return;
    }
    const status = h('p', { class: 'verify-banner__status', role: 'status' });
    const resend = h('button', { type: 'button', class: 'button button--small button--secondary verify-banner__resend' }, 'Renvoyer le lien');
    resend.addEventListener('click', () => {
      resend.disabled = true;
      status.textContent = 'Envoi en cours…';
      resendVerification().then(
        () => {
          status.textContent = `Un nouveau lien a été envoyé à ${state.user.email}.`;
          resend.disabled = false;
        },
        (err: unknown) => {
          status.textContent = errorText(err);
          resend.disabled = false;
        },
      );
    });
    banner.replaceChildren(
      h(
        'div',
        { class: 'container verify-banner__inner', role: 'region', 'aria-label': 'Adresse e-mail à confirmer' },
        h(
          'p',
          { class: 'verify-banner__text' },
          h('strong', null, 'Confirmez votre adresse e-mail'),
          ` : ouvrez le lien envoyé à ${state.user.email}. Il faut une adresse confirmée pour rendre une collection publique.`,
        ),
        resend,
        status,
      ),
    );
    banner.hidden = false;
  }
  onSession(render);
  render(sessionState());
}
