// A WordPress blog (imitating Semeoz): the RSS 2.0 feed of the category "Initiatives", 50 posts with
// their categories, the post in content:encoded (place and launch year written in the text), and a
// small HTML page per post.
import { esc, html, tagsOf, expectedRecord, dayMonth } from './common.mjs';
import { slugify } from './data.mjs';

export const SITE = 'rss';
export const FEED = '/rss/category/initiatives/feed/';
export const VOCAB = {
  'Écologie': 'ENV', 'Travail': 'EMP', 'Solidarité': 'SOL', 'Santé': 'SAN', 'Éducation': 'EDU',
  'Territoires': 'TER', 'Numérique': 'NUM', 'Culture': 'ART', 'Consommation collaborative': 'CON',
  'Gouvernance partagée': 'DEM', 'Monnaies': 'FIN', 'Sport': 'SPO', 'Tourisme': 'TOU', 'Patrimoine': 'PAT',
  'Médias libres': 'COM',
};

const pid = (e) => 4007 + e.n * 11;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Newest first, one post every few days of 2020.
function posted(e, count) {
  const d = new Date(Date.UTC(2020, 11, 20, 9, 30) - (e.n * 6 + (e.n % 3)) * 86400000);
  void count;
  return d;
}
const postPath = (e) => {
  const d = posted(e);
  return `/rss/${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${slugify(e.title)}/`;
};
const rfc822 = (d) =>
  `${DAYS[d.getUTCDay()]}, ${String(d.getUTCDate()).padStart(2, '0')} ${MON[d.getUTCMonth()]} ${d.getUTCFullYear()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:00 +0000`;

function content(e) {
  const parts = [`<p>${esc(e.summary)}</p>`];
  if (e.commune) parts.push(`<p class="lieu">Lieu : ${esc(e.commune.name)} (${e.commune.dep})</p>`);
  parts.push(...e.description.map((p) => `<p>${esc(p)}</p>`));
  parts.push(`<p>Porté par ${esc(e.actorName)}.${e.website ? ` <a href="${esc(e.website)}">Site du projet</a>` : ''}</p>`);
  return parts.join('\n');
}

const cdata = (s) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

function feed(entries, origin) {
  const items = entries
    .map((e) => {
      const cats = ['Initiatives', ...tagsOf(e, VOCAB)];
      void dayMonth;
      return `	<item>
		<title>${esc(e.title)}</title>
		<link>${origin}${postPath(e)}</link>
		<comments>${origin}${postPath(e)}#respond</comments>
		<pubDate>${rfc822(posted(e))}</pubDate>
		<dc:creator>${cdata('La rédaction')}</dc:creator>
${cats.map((c) => `		<category>${cdata(c)}</category>`).join('\n')}
		<guid isPermaLink="false">${origin}/rss/?p=${pid(e)}</guid>
		<description>${cdata(`${e.summary} [&#8230;]`)}</description>
		<content:encoded>${cdata(content(e))}</content:encoded>
	</item>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	>
<channel>
	<title>Initiatives &#8211; Semences d'initiatives</title>
	<atom:link href="${origin}${FEED}" rel="self" type="application/rss+xml" />
	<link>${origin}/rss/</link>
	<description>Les initiatives qui changent le monde, près de chez vous</description>
	<lastBuildDate>${rfc822(posted(entries[0]))}</lastBuildDate>
	<language>fr-FR</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=5.6</generator>
${items}
</channel>
</rss>
`;
}

export function handle(url, { entries, origin }) {
  const p = url.pathname;
  if (p === FEED) return { type: 'application/rss+xml; charset=UTF-8', body: feed(entries, origin) };
  if (p === '/rss/' || p === '/rss') {
    return { type: 'text/html; charset=UTF-8', body: html(`<h1>Semences d'initiatives</h1><link rel="alternate" type="application/rss+xml" href="${FEED}">`, { title: 'Semences d\'initiatives' }) };
  }
  const e = entries.find((x) => postPath(x) === p);
  if (e) {
    return {
      type: 'text/html; charset=UTF-8',
      body: html(`<article class="post"><h2 class="post-title">${esc(e.title)}</h2><div class="post-content">${content(e)}</div></article>`, { title: e.title }),
    };
  }
  return null;
}

export const keyOf = (e) => String(pid(e));

export const expected = (entries) => entries.map((e) => expectedRecord(e, { externalId: pid(e), url: postPath(e), website: null }));

export const listPages = () => 1;
