// The charts of the « Tableau de bord » and of « L'innovation sociale en chiffres », drawn with
// Observable Plot (docs/architecture.md, "Charts in the front end", says why). This module and
// Plot are loaded only by the pages that draw charts (a dynamic import in views/dashboard.ts), so
// the search page does not carry them.
//
// Every chart is a frame: a title saying what is counted, a line saying under which filters, the
// drawing (an SVG with role="img" and a text label), a data table shown by a toggle, and downloads
// of the drawing (PNG, SVG) and of the figures (CSV). Bars and cells narrow the search when
// clicked; the table's first column holds the same links, for the keyboard and screen readers.
import * as Plot from '@observablehq/plot';
import { h } from '../../dom';
import { formatNumber } from '../../format';
import { downloadBlob, fileStem, svgDocument, svgToPng, toCsv } from './export';
import './charts.css';

/** Colours: the site's teal for values, Okabe-Ito vermillion for the value already chosen (with a
 * dark outline, so that it does not rest on colour alone); a one-hue ramp for the heat map. */
export const COLOR_BAR = '#0b5d5a';
export const COLOR_SELECTED = '#d55e00';
const COLOR_OUTLINE = '#1c2126';
const RAMP: [string, string] = ['#e3f0ef', '#073f3d'];

const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** A figure as people read it: « 12 345 », « 3,4 ». */
export function formatFigure(value: number, decimals = false): string {
  return decimals ? decimal.format(value) : formatNumber(value);
}

/** One value of a bar chart. */
export interface Bar {
  code: string;
  label: string;
  value: number;
  /** The value already chosen in the search (drawn in another colour, and said in the table). */
  selected?: boolean;
  /** Where a click on it goes: the search narrowed to it. */
  href?: string | null;
}

export type Cell = string | number | null;

export interface ChartSpec {
  /** Unique among the charts of the page: ids of the title and table. */
  id: string;
  /** What is counted: « Initiatives par thème ». */
  title: string;
  /** Under which filters: « Toutes les initiatives publiées » or the search's filters. */
  filters: string;
  /** The table and CSV: column names, then rows of raw values (numbers unformatted). */
  header: string[];
  rows: Cell[][];
  /** Per row, a link narrowing the search, put on its first cell. */
  links?: (string | null)[];
  /** Columns holding decimals (shown with one decimal). */
  decimals?: number[];
  /** Draws the chart at a width (CSS pixels). */
  draw(width: number): SVGSVGElement | HTMLElement;
  /** Shown under the chart. */
  note?: string;
  /** Narrowing the search on a click (the router's navigate). */
  onNavigate(href: string): void;
}

/** The SVG of a Plot output (a figure when it has a legend). */
function svgOf(node: Element): SVGSVGElement | null {
  if (node instanceof SVGSVGElement) return node;
  return node.querySelector('svg');
}

function tableOf(spec: ChartSpec, tableId: string): HTMLElement {
  const decimals = new Set(spec.decimals ?? []);
  const body = spec.rows.map((row, r) =>
    h(
      'tr',
      null,
      ...row.map((value, c) => {
        const text = value === null ? '–' : typeof value === 'number' ? formatFigure(value, decimals.has(c)) : value;
        const href = c === 0 ? spec.links?.[r] : null;
        const content = href ? h('a', { href }, text) : text;
        return c === 0 ? h('th', { scope: 'row' }, content) : h('td', { class: typeof value === 'number' ? 'num' : null }, content);
      }),
    ),
  );
  return h(
    'div',
    { class: 'chart__table', id: tableId, hidden: true },
    h(
      'table',
      { class: 'data-table' },
      h('caption', null, `${spec.title} — ${spec.filters}`),
      h('thead', null, h('tr', null, ...spec.header.map((name, c) => h('th', { scope: 'col', class: c > 0 ? 'num' : null }, name)))),
      h('tbody', null, ...body),
    ),
  );
}

/** Marks each drawn element with the index of its datum, for clicks (Plot's render transform). */
function indexed(index: number[], scales: Plot.ScaleFunctions, values: Plot.ChannelValues, dimensions: Plot.Dimensions, context: Plot.Context, next?: Plot.RenderFunction): SVGElement | null {
  const g = next ? next(index, scales, values, dimensions, context) : null;
  g?.querySelectorAll('rect').forEach((node, i) => {
    if (i < index.length) node.setAttribute('data-i', String(index[i]));
  });
  return g;
}

/** Follows the href of the datum under a click. */
function clickable(node: Element, hrefs: (string | null | undefined)[], onNavigate: (href: string) => void): void {
  node.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-i]') : null;
    const href = target ? hrefs[Number(target.getAttribute('data-i'))] : null;
    if (href) {
      event.preventDefault();
      onNavigate(href);
    }
  });
  for (const el of node.querySelectorAll('[data-i]')) {
    if (hrefs[Number(el.getAttribute('data-i'))]) el.classList.add('chart__target');
  }
}

