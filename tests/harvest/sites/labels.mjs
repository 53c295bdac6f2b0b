// A small directory that writes each detail as a list of labels and values (<dt>Commune</dt><dd>…</dd>),
// files projects under narrow tags only (sub-themes on our side) and uses a tag our map does not know.
// It is not one of the fixture sites harvested by `make run`: tests/harvest/writer.test.mjs reads it
// with its own source document (tests/harvest/sources/essai-etiquettes.json).
import { esc, html } from './common.mjs';

export const SITE = 'labels';
export const LIST = '/labels/annuaire.html';

// [file, title, commune, year, tags]. "Compostage" maps to the sub-theme DEC (its theme is ENV),
// "Monnaie locale" is in no map.
export const ENTRIES = [
  ['composteur-de-la-croix-rousse.html', 'Composteur partagé de la Croix-Rousse', 'Lyon', 2017, ['Compostage']],
  ['monnaie-la-gonette.html', 'La Gonette, monnaie du quartier', 'Lyon', 2015, ['Monnaie locale']],
  ['atelier-velo-guillotiere.html', 'Atelier vélo de la Guillotière', 'Lyon', 2012, ['Mobilité douce']],
  ['jardin-des-pentes.html', 'Jardin partagé des Pentes', 'Lyon', 2019, ['Compostage', 'Jardinage']],
  ['cafe-repare-tout.html', 'Café répare-tout de Vaise', 'Lyon', 2020, ['Réemploi']],
];
// Three on the first list page, two on the second.
const PAGES = [ENTRIES.slice(0, 3), ENTRIES.slice(3)];

function detailPage([, title, commune, year, tags]) {
  return html(
    `<article class="fiche"><h1>${esc(title)}</h1>
<dl class="infos">
  <dt>Porteur</dt><dd>Collectif ${esc(title.split(' ').slice(-1)[0])}</dd>
  <dt>Commune</dt><dd>${esc(commune)}</dd>
  <dt>Année de création</dt><dd>${year}</dd>
  <dt>Étiquettes</dt><dd><ul>${tags.map((t) => `<li>${esc(t)}</li>`).join('')}</ul></dd>
</dl></article>`,
    { title },
  );
}

function listPage(n) {
  const items = PAGES[n].map(([file, title]) => `<li class="projet"><a href="fiche/${file}">${esc(title)}</a></li>`).join('\n');
  const next = n + 1 < PAGES.length ? `<a class="suivante" href="annuaire-${n + 2}.html">Page suivante</a>` : '';
  return html(`<h1>Annuaire des projets</h1>\n<ul class="projets">\n${items}\n</ul>\n${next}`, { title: 'Annuaire' });
}

export function handle(url) {
  const p = url.pathname;
  const type = 'text/html; charset=utf-8';
  if (p === LIST) return { type, body: listPage(0) };
  const m = /^\/labels\/annuaire-(\d+)\.html$/.exec(p);
  if (m && Number(m[1]) >= 2 && Number(m[1]) <= PAGES.length) return { type, body: listPage(Number(m[1]) - 1) };
  const e = ENTRIES.find(([file]) => p === `/labels/fiche/${file}`);
  return e ? { type, body: detailPage(e) } : null;
}
