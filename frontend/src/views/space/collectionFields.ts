// The fields shared by the creation and the editing of a collection.
import { h } from '../../dom';
import { textArea, textField, type Field } from '../../components/form';
import type { Visibility } from '../../types';

export interface CollectionFieldset {
  fields: Field[];
  title: Field<HTMLInputElement>;
  description: Field<HTMLTextAreaElement>;
  visibility(): Visibility;
  element: HTMLElement[];
}

export function collectionFields(prefix: string, values?: { title: string; description: string; visibility: Visibility }): CollectionFieldset {
  const title = textField({ id: `${prefix}-title`, name: 'title', label: 'Titre', maxLength: 120, value: values?.title });
  const description = textArea({
    id: `${prefix}-description`,
    name: 'description',
    label: 'Description',
    required: false,
    maxLength: 2000,
    value: values?.description,
  });
  const radios = (['private', 'public'] as const).map((value) => {
    const input = h('input', { type: 'radio', name: `${prefix}-visibility`, id: `${prefix}-visibility-${value}`, value, class: 'choice__input' });
    input.checked = (values?.visibility ?? 'private') === value;
    return h(
      'div',
      { class: 'choice' },
      input,
      h(
        'label',
        { for: input.id, class: 'choice__label' },
        value === 'private' ? 'Privée : vous seul la voyez' : 'Publique : toute personne ayant le lien peut la voir',
      ),
    );
  });
  const error = h('p', { class: 'field__error', id: `${prefix}-visibility-error`, 'aria-live': 'polite' });
  const fieldset = h('fieldset', { class: 'field form__field choices' }, h('legend', { class: 'field__label' }, 'Visibilité'), ...radios, error);
  const first = radios[0].querySelector('input') as HTMLInputElement;
  const visibilityField: Field = { name: 'visibility', element: fieldset, control: first, error };
  return {
    fields: [title, description, visibilityField],
    title,
    description,
    visibility: () => ((fieldset.querySelector('input:checked') as HTMLInputElement | null)?.value === 'public' ? 'public' : 'private'),
    element: [title.element, description.element, fieldset],
  };
}
