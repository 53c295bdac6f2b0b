import { h, type Child } from '../dom';

export interface Dialog {
  element: HTMLDialogElement;
  body: HTMLElement;
  close(): void;
}

let counter = 0;

/**
 * A modal dialog (the native <dialog>: the page behind is inert, Escape closes it). Its title names
 * it; the focus goes to `focus` (else the first field or button) and back to where it was on close.
 */
export function openDialog(options: {
  title: string;
  content: Child[];
  focus?: HTMLElement | null;
  onClose?: () => void;
}): Dialog {
  const titleId = `dialog-title-${++counter}`;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const body = h('div', { class: 'dialog__body' }, ...options.content);
  const closeButton = h('button', { type: 'button', class: 'dialog__close button button--small button--tertiary' }, 'Fermer');
  const element = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('div', { class: 'dialog__head' }, h('h2', { class: 'dialog__title', id: titleId }, options.title), closeButton),
    body,
  );
  closeButton.addEventListener('click', () => element.close());
  // A click on the backdrop (outside the box) closes it as Escape does.
  element.addEventListener('click', (event) => {
    if (event.target === element) {
      const box = element.getBoundingClientRect();
      const e = event as MouseEvent;
      if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) element.close();
    }
  });
  element.addEventListener('close', () => {
    element.remove();
    options.onClose?.();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(element);
  element.showModal();
  const first =
    options.focus ?? body.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea, button, a[href]') ?? closeButton;
  first.focus();
  return { element, body, close: () => element.close() };
}

/** « Êtes-vous sûr ? »: resolves true when the person confirms. */
export function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h('button', { type: 'button', class: 'button button--danger' }, confirmLabel);
    const no = h('button', { type: 'button', class: 'button button--secondary' }, 'Annuler');
    const dialog = openDialog({
      title,
      content: [h('p', null, text), h('div', { class: 'dialog__actions' }, yes, no)],
      focus: no,
      onClose: () => resolve(answer),
    });
    yes.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
  });
}
