// « Tableau de bord » of a search (`/tableau-de-bord?<the search's parameters>`) and « L'innovation
// sociale en chiffres » (`/en-chiffres`), the national overview built from the same charts.
//
// Each chart asks GET /api/v1/stats on its own and shows its own loading and error states. Like the
// search's facets, a chart's counts leave its own filter out (the chart by theme shows every theme,
// the one chosen in orange), which the line under its title says. The charts and their library are
// imported when the page is drawn, so that the search page's bundle does not carry them.
import { ApiError, getSources, isAbort, UNAVAILABLE_MESSAGE } from '../api';
import { errorMessage, loadingIndicator } from '../components/status';
import { h, setTitle } from '../dom';
import { formatDateTime, formatNumber } from '../format';
import { loadLabels, type LabelIndex } from '../labels';
import { dashboardUrl, navigate, type Route } from '../router';
import { cloneState, emptyState, FILTER_KEYS, FILTER_LABELS, hasAnyFilter, stateUrl, type FilterKey, type SearchState } from '../searchState';
import { getStats, getStatsTable, type StatsDimension, type StatsItem } from '../statsApi';
import { territoryDetail } from '../territories';
import type { View } from './view';

type Charts = typeof import('../components/charts/charts');

let chartsModule: Promise<Charts> | null = null;
function loadCharts(): Promise<Charts> {
  if (!chartsModule) {
    chartsModule = import('../components/charts/charts').catch((err: unknown) => {
      chartsModule = null;
      throw err;
    });
  }
  return chartsModule;
}

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE;
}

const DIMENSION_TITLES: Record<StatsDimension, string> = {
  theme: 'Initiatives par thème',
  subtheme: 'Initiatives par sous-thème',
  actor_type: 'Initiatives par type de porteur',
  public: 'Initiatives par public',
  scale: 'Initiatives par échelle',
  stage: 'Initiatives par stade',
  source: 'Initiatives par source',
  start_year: 'Initiatives par année de démarrage',
  region: 'Initiatives par région',
  departement: 'Initiatives par département',
};

const DIMENSION_COLUMNS: Record<StatsDimension, string> = {
  theme: 'Thème',
  subtheme: 'Sous-thème',
  actor_type: 'Type de porteur',
  public: 'Public',
  scale: 'Échelle',
  stage: 'Stade',
  source: 'Source',
  start_year: 'Année',
  region: 'Région',
  departement: 'Département',
};

/** The state without the filter a dimension's counts leave out. */
function withoutOwnFilter(state: SearchState, dims: StatsDimension[]): SearchState {
  const next = cloneState(state);
  for (const dim of dims) {
    if ((FILTER_KEYS as readonly string[]).includes(dim)) next.filters[dim as FilterKey] = [];
    else if (dim === 'start_year') next.yearMin = next.yearMax = null;
    else next.territories = [];
  }
  return next;
}

/** Which values of a dimension the search has chosen. */
function chosen(state: SearchState, dim: StatsDimension): Set<string> {
  if ((FILTER_KEYS as readonly string[]).includes(dim)) return new Set(state.filters[dim as FilterKey]);
  if (dim === 'region' || dim === 'departement') {
    return new Set(state.territories.filter((ref) => ref.startsWith(dim + ':')).map((ref) => ref.slice(dim.length + 1)));
  }
  return new Set();
}

/** The search narrowed to one value of a dimension (that dimension's filter replaced). */
function narrowed(state: SearchState, dim: StatsDimension, code: string): SearchState {
  const next = cloneState(state);
  if ((FILTER_KEYS as readonly string[]).includes(dim)) {
    next.filters[dim as FilterKey] = [code];
    if (dim === 'theme') next.filters.subtheme = [];
  } else if (dim === 'start_year') {
    next.yearMin = next.yearMax = Number(code);
  } else {
    next.territories = [`${dim}:${code}`];
  }
  return next;
}

