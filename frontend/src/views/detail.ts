import { ApiError, getInitiative, isAbort, UNAVAILABLE_MESSAGE } from '../api';
import { demoBadge } from '../components/badge';
import { collectionButton } from '../components/collectionDialog';
import { carrierUpdatedLine, mountContributeActions } from '../components/contribute/detailActions';
import { commentsSection, type CommentsSection } from '../components/comments';
import { openReportDialog } from '../components/reportDialog';
import { favouriteButton } from '../components/favouriteButton';
import { setDemoNotice } from '../components/demoNotice';
import { errorMessage, loadingIndicator } from '../components/status';
import { tagList } from '../components/tags';
import { append, externalLink, h, safeHttpUrl, setTitle, type Child } from '../dom';
import { formatDate } from '../format';
import { createBaseMap, hasPoint, itemMarker, removeMap, zoomForPrecision } from '../map';
import { lastSearchUrl, searchUrl, type Route } from '../router';
import { territoryRef } from '../territories';
import type { Initiative, Place, TerritoryLevel } from '../types';
import { renderNotFound } from './notFound';
import type { View } from './view';
import type L from 'leaflet';

const PRECISION_NOTE: Record<string, string> = {
  commune: 'Position approximative : centre de la commune.',
  departement: 'Position approximative : centre du département.',
  region: 'Position approximative : centre de la région.',
};

/** A definition list row; nothing when the value is empty. */
function row(term: string, value: Child | Child[]): HTMLElement[] {
  const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined && v !== false && v !== '');
  if (values.length === 0) return [];
  const dd = h('dd');
  append(dd, ...values);
  return [h('div', { class: 'facts__row' }, h('dt', null, term), dd)];
}

/** A place of the record as a link to the search of that territory (`/?territory=commune:69123`). */
function placeLink(place: Place | null | undefined, level: TerritoryLevel, className: string): HTMLElement | null {
  if (!place) return null;
  if (!place.code) return h('span', { class: className }, place.name);
  return h(
    'a',
    { class: className, href: searchUrl('', [territoryRef(level, place.code)]), 'aria-describedby': 'place-links-hint' },
    place.name,
  );
}

function paragraphs(text: string): HTMLElement[] {
  return text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => h('p', null, part));
}

/** « Présent sur : Avise, Solidarum »: each source links to the record's original page, else to its home page. */
function sourcesLine(record: Initiative): HTMLElement | null {
  if (record.sources.length === 0) return null;
  const p = h('p', { class: 'detail__sources' }, 'Présent sur : ');
  record.sources.forEach((source, index) => {
    if (index > 0) p.append(', ');
    const url = safeHttpUrl(source.url) ?? safeHttpUrl(source.homepage);
    p.append(url ? externalLink(url, source.name, 'detail__source') : h('span', { class: 'detail__source' }, source.name));
  });
  p.append(' (', h('a', { href: '/sources' }, 'toutes les sources'), ')');
  return p;
}

function datesLine(record: Initiative): HTMLElement | null {
  const created = formatDate(record.created_at);
  const updated = formatDate(record.updated_at);
  if (!created && !updated) return null;
  const parts: string[] = [];
  if (created) parts.push(`Fiche créée le ${created}`);
  if (updated && updated !== created) parts.push(`mise à jour le ${updated}`);
  else if (updated && !created) parts.push(`Fiche mise à jour le ${updated}`);
  return h('p', { class: 'detail__dates' }, parts.join(', ') + '.');
}

/** « Signaler une erreur »: anyone may tell the moderators that the record is wrong. */
function reportErrorLine(record: Initiative): HTMLElement {
  const button = h('button', { type: 'button', class: 'button button--tertiary detail__report' }, 'Signaler une erreur');
  button.addEventListener('click', () => openReportDialog({ kind: 'initiative', id: record.id }, `Fiche « ${record.title} ».`));
  return h('p', { class: 'detail__report-line' }, 'Une information est fausse ou manque ? ', button);
}

