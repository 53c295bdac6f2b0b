// A SPIP site (imitating Bretagne Créative): rubrique2.html?debut_articles=0,10,20… lists div.vignette
// blocks linking to articleN.html. Like many SPIP skins, an offset past the end shows the last page
// again, so a harvest stops because the page brings only articles already seen.
import { esc, html, tagsOf, expectedRecord, dayMonth, MONTHS } from './common.mjs';

export const SITE = 'spip';
export const PER_PAGE = 10;
export const VOCAB = {
  'Transition écologique': 'ENV', 'Emploi': 'EMP', 'Vivre ensemble': 'SOL', 'Santé': 'SAN',
  'Éducation populaire': 'EDU', 'Ruralité': 'TER', 'Numérique': 'NUM', 'Culture': 'ART',
  'Consommer autrement': 'CON', 'Participation citoyenne': 'DEM', 'Finance solidaire': 'FIN', 'Sport': 'SPO',
  'Tourisme': 'TOU', 'Patrimoine': 'PAT', 'Médias': 'COM',
};

const art = (e) => 301 + e.n * 3;
const articlePath = (e) => `/spip/article${art(e)}.html`;

const chrome = (inner, title) =>
  html(
    `<div class="page"><div class="header"><a href="./" class="accueil">Créations territoriales</a></div>
<div class="main">
${inner}
</div>
<div class="footer"><a href="spip.php?page=plan">Plan du site</a> | <a href="prive/">Espace privé</a></div></div>`,
    { title: `${title} - Créations territoriales` },
  );

function listPage(entries, start) {
  const pages = Math.ceil(entries.length / PER_PAGE);
  const last = (pages - 1) * PER_PAGE;
  const from = Math.min(Math.floor(start / PER_PAGE) * PER_PAGE, last);
  const items = entries.slice(from, from + PER_PAGE);
  const vignettes = items
    .map(
      (e) => `<div class="vignette">
<a href="article${art(e)}.html"><img class="spip_logo" src="IMG/arton${art(e)}.jpg" alt="" width="150" height="100" /></a>
<h3 class="titre"><a href="article${art(e)}.html">${esc(e.title)}</a></h3>
<div class="introduction">${esc(e.summary)}</div>
</div>`,
    )
    .join('\n');
  const links = [];
  for (let i = 0; i < pages; i++) {
    links.push(i * PER_PAGE === from ? `<strong class="on">${i + 1}</strong>` : `<a href="rubrique2.html?debut_articles=${i * PER_PAGE}#pagination_articles" class="lien_pagination">${i + 1}</a>`);
  }
  return chrome(
    `<h1 class="titre">Initiatives</h1>
<div class="liste-articles">
${vignettes}
</div>
<p class="pagination" id="pagination_articles">${links.join(' | ')}</p>`,
    'Initiatives',
  );
}

function date(e) {
  const { day, month } = dayMonth(e);
  return `${day === 1 ? '1er' : day} ${MONTHS[month]} ${e.year}`;
}

function articlePage(e) {
  const infos = [];
  if (e.commune) infos.push(`<p>Commune : <span class="ville">${esc(e.commune.name)}</span> <span class="cp">(${e.commune.postcode})</span></p>`);
  if (e.year) infos.push(`<p>Date de lancement : <span class="date-lancement">${date(e)}</span></p>`);
  infos.push(`<p>Porteur : <span class="porteur">${esc(e.actorName)}</span></p>`);
  if (e.website) infos.push(`<p>Site : <a href="${esc(e.website)}" class="spip_out" rel="external">${esc(e.website)}</a></p>`);
  const tags = tagsOf(e, VOCAB);
  return chrome(
    `<div class="cartouche"><h1 class="titre">${esc(e.title)}</h1>
<p class="info-publi">Publié le <abbr class="published">12 septembre 2019</abbr></p></div>
<div class="chapo"><p>${esc(e.summary)}</p></div>
<div class="texte">${e.description.map((p) => `<p>${esc(p)}</p>`).join('\n')}</div>
<div class="infos-projet">
${infos.join('\n')}
</div>
${tags.length ? `<div class="mots"><h2>Mots-clés</h2><ul>${tags.map((t, i) => `<li><a href="mot${20 + i}.html" rel="tag">${esc(t)}</a></li>`).join('')}</ul></div>` : ''}`,
    e.title,
  );
}

export function handle(url, { entries }) {
  const p = url.pathname;
  if (p === '/spip/' || p === '/spip') return { type: 'text/html; charset=utf-8', body: chrome('<p><a href="rubrique2.html?debut_articles=0">Les initiatives</a></p>', 'Accueil') };
  if (p === '/spip/rubrique2.html') {
    const start = Number(url.searchParams.get('debut_articles') || 0);
    if (!Number.isInteger(start) || start < 0) return null;
    return { type: 'text/html; charset=utf-8', body: listPage(entries, start) };
  }
  const m = /^\/spip\/article([0-9]+)\.html$/.exec(p);
  if (m) {
    const e = entries.find((x) => String(art(x)) === m[1]);
    if (e) return { type: 'text/html; charset=utf-8', body: articlePage(e) };
  }
  return null;
}

export const keyOf = (e) => String(art(e));

export const expected = (entries) => entries.map((e) => expectedRecord(e, { externalId: art(e), url: articlePath(e) }));

// 0, 10, … 60, then 70 which repeats the last page.
export const listPages = (entries) => Math.ceil(entries.length / PER_PAGE) + 1;