/** « Recherche « jardin » · Thème : Environnement · … », or the whole catalogue. */
async function describeFilters(state: SearchState, labels: LabelIndex | null): Promise<string> {
  const parts: string[] = [];
  if (state.q) parts.push(`recherche « ${state.q} »`);
  for (const key of FILTER_KEYS) {
    const codes = state.filters[key];
    if (codes.length > 0) parts.push(`${FILTER_LABELS[key].toLowerCase()} : ${codes.map((c) => labels?.label(key, c) ?? c).join(' ou ')}`);
  }
  if (state.territories.length > 0) {
    const names = await Promise.all(state.territories.map((ref) => territoryDetail(ref).then((t) => t.name, () => ref)));
    parts.push(`territoire : ${names.join(' ou ')}`);
  }
  if (state.yearMin !== null && state.yearMax !== null) {
    parts.push(state.yearMin === state.yearMax ? `démarrées en ${state.yearMin}` : `démarrées de ${state.yearMin} à ${state.yearMax}`);
  } else if (state.yearMin !== null) parts.push(`démarrées en ${state.yearMin} ou après`);
  else if (state.yearMax !== null) parts.push(`démarrées en ${state.yearMax} ou avant`);
  if (state.near) parts.push('autour d’un point');
  if (state.bbox) parts.push('dans la zone de la carte');
  if (parts.length === 0) return 'Toutes les initiatives publiées';
  const text = parts.join(' · ');
  return 'Filtres : ' + text;
}

interface Board {
  state: SearchState;
  labels: LabelIndex | null;
  signal: AbortSignal;
  /** Where a click on a value leads: the dashboard or the figures page of the narrowed search. */
  hrefOf(next: SearchState): string;
}

/** A slot for one chart, with its own loading and error states. */
function slot(board: Board, load: (charts: Charts) => Promise<HTMLElement>): HTMLElement {
  const box = h('div', { class: 'dashboard__slot' });
  const run = (): void => {
    box.replaceChildren(loadingIndicator('Chargement du graphique…'));
    loadCharts()
      .then((charts) => load(charts))
      .then(
        (frame) => box.replaceChildren(frame),
        (err: unknown) => {
          if (isAbort(err) || board.signal.aborted) return;
          box.replaceChildren(errorMessage(errorText(err), run));
        },
      );
  };
  run();
  return box;
}

/** The filter line of a chart that leaves the filters of dims out. */
async function filtersLine(board: Board, dims: StatsDimension[]): Promise<string> {
  const base = await describeFilters(withoutOwnFilter(board.state, dims), board.labels);
  const left = dims.filter((dim) => chosen(board.state, dim).size > 0 || (dim === 'start_year' && (board.state.yearMin !== null || board.state.yearMax !== null)));
  if (left.length === 0) return base;
  return `${base} (sans le filtre ${left.map((dim) => DIMENSION_COLUMNS[dim].toLowerCase()).join(' ni ')}, pour comparer ; en orange, la valeur retenue)`;
}

/** Bars of one dimension. `only` keeps some codes (the sub-themes of a theme); `limit` the first ones. */
async function barChart(
  charts: Charts,
  board: Board,
  dim: StatsDimension,
  options: { title?: string; only?: (code: string) => boolean; limit?: number; perCapita?: boolean; id?: string } = {},
): Promise<HTMLElement> {
  const answer = await getStats(withoutOwnFilter(board.state, [dim]), dim, board.signal);
  const picked = chosen(board.state, dim);
  let items = answer.items.filter((item) => !options.only || options.only(item.code));
  if (options.perCapita) {
    items = items.filter((item) => item.per_100k !== null && item.per_100k !== undefined).sort((a, b) => (b.per_100k ?? 0) - (a.per_100k ?? 0));
  }
  const all = items;
  if (options.limit && items.length > options.limit) items = items.slice(0, options.limit);
  const value = (item: StatsItem): number => (options.perCapita ? (item.per_100k ?? 0) : item.count);
  const hrefOf = (item: StatsItem): string => board.hrefOf(narrowed(board.state, dim, item.code));
  const title = options.title ?? DIMENSION_TITLES[dim];
  const territorial = dim === 'region' || dim === 'departement';
  const header = territorial ? [DIMENSION_COLUMNS[dim], "Nombre d'initiatives", 'Population', 'Pour 100 000 habitants'] : [DIMENSION_COLUMNS[dim], "Nombre d'initiatives"];
  const rows = all.map((item) => (territorial ? [item.label, item.count, item.population ?? null, item.per_100k ?? null] : [item.label, item.count]));
  const filters = await filtersLine(board, [dim]);
  const notes: string[] = [];
  if (items.length < all.length) notes.push(`Le graphique montre les ${items.length} premiers ; le tableau les donne tous (${all.length}).`);
  if (all.length === 0) notes.push('Aucune initiative à compter sous ces filtres.');
  if (['theme', 'subtheme', 'public', 'source'].includes(dim)) notes.push('Une initiative peut compter dans plusieurs valeurs.');
  return charts.chartFrame({
    id: options.id ?? `chart-${dim}`,
    title,
    filters,
    header,
    rows,
    decimals: territorial ? [3] : [],
    links: all.map(hrefOf),
    note: notes.join(' ') || undefined,
    onNavigate: navigate,
    draw: (width) =>
      charts.drawBars(
        items.map((item) => ({ code: item.code, label: item.label, value: value(item), selected: picked.has(item.code), href: hrefOf(item) })),
        width,
        navigate,
        options.perCapita,
      ),
  });
}

