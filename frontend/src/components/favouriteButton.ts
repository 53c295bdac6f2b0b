// The star of a card or of an initiative's page: « Ajouter aux favoris » / « Retirer des favoris »
// (aria-pressed). Signed out, it invites to sign in.
import { h } from '../dom';
import { ensureFavourites, isFavourite, onFavourites, setFavourite } from '../favourites';
import { sessionState } from '../session';
import { errorText } from './form';
import { inviteToLogIn } from './loginInvite';
import { toast } from './toast';

export function favouriteButton(id: number, title: string, className = ''): HTMLButtonElement {
  const label = h('span', { class: 'fav-button__label' });
  const button = h(
    'button',
    { type: 'button', class: `button button--small button--tertiary fav-button ${className}`.trim(), 'aria-pressed': 'false' },
    h('span', { class: 'fav-button__star', 'aria-hidden': 'true' }),
    label,
    h('span', { class: 'visually-hidden' }, ` : ${title}`),
  );

  function render(): void {
    const on = isFavourite(id);
    button.setAttribute('aria-pressed', String(on));
    button.classList.toggle('is-on', on);
    (button.firstChild as HTMLElement).textContent = on ? '★' : '☆';
    label.textContent = on ? 'Retirer des favoris' : 'Ajouter aux favoris';
  }

  // The star follows the shared set; it lets go once it has left the page.
  let seen = false;
  const stop = onFavourites(() => {
    if (button.isConnected) seen = true;
    else if (seen) {
      stop();
      return;
    }
    render();
  });

  button.addEventListener('click', () => {
    if (sessionState().status !== 'signed-in') {
      inviteToLogIn('Connectez-vous pour garder cette initiative dans vos favoris et la retrouver dans votre espace.');
      return;
    }
    const on = !isFavourite(id);
    button.disabled = true;
    setFavourite(id, on).then(
      () => {
        button.disabled = false;
        render();
        toast(on ? `« ${title} » est ajoutée à vos favoris.` : `« ${title} » est retirée de vos favoris.`);
      },
      (err: unknown) => {
        button.disabled = false;
        toast(errorText(err));
      },
    );
  });
  render();
  ensureFavourites();
  return button;
}
