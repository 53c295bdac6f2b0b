import { h } from '../dom';

let region: HTMLElement | null = null;
let timer = 0;

/**
 * A short confirmation at the bottom of the screen (« Ajouté aux favoris »), read by screen readers
 * through a polite live region that stays in the page.
 */
export function toast(message: string): void {
  if (!region) {
    region = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    document.body.append(region);
  }
  const box = region;
  box.textContent = message;
  box.classList.add('toast--visible');
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    box.classList.remove('toast--visible');
    box.textContent = '';
  }, 5000);
}
