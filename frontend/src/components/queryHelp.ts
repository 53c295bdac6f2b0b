import { h } from '../dom';

const EXAMPLES: [string, string][] = [
  ['jardin partagé', 'les deux mots, dans n’importe quel ordre (fautes de frappe corrigées)'],
  ['"aide alimentaire"', 'l’expression exacte, entre guillemets'],
  ['épicerie OR cantine', 'l’un ou l’autre mot'],
  ['insertion -vente', 'sans le mot qui suit le signe moins'],
  ['theme:ENV', 'un thème par son code (ENV : environnement, SOL : solidarité…)'],
  ['territory:departement:69', 'un territoire : region:84, departement:69, commune:69123'],
  ['year:2015..2020', 'lancée entre deux années (year:2018.. : depuis 2018)'],
];

/**
 * « Comment chercher ? »: a fold-out under the search box explaining the query language with examples;
 * choosing an example puts it in the box (onExample).
 */
export function queryHelp(onExample: (query: string) => void): HTMLDetailsElement {
  const items = EXAMPLES.map(([query, meaning]) => {
    const button = h('button', { type: 'button', class: 'query-help__example' }, h('code', {}, query));
    button.addEventListener('click', () => onExample(query));
    return h('li', { class: 'query-help__item' }, button, ' ', h('span', { class: 'query-help__meaning' }, meaning));
  });
  return h(
    'details',
    { class: 'fold query-help', id: 'query-help' },
    h('summary', { class: 'fold__summary query-help__summary' }, 'Comment chercher ?'),
    h(
      'div',
      { class: 'query-help__body' },
      h('p', { class: 'query-help__intro' }, 'Des mots suffisent. Pour une recherche précise, combinez :'),
      h('ul', { class: 'query-help__list' }, ...items),
      h('p', { class: 'query-help__more' }, 'Choisir un exemple le place dans le champ de recherche.'),
    ),
  );
}