/** Themes, or the sub-themes of the one theme chosen (drill-down). */
async function themeChart(charts: Charts, board: Board): Promise<HTMLElement> {
  const themes = board.state.filters.theme;
  if (themes.length === 1 && board.labels) {
    const theme = themes[0];
    const name = board.labels.label('theme', theme) ?? theme;
    const frame = await barChart(charts, board, 'subtheme', {
      title: `Initiatives par sous-thème du thème « ${name} »`,
      only: (code) => board.labels?.parentOf(code) === theme,
    });
    const up = cloneState(board.state);
    up.filters.theme = [];
    up.filters.subtheme = [];
    frame.querySelector('.chart__filters')?.after(h('p', { class: 'chart__up' }, h('a', { href: board.hrefOf(up) }, '← Revenir à tous les thèmes')));
    return frame;
  }
  return barChart(charts, board, 'theme');
}

async function yearsChart(charts: Charts, board: Board): Promise<HTMLElement> {
  const answer = await getStats(withoutOwnFilter(board.state, ['start_year']), 'start_year', board.signal);
  const points = answer.items.map((item) => ({ year: Number(item.code), value: item.count, href: board.hrefOf(narrowed(board.state, 'start_year', item.code)) }));
  return charts.chartFrame({
    id: 'chart-start-year',
    title: DIMENSION_TITLES.start_year,
    filters: await filtersLine(board, ['start_year']),
    header: ['Année de démarrage', "Nombre d'initiatives"],
    rows: points.map((p) => [String(p.year), p.value]),
    links: points.map((p) => p.href),
    note: points.length === 0 ? 'Aucune année de démarrage connue sous ces filtres.' : undefined,
    onNavigate: navigate,
    draw: (width) => charts.drawYears(points, width, navigate),
  });
}

async function yearsByThemeChart(charts: Charts, board: Board): Promise<HTMLElement> {
  const table = await getStatsTable(withoutOwnFilter(board.state, ['theme', 'start_year']), 'theme', 'start_year', board.signal);
  const label = new Map(table.rows.map((row) => [row.code, row.label]));
  const order = table.rows.map((row) => row.label);
  const years = table.columns.map((c) => c.code).sort();
  const points = table.cells.map((cell) => ({ series: label.get(cell.row) ?? cell.row, year: Number(cell.column), value: cell.count }));
  const byKey = new Map(table.cells.map((cell) => [`${cell.row}|${cell.column}`, cell.count]));
  return charts.chartFrame({
    id: 'chart-years-by-theme',
    title: 'Années de démarrage, thème par thème',
    filters: await filtersLine(board, ['theme', 'start_year']),
    header: ['Thème', ...years],
    rows: table.rows.map((row) => [row.label, ...years.map((year) => byKey.get(`${row.code}|${year}`) ?? 0)]),
    links: table.rows.map((row) => board.hrefOf(narrowed(board.state, 'theme', row.code))),
    note: 'Chaque petit graphique a la même échelle : les hauteurs se comparent d’un thème à l’autre.',
    onNavigate: navigate,
    draw: (width) => charts.drawSmallMultiples(points, order, width),
  });
}

