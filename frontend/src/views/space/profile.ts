// « Profil »: display name, address, password, export of my data, deletion of the account.
import { ApiError } from '../../api';
import { changeEmail, changePassword, deleteAccount, EXPORT_URL, updateDisplayName } from '../../accountApi';
import { openDialog } from '../../components/dialog';
import { busy, clearErrors, formMessage, passwordField, passwordProblem, setFieldError, showError, textField, type Field } from '../../components/form';
import { toast } from '../../components/toast';
import { h } from '../../dom';
import { formatDate } from '../../format';
import { navigate } from '../../router';
import { currentUser, forgetSession, setUser } from '../../session';
import type { User } from '../../types';
import { panel, sectionFrame, type Section } from './section';

function required(fields: Field[], messages: Record<string, string>): boolean {
  for (const field of fields) {
    if (field.control.value.trim() === '') {
      setFieldError(field, messages[field.name] ?? 'Ce champ est obligatoire.');
      field.control.focus();
      return false;
    }
  }
  return true;
}

function nameForm(user: User): HTMLElement {
  let version = user.version;
  const name = textField({ id: 'profile-name', name: 'display_name', label: 'Nom affiché', autocomplete: 'nickname', maxLength: 80, value: user.display_name });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Enregistrer le nom');
  const form = h('form', { class: 'form', novalidate: true }, name.element, message.element, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([name], message);
    if (!required([name], { display_name: 'Saisissez le nom à afficher.' })) return;
    version = currentUser()?.version ?? version;
    void busy(submit, 'Enregistrement…', () => updateDisplayName(name.control.value.trim(), version)).then(
      (answer) => {
        version = answer.user.version;
        setUser(answer.user);
        message.success('Votre nom affiché est enregistré.');
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 409) {
          const current = (err.body as { current?: User } | null)?.current;
          if (current) {
            version = current.version;
            setUser(current);
          }
          message.error(`${err.message} Votre profil a changé entre-temps : vérifiez le nom puis enregistrez à nouveau.`);
          return;
        }
        showError(err, [name], message);
      },
    );
  });
  return panel('Votre nom', 'profile-name-title', h('p', { class: 'panel__text' }, 'Il apparaît sur vos collections publiques.'), form);
}

function emailForm(user: User): HTMLElement {
  const email = textField({ id: 'profile-email', name: 'email', label: 'Nouvelle adresse e-mail', type: 'email', autocomplete: 'email' });
  const password = passwordField({ id: 'profile-email-password', name: 'password', label: 'Mot de passe actuel', autocomplete: 'current-password' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--secondary' }, 'Changer d’adresse');
  const form = h('form', { class: 'form', novalidate: true }, email.element, password.element, message.element, submit);
  const fields = [email, password];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    if (!required(fields, { email: 'Saisissez la nouvelle adresse.', password: 'Saisissez votre mot de passe.' })) return;
    const address = email.control.value.trim();
    void busy(submit, 'Envoi…', () => changeEmail(address, password.control.value)).then(
      () => {
        form.reset();
        message.success(`Un lien de confirmation a été envoyé à ${address}. Votre adresse changera quand vous l’aurez ouvert.`);
      },
      (err: unknown) => showError(err, fields, message),
    );
  });
  return panel(
    'Adresse e-mail',
    'profile-email-title',
    h('p', { class: 'panel__text' }, 'Adresse actuelle : ', h('strong', { class: 'profile__email' }, user.email), user.verified ? ' (confirmée)' : ' (non confirmée)'),
    form,
  );
}

function passwordForm(): HTMLElement {
  const current = passwordField({ id: 'profile-current-password', name: 'current_password', label: 'Mot de passe actuel', autocomplete: 'current-password' });
  const next = passwordField({ id: 'profile-new-password', name: 'new_password', label: 'Nouveau mot de passe', autocomplete: 'new-password', hint: 'Au moins 12 caractères.' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--secondary' }, 'Changer de mot de passe');
  const form = h('form', { class: 'form', novalidate: true }, current.element, next.element, message.element, submit);
  const fields = [current, next];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    if (!required([current], { current_password: 'Saisissez votre mot de passe actuel.' })) return;
    const problem = passwordProblem(next.control.value);
    if (problem) {
      setFieldError(next, problem);
      next.control.focus();
      return;
    }
    void busy(submit, 'Enregistrement…', () => changePassword(current.control.value, next.control.value)).then(
      () => {
        form.reset();
        message.success('Votre mot de passe est changé. Vos autres sessions ont été fermées.');
      },
      (err: unknown) => {
        // A wrong current password is a 403 invalid_credentials: it belongs to that field.
        if (err instanceof ApiError && err.code === 'invalid_credentials') {
          setFieldError(current, err.message);
          current.control.focus();
          return;
        }
        showError(err, fields, message);
      },
    );
  });
  return panel('Changer de mot de passe', 'profile-password-title', form);
}

function exportPanel(): HTMLElement {
  return panel(
    'Mes données',
    'profile-export-title',
    h('p', { class: 'panel__text' }, 'Un fichier JSON avec votre compte, vos sessions, vos favoris, vos collections et vos recherches enregistrées.'),
    h('a', { class: 'button button--secondary', href: EXPORT_URL, download: 'socialconnect-mes-donnees.json' }, 'Télécharger mes données'),
  );
}

function openDeleteDialog(): void {
  const password = passwordField({ id: 'delete-password', name: 'password', label: 'Mot de passe', autocomplete: 'current-password' });
  const message = formMessage();
  const confirm = h('button', { type: 'submit', class: 'button button--danger' }, 'Supprimer définitivement mon compte');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Annuler');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    h(
      'p',
      null,
      'Votre adresse, votre nom, votre mot de passe, vos sessions, favoris, collections et recherches enregistrées seront effacés. Cette action est définitive.',
    ),
    password.element,
    message.element,
    h('div', { class: 'dialog__actions' }, confirm, cancel),
  );
  const dialog = openDialog({ title: 'Supprimer mon compte', content: [form], focus: password.control });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([password], message);
    if (!required([password], { password: 'Saisissez votre mot de passe pour confirmer.' })) return;
    void busy(confirm, 'Suppression…', () => deleteAccount(password.control.value)).then(
      () => {
        dialog.close();
        forgetSession();
        toast('Votre compte est supprimé.');
        navigate('/');
      },
      (err: unknown) => {
        if (err instanceof ApiError && (err.code === 'invalid_credentials' || err.status === 403) && !err.field) {
          setFieldError(password, err.message);
          password.control.focus();
          return;
        }
        showError(err, [password], message);
      },
    );
  });
}

function deletePanel(): HTMLElement {
  const button = h('button', { type: 'button', class: 'button button--danger', 'aria-haspopup': 'dialog' }, 'Supprimer mon compte');
  button.addEventListener('click', openDeleteDialog);
  return panel(
    'Supprimer mon compte',
    'profile-delete-title',
    h('p', { class: 'panel__text' }, 'Ce que vous avez publié pour tous reste visible, signé « compte supprimé ».'),
    button,
  );
}

export function profileSection(container: HTMLElement, user: User): Section {
  const created = formatDate(user.created_at);
  const body = sectionFrame(container, 'Profil', created ? `Compte créé le ${created}.` : '');
  body.append(nameForm(user), emailForm(user), passwordForm(), exportPanel(), deletePanel());
  return { destroy() {} };
}
