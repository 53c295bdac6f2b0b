// The counts-by-territory modes of the results map: every région or département coloured by its
// number of matching initiatives (or per 100 000 inhabitants), in quantile classes, with its legend;
// a territory chosen with the pointer or the keyboard filters the search.

import L from 'leaflet';
import { getMapChoropleth, isAbort } from '../../api';
import { h } from '../../dom';
import type { SearchState } from '../../searchState';
import type { MapRequests } from './controls';

/** Five classes, light to dark (a sequential teal scale; the darker ones take white text in the legend). */
export const CHOROPLETH_COLORS = ['#e3f0ee', '#a9d3cd', '#5fa9a1', '#23766f', '#0b4744'] as const;

/** Territories without any match: a light grey of their own, apart from the classes. */
export const ZERO_COLOR = '#f3f4f6';

export type ChoroplethLevel = 'region' | 'departement';

export interface ChoroplethClass {
  min: number;
  max: number;
  color: string;
}

/**
 * Up to five classes by quantiles of the values (equal counts of territories), each with the
 * smallest and largest value it holds; fewer when there are fewer distinct values.
 */
export function choroplethClasses(values: number[]): ChoroplethClass[] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const n = CHOROPLETH_COLORS.length;
  const classes: ChoroplethClass[] = [];
  let start = 0;
  for (let i = 0; i < n && start < sorted.length; i++) {
    let end = Math.max(start, Math.ceil(((i + 1) * sorted.length) / n) - 1);
    // A value stays in one class.
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]) end++;
    classes.push({ min: sorted[start], max: sorted[end], color: '' });
    start = end + 1;
  }
  // The darkest colour for the largest values, whatever the number of classes.
  const offset = n - classes.length;
  classes.forEach((c, index) => (c.color = CHOROPLETH_COLORS[offset + index]));
  return classes;
}

/** The territories layer (in the `choropleth` pane) and its legend. */
export class ChoroplethLayer {
  readonly group = L.featureGroup();
  perCapita = false;
  private data: GeoJSON.FeatureCollection | null = null;
  private key = '';

  constructor(
    private readonly requests: MapRequests,
    /** Where the legend goes (controls.ts places it under the map). */
    readonly legend: HTMLElement,
    private readonly onTerritory: ((ref: string) => void) | undefined,
  ) {}

  /** No territories drawn, none kept. */
  reset(): void {
    this.group.clearLayers();
    this.data = null;
    this.key = '';
    this.legend.hidden = true;
  }

  /**
   * Asks the counts of `search` by `level` (searchKey: the search as text, not to ask twice) and draws
   * them while `still(level)` holds once the answer is in.
   */
  async load(search: SearchState, level: ChoroplethLevel, searchKey: string, still: (level: ChoroplethLevel) => boolean): Promise<void> {
    const key = level + searchKey;
    if (key === this.key && this.data) return;
    const controller = this.requests.start();
    this.requests.loading();
    try {
      const data = await getMapChoropleth(search, level, controller.signal);
      if (!this.requests.isCurrent(controller) || !still(level)) return;
      this.data = data;
      this.key = key;
      this.draw(level);
      this.requests.idle();
    } catch (err) {
      if (isAbort(err) || !this.requests.isCurrent(controller)) return;
      this.group.clearLayers();
      this.legend.hidden = true;
      this.requests.failed("Les territoires de la carte n'ont pas pu être chargés.");
    } finally {
      this.requests.done(controller);
    }
  }