/** The page of one initiative: all its fields, its place on a small map and its sources. */
export function detailView(root: HTMLElement, route: Extract<Route, { name: 'detail' }>): View {
  const controller = new AbortController();
  let map: L.Map | null = null;
  let contribute: { destroy(): void } | null = null;
  let comments: CommentsSection | null = null;
  const back = h(
    'nav',
    { class: 'container breadcrumb', 'aria-label': "Fil d'Ariane" },
    h('a', { class: 'breadcrumb__back', href: lastSearchUrl() }, '← Retour à la recherche'),
  );
  const content = h('div', { class: 'container detail-body' });
  root.append(back, content);
  setTitle('Initiative');

  function render(record: Initiative): void {
    setTitle(record.title);
    setDemoNotice(record.demo);
    const t = record.territory;
    const website = safeHttpUrl(record.website);
    const actorType = record.actor?.type?.label ?? null;

    const mapBox = h('div', { class: 'detail-map__canvas', id: 'detail-map' });
    const locationNote = hasPoint(record)
      ? PRECISION_NOTE[record.location!.precision] ?? null
      : "Cette initiative n'a pas de localisation précise.";

    const article = h(
      'article',
      { class: 'detail' },
      h(
        'header',
        { class: 'detail__header' },
        tagList(record.themes, 'theme', 'Thèmes'),
        h('h1', { class: 'detail__title', id: 'detail-title' }, record.title),
        record.demo ? demoBadge() : null,
        record.summary ? h('p', { class: 'detail__summary' }, record.summary) : null,
        carrierUpdatedLine(record),
        h(
          'div',
          { class: 'card-actions detail__actions' },
          favouriteButton(record.id, record.title),
          collectionButton(record.id, record.title),
          website ? externalLink(website, 'Site web de l’initiative', 'button button--secondary detail__website-link') : null,
        ),
      ),
      h(
        'div',
        { class: 'detail__layout' },
        h(
          'div',
          { class: 'detail__main' },
          record.description
            ? h('section', { class: 'detail__section' }, h('h2', null, 'Description'), ...paragraphs(record.description))
            : null,
          h(
            'section',
            { class: 'detail__section' },
            h('h2', null, 'En bref'),
            h(
              'dl',
              { class: 'facts' },
              ...row('Porteur', record.actor?.name ?? null),
              ...row("Type d'acteur", actorType),
              ...row('Thèmes', tagList(record.themes, 'theme')),
              ...row('Sous-thèmes', tagList(record.subthemes, 'subtheme')),
              ...row('Publics', tagList(record.publics, 'public')),
              ...row('Échelle', record.scale?.label ?? null),
              ...row('Stade', record.stage?.label ?? null),
              ...row('Année de lancement', record.start_year ?? null),
              ...row('Site web', website ? externalLink(website, website.replace(/^https?:\/\//, '').replace(/\/$/, ''), 'detail__website') : null),
            ),
          ),
          h('section', { class: 'detail__section' }, h('h2', null, 'Sources'), sourcesLine(record), datesLine(record)),
        ),
        h(
          'aside',
          { class: 'detail__aside', 'aria-labelledby': 'place-heading' },
          h('h2', { id: 'place-heading' }, 'Localisation'),
          h(
            'dl',
            { class: 'facts facts--compact' },
            // "31770 Colomiers", not a postcode alone.
            ...row('Adresse', [record.address, [record.postcode, t?.commune?.name].filter(Boolean).join(' ')].filter(Boolean).join(', ') || null),
            ...row('Commune', placeLink(t?.commune, 'commune', 'detail__commune')),
            ...row(
              'Département',
              t?.departement
                ? [placeLink(t.departement, 'departement', 'detail__departement'), t.departement.code ? ` (${t.departement.code})` : null]
                : null,
            ),
            ...row('Région', placeLink(t?.region, 'region', 'detail__region')),
          ),
          t?.commune || t?.departement || t?.region
            ? h('p', { id: 'place-links-hint', class: 'detail__place-hint' }, 'Chaque lieu mène aux initiatives de ce territoire.')
            : null,
          hasPoint(record) ? h('div', { class: 'detail-map' }, mapBox) : null,
          locationNote ? h('p', { class: 'detail__location-note' }, locationNote) : null,
        ),
      ),
    );
    content.replaceChildren(article);
    contribute?.destroy();
    contribute = mountContributeActions(article.querySelector('.detail__main') as HTMLElement, record);
    comments?.destroy();
    comments = commentsSection(record.id, record.title);
    article.querySelector('.detail__main')?.append(comments.element, reportErrorLine(record));

    if (hasPoint(record)) {
      map = createBaseMap(mapBox, { label: `Localisation de ${record.title}` });
      const marker = itemMarker(record, false).addTo(map);
      map.setView(marker.getLatLng(), zoomForPrecision(record.location!.precision));
    }
  }

  function load(): void {
    content.replaceChildren(loadingIndicator("Chargement de l'initiative…"));
    getInitiative(route.id, controller.signal).then(render, (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
        renderNotFound(root, 'initiative');
        return;
      }
      setTitle('Service indisponible');
      content.replaceChildren(
        h('h1', { class: 'visually-hidden' }, 'Initiative'),
        errorMessage(err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE, load),
      );
    });
  }
  load();

  return {
    destroy(): void {
      controller.abort();
      contribute?.destroy();
      comments?.destroy();
      if (map) removeMap(map);
      map = null;
      setDemoNotice(false);
    },
  };
}
