import { ApiError, getCatalogueManifest, getSource, getSources, isAbort, UNAVAILABLE_MESSAGE, type CatalogueManifest } from '../api';
import { emptyState, errorMessage, loadingIndicator } from '../components/status';
import { externalLink, h, safeHttpUrl, setTitle } from '../dom';
import { formatDateTime, formatNumber, formatRelative } from '../format';
import { emptyState as emptySearch, stateUrl } from '../searchState';
import type { HarvestRun, HarvestRunSummary, SourceSummary, UnmappedValue } from '../types';
import type { View } from './view';

const KIND_LABELS: Record<string, string> = {
  html: 'Pages web',
  json: 'API JSON',
  rss: 'Flux RSS',
  atom: 'Flux Atom',
  csv: 'Fichier CSV',
  manual: 'Saisie manuelle',
  demo: 'Démonstration',
};

const STATUS_LABELS: Record<HarvestRunSummary['status'], string> = {
  running: 'En cours',
  succeeded: 'Réussi',
  partial: 'Partiel',
  failed: 'Échec',
};

type Freshness = { label: string; modifier: string; hint: string };

/** « À jour » when the last success is within two periods, « En retard » otherwise. */
export function freshness(source: SourceSummary, now: number = Date.now()): Freshness {
  if (source.demo) return { label: 'Démo', modifier: 'demo', hint: 'Données de démonstration, jamais moissonnées.' };
  if (!source.last_success_at) return { label: 'Jamais moissonnée', modifier: 'never', hint: 'Aucun moissonnage réussi à ce jour.' };
  const age = now - new Date(source.last_success_at).getTime();
  const period = source.period_hours * 3600 * 1000;
  if (age <= 2 * period) {
    return { label: 'À jour', modifier: 'fresh', hint: `Moissonnée avec succès il y a moins de ${2 * source.period_hours} heures.` };
  }
  return { label: 'En retard', modifier: 'late', hint: `Aucun moissonnage réussi depuis plus de ${2 * source.period_hours} heures.` };
}

/** A date as « il y a 3 heures », with the full date in its tooltip and datetime attribute. */
function relativeTime(iso: string | null, className: string): HTMLElement {
  const relative = formatRelative(iso);
  const absolute = formatDateTime(iso);
  if (!iso || !relative) return h('span', { class: className }, 'jamais');
  return h('time', { class: className, datetime: iso, title: absolute ?? iso }, relative);
}