  /** Draws the counts kept, by `level` (null: the points mode, nothing drawn). */
  draw(level: ChoroplethLevel | null): void {
    this.group.clearLayers();
    const data = this.data;
    if (!data || level === null) {
      this.legend.hidden = true;
      return;
    }
    const features = (Array.isArray(data.features) ? data.features : []).filter((f) => f && f.geometry);
    const perCapita = this.perCapita;
    const valueOf = (f: GeoJSON.Feature): number | null => {
      const v = perCapita ? f.properties?.per_100k : f.properties?.count;
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    };
    // 0 is a class of its own, drawn apart: the other classes split the territories that have some.
    const classes = choroplethClasses(features.map(valueOf).filter((v): v is number => v !== null && v > 0));
    const classOf = (value: number | null): ChoroplethClass | null =>
      value === null || value <= 0 ? null : (classes.find((c) => value <= c.max) ?? classes[classes.length - 1] ?? null);
    const unit = level === 'region' ? 'région' : 'département';
    const layer = L.geoJSON(features, {
      pane: 'choropleth',
      style: (feature) => {
        const value = feature ? valueOf(feature) : null;
        const cls = classOf(value);
        const zero = value === 0;
        return {
          className: zero ? 'sc-choropleth sc-choropleth--zero' : 'sc-choropleth',
          color: zero ? '#9aa5b1' : '#ffffff',
          weight: 1,
          dashArray: zero ? '3 3' : undefined,
          fillColor: cls ? cls.color : ZERO_COLOR,
          fillOpacity: zero ? 1 : 0.9,
        };
      },
      onEachFeature: (feature, path) => this.territoryPath(feature, path),
    });
    this.group.addLayer(layer);
    this.renderLegend(classes, unit, features.some((f) => valueOf(f) === 0));
  }

  /** A territory's tooltip, and its choice by click, Enter or Space. */
  private territoryPath(feature: GeoJSON.Feature, path: L.Layer): void {
    const props = feature.properties ?? {};
    const name = typeof props.name === 'string' ? props.name : '';
    const count = typeof props.count === 'number' ? props.count : 0;
    const per = typeof props.per_100k === 'number' ? props.per_100k : null;
    const text =
      `${name} : ${count === 0 ? 'aucune initiative' : count === 1 ? '1 initiative' : `${count.toLocaleString('fr-FR')} initiatives`}` +
      (per !== null ? ` (${per.toLocaleString('fr-FR')} pour 100 000 hab.)` : '');
    path.bindTooltip(text, { sticky: true });
    const choose = (): void => {
      if (typeof props.ref === 'string') this.onTerritory?.(props.ref);
    };
    path.on('add', () => {
      const element = (path as L.Path).getElement();
      if (!element) return;
      if (typeof props.code === 'string') element.setAttribute('data-code', props.code);
      if (typeof props.ref === 'string') element.setAttribute('data-ref', props.ref);
      // Named and usable from the keyboard: Enter or Space filters like a click.
      element.setAttribute('role', 'button');
      element.setAttribute('tabindex', '0');
      element.setAttribute('aria-label', `${text}. Filtrer la recherche sur ce territoire`);
      element.addEventListener('keydown', (event) => {
        const key = (event as KeyboardEvent).key;
        if (key !== 'Enter' && key !== ' ') return;
        event.preventDefault();
        choose();
      });
      element.addEventListener('focus', () => path.openTooltip());
      element.addEventListener('blur', () => path.closeTooltip());
    });
    path.on('click', choose);
  }

  private renderLegend(classes: ChoroplethClass[], unit: string, zero: boolean): void {
    const format = (n: number): string => n.toLocaleString('fr-FR', { maximumFractionDigits: 1 });
    const title = this.perCapita ? `Initiatives pour 100 000 habitants, par ${unit}` : `Nombre d'initiatives par ${unit}`;
    this.legend.replaceChildren(
      h('p', { class: 'map-legend__title' }, title),
      h(
        'ul',
        { class: 'map-legend__list' },
        zero
          ? h(
              'li',
              { class: 'map-legend__item map-legend__item--zero' },
              h('span', { class: 'map-legend__swatch map-legend__swatch--zero', 'aria-hidden': 'true' }),
              'aucune',
            )
          : null,
        ...classes.map((c) =>
          h(
            'li',
            { class: 'map-legend__item' },
            h('span', { class: 'map-legend__swatch', style: `background:${c.color}`, 'aria-hidden': 'true' }),
            c.min === c.max ? format(c.min) : `${format(c.min)} – ${format(c.max)}`,
          ),
        ),
      ),
      h(
        'p',
        { class: 'map-legend__hint' },
        `Cliquez sur un${unit === 'région' ? 'e' : ''} ${unit}, ou atteignez-la avec Tab et appuyez sur Entrée, pour filtrer la recherche.`,
      ),
    );
    this.legend.hidden = classes.length === 0 && !zero;
  }
}