/** A chart frame: title, filters, tools, drawing, table. */
export function chartFrame(spec: ChartSpec): HTMLElement {
  const titleId = `${spec.id}-title`;
  const tableId = `${spec.id}-table`;
  // Focusable, so that a chart wider than a phone can be scrolled with the keyboard.
  const plot = h('div', { class: 'chart__plot', tabindex: '0', role: 'group', 'aria-label': `Graphique : ${spec.title}` });
  const table = tableOf(spec, tableId);
  const toggle = h('button', { type: 'button', class: 'button button--tertiary button--small', 'aria-expanded': 'false', 'aria-controls': tableId }, 'Afficher le tableau');
  const status = h('p', { class: 'chart__status', role: 'status' });
  const stem = fileStem(spec.title);
  let svg: SVGSVGElement | null = null;

  toggle.addEventListener('click', () => {
    const open = table.hidden;
    table.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Masquer le tableau' : 'Afficher le tableau';
  });
  const button = (text: string, label: string, action: () => void | Promise<void>): HTMLButtonElement => {
    const el = h('button', { type: 'button', class: 'button button--tertiary button--small', title: label }, text);
    el.addEventListener('click', () => {
      status.textContent = '';
      Promise.resolve(action()).catch(() => (status.textContent = 'Le téléchargement a échoué.'));
    });
    return el;
  };
  const downloads = h(
    'div',
    { class: 'chart__downloads', role: 'group', 'aria-label': `Télécharger « ${spec.title} »` },
    h('span', { class: 'chart__downloads-label', 'aria-hidden': 'true' }, 'Télécharger :'),
    button('Image PNG', `Télécharger le graphique en PNG`, async () => {
      if (svg) downloadBlob(await svgToPng(svg, spec.title), `${stem}.png`);
    }),
    button('Image SVG', `Télécharger le graphique en SVG`, () => {
      if (svg) downloadBlob(new Blob([svgDocument(svg, spec.title)], { type: 'image/svg+xml' }), `${stem}.svg`);
    }),
    button('Données CSV', `Télécharger les données en CSV`, () => {
      downloadBlob(new Blob([toCsv(spec.header, spec.rows)], { type: 'text/csv;charset=utf-8' }), `${stem}.csv`);
    }),
  );
  const frame = h(
    'section',
    { class: 'chart', id: spec.id, 'aria-labelledby': titleId },
    h('h2', { class: 'chart__title', id: titleId }, spec.title),
    h('p', { class: 'chart__filters' }, spec.filters),
    plot,
    spec.note ? h('p', { class: 'chart__note' }, spec.note) : null,
    h('div', { class: 'chart__tools' }, toggle, downloads),
    status,
    table,
  );

  // Drawn once the frame is in the page, at the width it has there.
  requestAnimationFrame(() => {
    const width = Math.max(280, Math.min(plot.clientWidth || 640, 960));
    const drawn = spec.draw(width);
    svg = svgOf(drawn);
    if (svg) {
      // The drawing is one image with one label (the table gives its values): Plot's labels on its
      // groups are not allowed without a role, and would not be read inside an image anyway.
      for (const el of svg.querySelectorAll('[aria-label], [aria-description]')) {
        el.removeAttribute('aria-label');
        el.removeAttribute('aria-description');
      }
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', `${spec.title}, ${spec.filters}. Les valeurs sont dans le tableau (bouton « Afficher le tableau »).`);
    }
    plot.replaceChildren(drawn);
  });
  return frame;
}

/** Labels cut for the axis (the table has them whole). */
function shortLabel(label: string, max: number): string {
  return label.length > max ? label.slice(0, max - 1) + '…' : label;
}

/** Horizontal bars in the given order, their value written at their end. */
export function drawBars(bars: Bar[], width: number, onNavigate: (href: string) => void, decimals = false): SVGSVGElement | HTMLElement {
  const maxLabel = width < 480 ? 18 : 32;
  const labels = bars.map((bar) => shortLabel(bar.label, maxLabel));
  const longest = Math.max(...labels.map((label) => label.length), 4);
  const marginLeft = Math.min(Math.round(longest * 7.6) + 14, Math.round(width * 0.45));
  const domain = labels.map((label, i) => `${label}\u200b${i}`);
  const node = Plot.plot({
    width,
    height: 28 + bars.length * 26,
    marginLeft,
    marginRight: 56,
    style: { fontSize: '13px', fontFamily: 'inherit', color: '#1c2126' },
    x: { axis: null, insetRight: 8 },
    y: { domain, tickFormat: (key: string) => key.slice(0, key.indexOf('\u200b')), label: null, tickSize: 0 },
    marks: [
      Plot.barX(bars, {
        x: 'value',
        y: (_: Bar, i: number) => domain[i],
        fill: (bar: Bar) => (bar.selected ? COLOR_SELECTED : COLOR_BAR),
        stroke: (bar: Bar) => (bar.selected ? COLOR_OUTLINE : 'none'),
        strokeWidth: 2,
        render: indexed,
      }),
      Plot.text(bars, {
        x: 'value',
        y: (_: Bar, i: number) => domain[i],
        text: (bar: Bar) => formatFigure(bar.value, decimals),
        textAnchor: 'start',
        dx: 4,
        fill: '#1c2126',
      }),
      Plot.ruleX([0], { stroke: '#6b7783' }),
    ],
  });
  clickable(node, bars.map((bar) => bar.href), onNavigate);
  return node;
}