function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n > 1 ? many : one}`;
}

/** The figures of a run, as a short sentence. */
function runFigures(run: HarvestRunSummary): string {
  return [
    plural(run.pages_fetched, 'page lue', 'pages lues'),
    plural(run.records_new, 'nouvelle fiche', 'nouvelles fiches'),
    plural(run.records_updated, 'fiche mise à jour', 'fiches mises à jour'),
    plural(run.records_gone, 'fiche disparue', 'fiches disparues'),
    plural(run.errors_count, 'erreur', 'erreurs'),
  ].join(' · ');
}

function runItem(run: HarvestRun): HTMLElement {
  const item = h(
    'li',
    { class: 'source-run', 'data-run-id': run.id },
    h(
      'p',
      { class: 'source-run__head' },
      h('span', { class: `source-run__status source-run__status--${run.status}` }, STATUS_LABELS[run.status] ?? run.status),
      ' ',
      h('time', { datetime: run.started_at, title: formatDateTime(run.started_at) ?? run.started_at }, formatDateTime(run.started_at) ?? run.started_at),
    ),
    h('p', { class: 'source-run__figures' }, runFigures(run)),
  );
  if (run.errors.length > 0) {
    const list = h('ul', { class: 'source-run__errors', 'aria-label': `Erreurs du moissonnage (${formatNumber(run.errors_total)})` });
    for (const error of run.errors) {
      const url = safeHttpUrl(error.url);
      list.append(
        h(
          'li',
          { class: 'source-run__error' },
          url ? externalLink(url, error.url ?? url, 'source-run__url') : null,
          url ? ' : ' : null,
          h('span', { class: 'source-run__reason' }, error.reason),
        ),
      );
    }
    item.append(list);
    if (run.errors_total > run.errors.length) {
      item.append(h('p', { class: 'source-run__more' }, `… et ${plural(run.errors_total - run.errors.length, 'autre erreur', 'autres erreurs')}.`));
    }
  }
  return item;
}

const FIELD_LABELS: Record<string, string> = {
  themes: 'Thèmes',
  subthemes: 'Sous-thèmes',
  publics: 'Publics',
  actor_type: 'Type de porteur',
  scale: 'Échelle',
  stage: 'Stade',
  tags: 'Étiquettes',
};

/** « Valeurs sans correspondance »: what the source says that its value maps do not turn into a code. */
function unmappedSection(slug: string, values: UnmappedValue[]): HTMLElement {
  const titleId = `source-${slug}-unmapped`;
  return h(
    'section',
    { class: 'source-card__unmapped', 'aria-labelledby': titleId },
    h('h3', { class: 'source-card__subtitle', id: titleId }, 'Valeurs sans correspondance'),
    h(
      'p',
      { class: 'source-card__note' },
      'Ces valeurs de la source ne correspondent à aucun code de nos vocabulaires : elles restent dans la fiche moissonnée mais ne servent pas aux filtres.',
    ),
    h(
      'ul',
      { class: 'source-unmapped' },
      ...values.map((u) =>
        h(
          'li',
          null,
          `${FIELD_LABELS[u.field] ?? u.field} : « ${u.value} » (${plural(u.records, 'fiche', 'fiches')})`,
        ),
      ),
    ),
  );
}

/** « Derniers moissonnages »: a disclosure whose runs are fetched the first time it opens. */
function runsDisclosure(source: SourceSummary, signal: AbortSignal): HTMLElement | null {
  if (!source.last_run) return null;
  const body = h('div', { class: 'source-card__runs', 'aria-live': 'polite' });
  const details = h('details', { class: 'source-card__details' }, h('summary', null, 'Derniers moissonnages'), body);
  let loaded = false;
  const load = (): void => {
    loaded = true;
    body.replaceChildren(loadingIndicator('Chargement des moissonnages…'));
    getSource(source.slug, signal).then(
      (detail) => {
        body.replaceChildren(
          detail.runs.length ? h('ol', { class: 'source-runs' }, ...detail.runs.map(runItem)) : h('p', null, 'Aucun moissonnage.'),
        );
        if (detail.record_count_gone > 0) {
          body.append(
            h('p', { class: 'source-card__gone' }, `${plural(detail.record_count_gone, 'fiche a disparu', 'fiches ont disparu')} de la source.`),
          );
        }
        if (detail.unmapped && detail.unmapped.length > 0) body.append(unmappedSection(source.slug, detail.unmapped));
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        loaded = false;
        body.replaceChildren(errorMessage(err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE, load));
      },
    );
  };
  details.addEventListener('toggle', () => {
    if (details.open && !loaded) load();
  });
  return details;
}

function sourceCard(source: SourceSummary, signal: AbortSignal): HTMLElement {
  const homepage = safeHttpUrl(source.homepage);
  const fresh = freshness(source);
  const titleId = `source-${source.slug}`;
  const searchHref = stateUrl({ ...emptySearch(), filters: { ...emptySearch().filters, source: [source.slug] } });
  const initiatives =
    source.initiatives > 0
      ? h('a', { class: 'source-card__initiatives', href: searchHref }, plural(source.initiatives, 'initiative', 'initiatives'))
      : h('span', { class: 'source-card__initiatives' }, 'aucune initiative');
  return h(
    'li',
    { class: 'source-card', 'data-slug': source.slug, 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'source-card__head' },
      h('h2', { class: 'source-card__name', id: titleId }, homepage ? externalLink(homepage, source.name) : source.name),
      h('span', { class: `source-freshness source-freshness--${fresh.modifier}`, title: fresh.hint }, fresh.label),
    ),
    h(
      'dl',
      { class: 'facts facts--compact source-card__facts' },
      h('div', { class: 'facts__row' }, h('dt', null, 'Type'), h('dd', { class: 'source-card__kind' }, KIND_LABELS[source.kind] ?? source.kind)),
      h('div', { class: 'facts__row' }, h('dt', null, 'Licence'), h('dd', { class: 'source-card__licence' }, source.licence ?? 'non précisée')),
      h('div', { class: 'facts__row' }, h('dt', null, 'Initiatives'), h('dd', null, initiatives)),
      h('div', { class: 'facts__row' }, h('dt', null, 'Fiches suivies'), h('dd', { class: 'source-card__records' }, formatNumber(source.records))),
      h(
        'div',
        { class: 'facts__row' },
        h('dt', null, 'Dernier moissonnage réussi'),
        h('dd', null, relativeTime(source.last_success_at, 'source-card__last-success')),
      ),
      source.last_run
        ? h(
            'div',
            { class: 'facts__row' },
            h('dt', null, 'Dernier moissonnage'),
            h(
              'dd',
              { class: 'source-card__last-run' },
              `${STATUS_LABELS[source.last_run.status] ?? source.last_run.status}, `,
              relativeTime(source.last_run.started_at, 'source-card__last-run-time'),
              ` : ${runFigures(source.last_run)}`,
            ),
          )
        : null,
    ),
    runsDisclosure(source, signal),
  );
}

const FILE_LABELS: Record<string, string> = {
  csv: 'CSV compressé (gzip)',
  ndjson: 'NDJSON compressé (gzip)',
};

/** A size in French units: « 12,3 Mo ». */
function formatSize(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} o`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ko`;
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** « Télécharger tout le catalogue »: the nightly files, with their date, count and size. */
function catalogueBlock(): HTMLElement {
  const body = h('div', { class: 'catalogue-files__body' }, loadingIndicator('Recherche des fichiers du catalogue…'));
  const block = h(
    'section',
    { class: 'catalogue-files', id: 'catalogue-files', 'aria-labelledby': 'catalogue-files-title' },
    h('h2', { id: 'catalogue-files-title' }, 'Télécharger tout le catalogue'),
    body,
  );
  function render(manifest: CatalogueManifest | null): void {
    if (!manifest || !Array.isArray(manifest.files) || manifest.files.length === 0) {
      body.replaceChildren(
        h('p', { class: 'catalogue-files__none' }, 'Les fichiers du catalogue complet ne sont pas encore disponibles : ils sont produits chaque nuit. Revenez demain, ou exportez une recherche depuis la page de résultats.'),
      );
      return;
    }
    const when = formatDateTime(manifest.generated_at) ?? manifest.generated_at;
    body.replaceChildren(
      h(
        'p',
        { class: 'catalogue-files__summary' },
        'Toutes les initiatives publiées, ',
        h('strong', { class: 'catalogue-files__count' }, plural(manifest.records, 'initiative', 'initiatives')),
        ', au ',
        h('time', { class: 'catalogue-files__date', datetime: manifest.generated_at }, when),
        '. Fichiers mis à jour chaque nuit.',
      ),
      h(
        'ul',
        { class: 'catalogue-files__list' },
        ...manifest.files.map((file) =>
          h(
            'li',
            { class: 'catalogue-files__file' },
            h('a', { href: file.url || `/exports/${file.name}`, download: file.name, class: 'catalogue-files__link' }, FILE_LABELS[file.format] ?? file.name),
            ' ',
            h('span', { class: 'catalogue-files__size' }, formatSize(file.size)),
            h('span', { class: 'catalogue-files__sha' }, ` · SHA-256 ${file.sha256.slice(0, 12)}…`),
          ),
        ),
      ),
      h(
        'p',
        { class: 'catalogue-files__licence' },
        'Chaque fiche reste sous la licence de ses sources (colonnes « source_names » et « licences ») : citez-les en réutilisant les données. ',
        h('a', { href: '/exports/manifest.json' }, 'Description des fichiers (manifest.json)'),
        '.',
      ),
    );
  }
  getCatalogueManifest().then(render, () => render(null));
  return block;
}

/** The « Sources » page: the platforms the data comes from, their figures and freshness. */
export function sourcesView(root: HTMLElement): View {
  const controller = new AbortController();
  setTitle('Sources des données');
  const content = h('div', { class: 'sources__content' });
  root.append(
    h(
      'div',
      { class: 'container sources' },
      h('h1', null, 'Sources des données'),
      h(
        'p',
        { class: 'prose__lead' },
        'Les initiatives de SocialConnect sont collectées sur ces plateformes, puis harmonisées. Chaque source est relue régulièrement ; une source « En retard » n’a pas été relue avec succès depuis plus de deux périodes.',
      ),
      catalogueBlock(),
      content,
    ),
  );

  function render(items: SourceSummary[]): void {
    if (items.length === 0) {
      content.replaceChildren(emptyState('Aucune source pour le moment.', ['Les plateformes apparaîtront ici dès leur premier chargement.']));
      return;
    }
    content.replaceChildren(
      h('p', { class: 'sources__count', role: 'status' }, plural(items.length, 'source', 'sources')),
      h('ul', { class: 'source-list' }, ...items.map((source) => sourceCard(source, controller.signal))),
    );
  }

  function load(): void {
    content.replaceChildren(loadingIndicator('Chargement des sources…'));
    getSources(controller.signal).then(
      (list) => render(Array.isArray(list.items) ? list.items : []),
      (err: unknown) => {
        if (isAbort(err)) return;
        content.replaceChildren(errorMessage(err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE, load));
      },
    );
  }
  load();

  return {
    destroy(): void {
      controller.abort();
    },
  };
}