async function heatmapChart(charts: Charts, board: Board): Promise<HTMLElement> {
  const table = await getStatsTable(withoutOwnFilter(board.state, ['theme', 'region']), 'theme', 'region', board.signal);
  const rowLabel = new Map(table.rows.map((row) => [row.code, row.label]));
  const columns = table.columns.slice().sort((a, b) => a.label.localeCompare(b.label, 'fr'));
  const columnLabel = new Map(columns.map((c) => [c.code, c.label]));
  const byKey = new Map(table.cells.map((cell) => [`${cell.row}|${cell.column}`, cell.count]));
  const hrefOf = (row: string, column: string): string => {
    const next = narrowed(board.state, 'theme', row);
    next.territories = [`region:${column}`];
    return board.hrefOf(next);
  };
  const cells = table.rows.flatMap((row) =>
    columns.map((column) => ({
      row: row.label,
      column: column.label,
      value: byKey.get(`${row.code}|${column.code}`) ?? 0,
      href: hrefOf(row.code, column.code),
    })),
  );
  return charts.chartFrame({
    id: 'chart-theme-region',
    title: 'Initiatives par thème et par région',
    filters: await filtersLine(board, ['theme', 'region']),
    header: ['Thème', ...columns.map((c) => columnLabel.get(c.code) ?? c.code)],
    rows: table.rows.map((row) => [rowLabel.get(row.code) ?? row.code, ...columns.map((c) => byKey.get(`${row.code}|${c.code}`) ?? 0)]),
    links: table.rows.map((row) => board.hrefOf(narrowed(board.state, 'theme', row.code))),
    note: 'Plus la case est foncée, plus les initiatives sont nombreuses. Une case mène à la recherche de ce thème dans cette région.',
    onNavigate: navigate,
    draw: (width) =>
      charts.drawHeatmap(
        cells,
        table.rows.map((row) => row.label),
        columns.map((c) => c.label),
        width,
        navigate,
      ),
  });
}

/** Régions or départements, ranked, in numbers and per 100,000 inhabitants, with a switch. */
function territoryCharts(board: Board): HTMLElement {
  const box = h('div', { class: 'dashboard__pair' });
  const initial: 'region' | 'departement' = board.state.territories.some((ref) => ref.startsWith('region:') || ref.startsWith('departement:')) ? 'departement' : 'region';
  const buttons = (['region', 'departement'] as const).map((level) => {
    const button = h('button', { type: 'button', class: 'button button--secondary button--small', 'aria-pressed': String(level === initial) }, level === 'region' ? 'Régions' : 'Départements');
    button.addEventListener('click', () => {
      for (const other of buttons) other.setAttribute('aria-pressed', String(other === button));
      draw(level);
    });
    return button;
  });
  const draw = (level: 'region' | 'departement'): void => {
    const limit = level === 'departement' ? 25 : undefined;
    box.replaceChildren(
      slot(board, (charts) => barChart(charts, board, level, { limit, id: `chart-${level}` })),
      slot(board, (charts) =>
        barChart(charts, board, level, {
          limit,
          perCapita: true,
          id: `chart-${level}-per-100k`,
          title: level === 'region' ? 'Initiatives pour 100 000 habitants, par région' : 'Initiatives pour 100 000 habitants, par département',
        }),
      ),
    );
  };
  draw(initial);
  return h(
    'section',
    { class: 'dashboard__territories', 'aria-labelledby': 'territories-heading' },
    h('h2', { id: 'territories-heading', class: 'dashboard__section-title' }, 'Territoires'),
    h('div', { class: 'dashboard__switch', role: 'group', 'aria-label': 'Échelle des territoires' }, ...buttons),
    box,
  );
}

function board(state: SearchState, signal: AbortSignal, labels: LabelIndex | null, figures: boolean): Board {
  return { state, labels, signal, hrefOf: (next) => (figures && !hasAnyFilter(next) ? '/en-chiffres' : dashboardUrl(next)) };
}

/** The « Tableau de bord » of a search. */
export function dashboardView(root: HTMLElement, route: Extract<Route, { name: 'dashboard' }>): View {
  const controller = new AbortController();
  const state = route.state;
  setTitle('Tableau de bord');
  const total = h('p', { class: 'dashboard__total', id: 'dashboard-total', role: 'status' }, 'Comptage en cours…');
  const filters = h('p', { class: 'dashboard__filters' });
  const charts = h('div', { class: 'dashboard__charts' });
  root.append(
    h(
      'div',
      { class: 'container dashboard' },
      h('h1', null, 'Tableau de bord'),
      filters,
      total,
      h(
        'p',
        { class: 'dashboard__links' },
        h('a', { href: stateUrl(state), class: 'dashboard__back' }, '← Voir la liste des résultats'),
        ' · ',
        h('a', { href: '/en-chiffres' }, 'L’innovation sociale en chiffres'),
      ),
      h('p', { class: 'dashboard__help' }, 'Cliquez sur une barre ou une case pour affiner la recherche ; chaque graphique a son tableau de données et ses téléchargements.'),
      charts,
    ),
  );

  void loadLabels().then((labels) => {
    if (controller.signal.aborted) return;
    const b = board(state, controller.signal, labels, false);
    void describeFilters(state, labels).then((text) => (filters.textContent = text));
    getStats(state, 'theme', controller.signal).then(
      (answer) => {
        total.textContent = answer.total === 0 ? 'Aucune initiative ne correspond à cette recherche.' : `${formatNumber(answer.total)} ${answer.total > 1 ? 'initiatives' : 'initiative'}`;
      },
      (err: unknown) => {
        if (!isAbort(err)) total.textContent = errorText(err);
      },
    );
    charts.append(
      slot(b, (c) => themeChart(c, b)),
      h(
        'div',
        { class: 'dashboard__grid' },
        ...(['actor_type', 'public', 'scale', 'stage', 'source'] as const).map((dim) => slot(b, (c) => barChart(c, b, dim))),
      ),
      slot(b, (c) => yearsChart(c, b)),
      slot(b, (c) => yearsByThemeChart(c, b)),
      territoryCharts(b),
      slot(b, (c) => heatmapChart(c, b)),
    );
  });

  return {
    destroy(): void {
      controller.abort();
    },
  };
}