export interface YearPoint {
  year: number;
  value: number;
  href?: string | null;
}

/** Start years as columns, one per year. */
export function drawYears(points: YearPoint[], width: number, onNavigate: (href: string) => void): SVGSVGElement | HTMLElement {
  const node = Plot.plot({
    width,
    height: 260,
    marginLeft: 56,
    style: { fontSize: '13px', fontFamily: 'inherit', color: '#1c2126' },
    x: { label: 'Année de démarrage', tickFormat: (d: number) => String(d), nice: false },
    y: { label: "Nombre d'initiatives", grid: true, tickFormat: (d: number) => formatFigure(d) },
    marks: [
      Plot.rectY(points, { x1: 'year', x2: (p: YearPoint) => p.year + 1, y: 'value', fill: COLOR_BAR, inset: 0.5, render: indexed }),
      Plot.ruleY([0], { stroke: '#6b7783' }),
    ],
  });
  clickable(node, points.map((p) => p.href), onNavigate);
  return node;
}

export interface SeriesPoint {
  series: string;
  year: number;
  value: number;
}

/** Small multiples: one small area chart of start years per series (theme), same scales. */
export function drawSmallMultiples(points: SeriesPoint[], order: string[], width: number): SVGSVGElement | HTMLElement {
  return Plot.plot({
    width,
    height: 24 + order.length * 58,
    marginLeft: Math.min(230, Math.round(width * 0.4)),
    style: { fontSize: '12px', fontFamily: 'inherit', color: '#1c2126' },
    x: { label: 'Année de démarrage', tickFormat: (d: number) => String(d), nice: false },
    y: { axis: null },
    fy: { domain: order, label: null, tickFormat: (s: string) => shortLabel(s, width < 480 ? 16 : 30) },
    facet: { marginLeft: Math.min(230, Math.round(width * 0.4)) },
    marks: [
      Plot.frame({ stroke: '#cfd6dc', anchor: 'bottom' }),
      Plot.areaY(points, { x: 'year', y: 'value', fy: 'series', fill: COLOR_BAR, fillOpacity: 0.25, curve: 'step-after' }),
      Plot.lineY(points, { x: 'year', y: 'value', fy: 'series', stroke: COLOR_BAR, curve: 'step-after' }),
    ],
  });
}

export interface HeatCell {
  row: string;
  column: string;
  value: number;
  href?: string | null;
}

/** A heat map of rows × columns, each cell with its count written in it. */
export function drawHeatmap(cells: HeatCell[], rows: string[], columns: string[], width: number, onNavigate: (href: string) => void): SVGSVGElement | HTMLElement {
  const max = Math.max(1, ...cells.map((c) => c.value));
  const cellWidth = Math.max(34, Math.min(64, Math.floor((width - 200) / Math.max(1, columns.length))));
  const node = Plot.plot({
    width: Math.max(width, 200 + cellWidth * columns.length),
    height: 150 + rows.length * 28,
    marginLeft: 200,
    marginBottom: 130,
    padding: 0.04,
    style: { fontSize: '12px', fontFamily: 'inherit', color: '#1c2126' },
    x: { domain: columns, label: null, tickRotate: -50, tickFormat: (s: string) => shortLabel(s, 20) },
    y: { domain: rows, label: null, tickFormat: (s: string) => shortLabel(s, 28) },
    color: { type: 'linear', domain: [0, max], range: RAMP, interpolate: 'lab' },
    marks: [
      Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', render: indexed }),
      Plot.text(cells, {
        x: 'column',
        y: 'row',
        text: (c: HeatCell) => (c.value > 0 ? formatFigure(c.value) : ''),
        fill: (c: HeatCell) => (c.value > max * 0.45 ? '#ffffff' : '#1c2126'),
        pointerEvents: 'none',
      }),
    ],
  });
  clickable(node, cells.map((c) => c.href), onNavigate);
  return node;
}
