// A small, badly behaved site: its list page links to detail pages that fail in every way a real
// site can, beside a few good ones that a harvest must still bring in.
import { esc, html, expectedRecord } from './common.mjs';
import { COMMUNES, commune } from './data.mjs';

export const SITE = 'hostile';
export const LIST = '/hostile/projets.html';
export const VOCAB = { 'Environnement': 'ENV', 'Solidarité': 'SOL', 'Emploi': 'EMP' };

const place = (name) => commune(COMMUNES.find((c) => c[0] === name));

// Good pages: [file, title, commune, year, tags, how it is served].
const GOOD = [
  ['repair-cafe-des-halles.html', 'Repair café des Halles', 'Figeac', 2016, ['Environnement'], 'ok'],
  ['jardin-des-cheminots.html', 'Jardin des cheminots', 'Millau', 2012, ['Environnement', 'Solidarité'], 'ok'],
  ['boutique-emploi-nord.html', 'Boutique de l\'emploi du Nord', 'Lens', 2019, ['Emploi'], 'ok'],
  ['epicerie-instable.html', 'Épicerie du bourg', 'Tarnac', 2018, ['Solidarité'], 'flaky'],
  ['page-mal-formee.html', 'Friperie de la Halle aux grains', 'Crest', 2015, ['Environnement', 'Emploi'], 'malformed'],
];

// Bad links: [path, title, what happens, what the harvester must report].
export const BAD = [
  ['/hostile/projet/disparu.html', 'Projet disparu', 'not_found', 'HTTP 404'],
  ['/hostile/projet/lent.html', 'Projet qui ne répond pas', 'hang', 'délai dépassé'],
  ['/hostile/projet/boucle.html', 'Projet en boucle', 'loop', 'trop de redirections'],
  ['/hostile/projet/enorme.html', 'Projet trop volumineux', 'huge', 'réponse trop grande'],
  ['/hostile/private/projet-secret.html', 'Projet privé', 'robots', 'interdit par robots.txt'],
];
export const FLAKY = '/hostile/projet/epicerie-instable.html';
export const HUGE_BYTES = 20 * 1024 * 1024;

function goodPage([, title, communeName, year, tags, how]) {
  const c = place(communeName);
  const summary = `${title} : un projet mené avec les habitants de ${c.name} depuis ${year}.`;
  if (how === 'malformed') {
    // Unclosed and misnested tags, a stray "<" and a bare "&": a forgiving HTML parser still reads it.
    return `<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<body><div class="fiche"><h1>${esc(title)}
<p class="resume">${esc(summary)} <b>Ouvert <i>tous les samedis</b></i>
<p>Prix < 5 euros & sans inscription
<div class="infos"><span class="commune">${esc(c.name)}</span> < 
<span class="annee">${year}</span>
<ul class="themes">${tags.map((t) => `<li>${esc(t)}`).join('')}
</div></div></span></td>
<p>Fin de la fiche
`;
  }
  return html(
    `<div class="fiche"><h1>${esc(title)}</h1>
<p class="resume">${esc(summary)}</p>
<div class="infos"><span class="commune">${esc(c.name)}</span> <span class="annee">${year}</span></div>
<ul class="themes">${tags.map((t) => `<li>${esc(t)}</li>`).join('')}</ul></div>`,
    { title },
  );
}

function listPage() {
  const links = [
    ...GOOD.map(([file, title]) => [`projet/${file}`, title]),
    ...BAD.map(([p, title]) => [p.replace('/hostile/', ''), title]),
  ];
  // Good and bad mixed, in a fixed order.
  const order = [0, 5, 1, 6, 3, 7, 2, 8, 4, 9];
  return html(`<h1>Nos projets</h1>\n<ul class="projets">\n${order.map((i) => `<li class="projet"><a href="${links[i][0]}">${esc(links[i][1])}</a></li>`).join('\n')}\n</ul>`, { title: 'Projets' });
}

/** What to answer: a page, or a misbehaviour the server acts out ({special}). */
export function handle(url) {
  const p = url.pathname;
  if (p === LIST || p === '/hostile/' || p === '/hostile') return { type: 'text/html; charset=utf-8', body: listPage() };
  const good = GOOD.find(([file]) => p === `/hostile/projet/${file}`);
  if (good) {
    const page = { type: 'text/html; charset=utf-8', body: goodPage(good) };
    return good[5] === 'flaky' ? { ...page, special: 'flaky' } : page;
  }
  const bad = BAD.find(([path]) => path === p);
  if (bad && bad[2] === 'robots') return { type: 'text/html; charset=utf-8', body: html('<h1>Privé</h1>', { title: 'Privé' }) };
  if (bad) return { special: bad[2] };
  if (p === '/hostile/projet/boucle-2.html') return { special: 'loop' };
  return null;
}

export const expected = () =>
  GOOD.map(([file, title, communeName, year, tags]) =>
    expectedRecord(
      { title, commune: place(communeName), themes: tags.map((t) => VOCAB[t]), year, website: null },
      { externalId: `projet/${file}`, url: `/hostile/projet/${file}` },
    ),
  );

export const listPages = () => 1;