function fact(label: string, value: HTMLElement | string, id: string): HTMLElement {
  return h('div', { class: 'key-figure' }, h('dt', null, label), h('dd', { id }, value));
}

/** « L'innovation sociale en chiffres »: the national picture and what the catalogue covers. */
export function figuresView(root: HTMLElement): View {
  const controller = new AbortController();
  const state = emptyState();
  setTitle('L’innovation sociale en chiffres');
  const facts = h('dl', { class: 'key-figures' }, h('div', null, loadingIndicator('Chargement des chiffres…')));
  const charts = h('div', { class: 'dashboard__charts' });
  root.append(
    h(
      'div',
      { class: 'container dashboard' },
      h('h1', null, 'L’innovation sociale en chiffres'),
      h(
        'p',
        { class: 'prose__lead' },
        'Le panorama national des initiatives recensées par SocialConnect : leurs thèmes, leurs porteurs, leurs dates de démarrage et leur répartition sur le territoire.',
      ),
      h('h2', { class: 'dashboard__section-title' }, 'Ce que couvre le catalogue'),
      facts,
      h(
        'p',
        { class: 'dashboard__links' },
        h('a', { href: dashboardUrl(state) }, 'Explorer le tableau de bord complet'),
        ' · ',
        h('a', { href: '/sources' }, 'Les sources des données'),
      ),
      charts,
    ),
  );

  const loadFacts = (): void => {
    Promise.all([getStats(state, 'actor_type', controller.signal, true), getSources(controller.signal)]).then(
      ([answer, sources]) => {
        const items = sources.items ?? [];
        const harvested = items.map((s) => s.last_success_at).filter((d): d is string => !!d).sort();
        const last = harvested.length ? harvested[harvested.length - 1] : null;
        const located = answer.located ?? 0;
        const share = answer.total > 0 ? new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(located / answer.total) : '–';
        facts.replaceChildren(
          fact('Initiatives publiées', formatNumber(answer.total), 'figure-total'),
          fact('Sources', `${formatNumber(items.length)} plateformes, dont ${formatNumber(items.filter((s) => s.initiatives > 0).length)} avec des initiatives publiées`, 'figure-sources'),
          fact('Dernier moissonnage réussi', last ? (formatDateTime(last) ?? last) : 'aucun pour le moment', 'figure-harvest'),
          fact('Fiches localisées précisément (point sur la carte)', `${share} (${formatNumber(located)} sur ${formatNumber(answer.total)})`, 'figure-located'),
        );
      },
      (err: unknown) => {
        if (!isAbort(err)) facts.replaceChildren(h('div', null, errorMessage(errorText(err), loadFacts)));
      },
    );
  };
  loadFacts();

  void loadLabels().then((labels) => {
    if (controller.signal.aborted) return;
    const b = board(state, controller.signal, labels, true);
    charts.append(
      slot(b, (c) => barChart(c, b, 'theme')),
      h(
        'div',
        { class: 'dashboard__grid' },
        slot(b, (c) => barChart(c, b, 'actor_type')),
        slot(b, (c) => barChart(c, b, 'scale')),
      ),
      slot(b, (c) => yearsChart(c, b)),
      territoryCharts(b),
      slot(b, (c) => heatmapChart(c, b)),
    );
  });

  return {
    destroy(): void {
      controller.abort();
    },
  };
}
