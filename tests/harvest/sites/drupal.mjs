// A Drupal catalogue of portraits (imitating Avise): /drupal/portraits?page=N lists ten
// div.node--portrait teasers, each with an h2 link to /drupal/portrait/<slug>; the detail page holds the
// rest. Pages past the end list nothing.
import { esc, html, tagsOf, expectedRecord, dayMonth, MONTHS } from './common.mjs';
import { slugify } from './data.mjs';

export const SITE = 'drupal';
export const PER_PAGE = 10;
export const VOCAB = {
  'Environnement': 'ENV', 'Transition écologique': 'ENV', 'Insertion': 'EMP', 'Emploi': 'EMP',
  'Lien social': 'SOL', 'Solidarités': 'SOL', 'Santé': 'SAN', 'Éducation': 'EDU', 'Jeunesse': 'EDU',
  'Développement territorial': 'TER', 'Numérique': 'NUM', 'Culture': 'ART', 'Consommation responsable': 'CON',
  'Citoyenneté': 'DEM', 'Finance solidaire': 'FIN', 'Sport': 'SPO', 'Tourisme social': 'TOU',
  'Patrimoine': 'PAT', 'Médias': 'COM',
};

const nid = (e) => 1003 + e.n * 7;
const detailPath = (e) => `/drupal/portrait/${slugify(e.title)}`;

function place(e) {
  const c = e.commune;
  return c.homonym || e.n % 2 === 0 ? `${c.name} (${c.dep})` : c.name;
}

function date(e) {
  const { day, month } = dayMonth(e);
  if (e.n % 3 === 0) return `${e.year}`;
  if (e.n % 3 === 1) return `${MONTHS[month]} ${e.year}`;
  return `${day === 1 ? '1er' : day} ${MONTHS[month]} ${e.year}`;
}

const chrome = (inner, title) =>
  html(
    `<header class="site-header"><a href="/drupal/" class="logo">Portraits solidaires</a>
<nav><ul class="menu"><li><a href="/drupal/">Accueil</a></li><li><a href="/drupal/portraits?page=0">Portraits</a></li></ul></nav></header>
<main id="main-content">
${inner}
</main>
<footer><p>Contenus sous Licence Ouverte 2.0</p></footer>`,
    { title: `${title} | Portraits solidaires` },
  );

function listPage(entries, page) {
  const items = entries.slice(page * PER_PAGE, (page + 1) * PER_PAGE);
  const teasers = items
    .map(
      (e) => `<div class="node node--portrait node--teaser" id="node-${nid(e)}" data-nid="${nid(e)}">
  <h2 class="node__title"><a href="${detailPath(e)}" rel="bookmark">${esc(e.title)}</a></h2>
  <div class="field field--teaser">${esc(e.summary.slice(0, 90))}…</div>
</div>`,
    )
    .join('\n');
  const pages = Math.ceil(entries.length / PER_PAGE);
  const pager =
    page + 1 < pages
      ? `<nav class="pager"><ul><li class="pager__item pager__item--next"><a href="?page=${page + 1}">Page suivante ›</a></li></ul></nav>`
      : '';
  const body = items.length ? `<div class="view-content">\n${teasers}\n</div>\n${pager}` : '<div class="view-empty"><p>Aucun portrait ne correspond à votre recherche.</p></div>';
  return chrome(`<h1 class="page-title">Portraits d'initiatives</h1>\n<div class="view view-portraits">\n${body}\n</div>`, 'Portraits');
}

function detailPage(e) {
  const infos = [];
  if (e.commune) infos.push(`<li><span class="label">Lieu :</span> <span class="ville">${esc(place(e))}</span></li>`);
  if (e.year) infos.push(`<li><span class="label">Création :</span> <span class="date">${date(e)}</span></li>`);
  infos.push(`<li><span class="label">Porteur :</span> <span class="porteur">${esc(e.actorName)}</span></li>`);
  if (e.website) infos.push(`<li><a class="site-web" href="${esc(e.website)}">Site internet</a></li>`);
  const tags = tagsOf(e, VOCAB);
  return chrome(
    `<article class="node node--portrait node--full" data-nid="${nid(e)}">
<h1 class="page-title">${esc(e.title)}</h1>
<div class="chapo">${esc(e.summary)}</div>
<div class="field field--body">${e.description.map((p) => `<p>${esc(p)}</p>`).join('\n')}</div>
<ul class="infos">${infos.join('')}</ul>
${tags.length ? `<ul class="tags">${tags.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : ''}
</article>`,
    e.title,
  );
}

export function handle(url, { entries }) {
  const p = url.pathname;
  if (p === '/drupal/' || p === '/drupal') {
    return { type: 'text/html; charset=utf-8', body: chrome('<h1>Portraits solidaires</h1><p><a href="/drupal/portraits?page=0">Tous les portraits</a></p>', 'Accueil') };
  }
  if (p === '/drupal/portraits') {
    const raw = url.searchParams.get('page') ?? '0';
    if (!/^[0-9]{1,6}$/.test(raw)) return { status: 404, type: 'text/html; charset=utf-8', body: chrome('<h1>Page introuvable</h1>', 'Page introuvable') };
    return { type: 'text/html; charset=utf-8', body: listPage(entries, Number(raw)) };
  }
  const m = /^\/drupal\/portrait\/([a-z0-9-]+)$/.exec(p);
  if (m) {
    const e = entries.find((x) => slugify(x.title) === m[1]);
    if (e) return { type: 'text/html; charset=utf-8', body: detailPage(e) };
  }
  return null;
}

export const keyOf = (e) => String(nid(e));

export const expected = (entries) =>
  entries.map((e) => expectedRecord(e, { externalId: nid(e), url: detailPath(e) }));

export const listPages = (entries) => Math.ceil(entries.length / PER_PAGE) + 1; // the last one is empty
