import L from 'leaflet';
import { getInitiative, getMapChoropleth, getMapClusters, isAbort } from '../api';
import { h } from '../dom';
import { formatPlace } from '../format';
import { loadLabels, type LabelIndex } from '../labels';
import { createBaseMap, hasPoint, itemCard, METROPOLE, popupCard, removeMap, zoneOf, ZONES, type Zone } from '../map';
import { cloneState, parseNear, type SearchState } from '../searchState';
import { territoryContour, territoryDetail } from '../territories';
import type { InitiativeItem, SearchExtent, TerritoryDetail } from '../types';
import { choroplethClasses, clusterBounds, clusterLayer, singleLayer, themeLegend, ZERO_COLOR, type ChoroplethClass, type SingleFeature } from './mapLayers';

export type MapMode = 'points' | 'region' | 'departement';

const MODES: { value: MapMode; label: string }[] = [
  { value: 'points', label: 'Points' },
  { value: 'region', label: 'Régions' },
  { value: 'departement', label: 'Départements' },
];

/** Wait after the map stops moving before asking for its clusters. */
const MOVE_DELAY_MS = 250;

export interface ResultsMapOptions {
  /** "Rechercher dans cette zone": the view as `minLon,minLat,maxLon,maxLat`. */
  onSearchArea?: (bbox: string) => void;
  /** A territory of the choropleth chosen (`region:84`, `departement:69`). */
  onTerritory?: (ref: string) => void;
  /** The marker of one initiative clicked: its card opened on the map. */
  onSelect?: (id: number) => void;
}

/** A layer drawn from the clusters answer: one initiative (its id) or a cluster (its members' bounds). */
interface Drawn {
  layer: L.CircleMarker | L.Marker;
  id: string | null;
  bounds: L.LatLngBounds | null;
}

/** About a metre: server and list coordinates may be rounded differently. */
const EPSILON = 0.00002;

/** The bounds of a circle of km around a point (in degrees, close enough for framing). */
function circleBounds(lat: number, lon: number, km: number): L.LatLngBounds {
  const dLat = km / 111.32;
  const dLon = km / (111.32 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  return L.latLngBounds([lat - dLat, lon - dLon], [lat + dLat, lon + dLon]);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): string {
  return String(Math.round(value * 10000) / 10000);
}

/** The view's bounds clamped to ±180/±90, cut to the search's own area; null when they do not meet. */
export function viewBbox(bounds: L.LatLngBounds, within: string | null): string | null {
  let minLon = clamp(bounds.getWest(), -180, 180);
  let minLat = clamp(bounds.getSouth(), -90, 90);
  let maxLon = clamp(bounds.getEast(), -180, 180);
  let maxLat = clamp(bounds.getNorth(), -90, 90);
  if (within) {
    const [a, b, c, d] = within.split(',').map(Number);
    minLon = Math.max(minLon, a);
    minLat = Math.max(minLat, b);
    maxLon = Math.min(maxLon, c);
    maxLat = Math.min(maxLat, d);
  }
  if (!(minLon < maxLon && minLat < maxLat)) return null;
  return [minLon, minLat, maxLon, maxLat].map(round).join(',');
}

/** Zoom on the point of a territory without contour (an arrondissement). */
const POINT_ZOOM = 12;

/**
 * The search results map: markers for the results, a toolbar to jump between metropolitan France and
 * the overseas régions holding results, and a note for results without a location.
 */
export class ResultsMap {
  readonly element: HTMLElement;
  private readonly map: L.Map;
  private readonly markers = L.featureGroup();
  private readonly toolbar: HTMLElement;
  private readonly note: HTMLElement;
  private items: InitiativeItem[] = [];
  /** Outlines of the chosen territories, over the régions and under the markers. */
  private readonly outlines = L.featureGroup();
  private territoryKey = '';
  private territoryBounds: L.LatLngBounds | null = null;
  private territoryPending = false;
  private territoryRun = 0;
  private removed = false;
  /** The map follows the size of its column (the facet panel appearing changes it). */
  private readonly resize: ResizeObserver | null;
  private readonly options: ResultsMapOptions;
  private search: SearchState | null = null;
  private searchKey = '';
  private mode: MapMode = 'points';
  private perCapita = false;
  /** Territories coloured by their number of initiatives (choropleth modes). */
  private readonly choropleth = L.featureGroup();
  private choroplethData: GeoJSON.FeatureCollection | null = null;
  private choroplethKey = '';
  private readonly status: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly areaButton: HTMLButtonElement;
  private readonly perCapitaBox: HTMLInputElement;
  private readonly perCapitaLabel: HTMLElement;
  private controller: AbortController | null = null;
  private moveTimer = 0;
  /** Only moves made by the visitor (pointer, wheel, keys on the map) offer "Rechercher dans cette zone". */
  private userMoving = false;
  /** The clusters and single initiatives drawn, to find the one holding a result. */
  private drawn: Drawn[] = [];
  /** The result hovered or focused in the list, ringed on the map. */
  private highlighted: InitiativeItem | null = null;
  private readonly highlightRing = L.featureGroup();
  /** The circle of a radius search (`near`). */
  private readonly nearLayer = L.featureGroup();
  private nearBounds: L.LatLngBounds | null = null;
  private labels: LabelIndex | null = null;
  /** Where all the matches of the search lie (from the search's answer); null: unknown. */
  private extent: SearchExtent | null = null;
  private readonly themeKey: HTMLElement;

  constructor(options: ResultsMapOptions = {}) {
    this.options = options;
    const canvas = h('div', { class: 'results-map__canvas', id: 'results-map' });
    this.toolbar = h('div', { class: 'map-toolbar', role: 'group', 'aria-label': 'Zone affichée sur la carte' });
    this.note = h('p', { class: 'results-map__note' });
    this.status = h('p', { class: 'results-map__status', id: 'map-status', role: 'status', 'aria-live': 'polite' });
    this.legend = h('div', { class: 'map-legend', id: 'map-legend', hidden: true });
    this.themeKey = h('div', { class: 'map-legend map-legend--themes', id: 'map-theme-legend', hidden: true });
    this.areaButton = h(
      'button',
      { type: 'button', class: 'button button--small button--secondary results-map__area', id: 'map-search-area', hidden: true },
      'Rechercher dans cette zone',
    );
    this.areaButton.addEventListener('click', () => this.searchArea());
    this.perCapitaBox = h('input', { type: 'checkbox', id: 'map-per-capita', class: 'map-modes__check' });
    this.perCapitaBox.addEventListener('change', () => {
      this.perCapita = this.perCapitaBox.checked;
      this.drawChoropleth();
    });
    this.perCapitaLabel = h(
      'label',
      { class: 'map-modes__per-capita', for: 'map-per-capita', hidden: true },
      this.perCapitaBox,
      ' par habitant',
    );
    const modes = h(
      'fieldset',
      { class: 'map-modes' },
      h('legend', { class: 'map-modes__legend' }, 'Carte :'),
      ...MODES.map((mode) => {
        const input = h('input', { type: 'radio', name: 'map-mode', value: mode.value, id: `map-mode-${mode.value}` });
        input.checked = mode.value === this.mode;
        input.addEventListener('change', () => {
          if (input.checked) this.setMode(mode.value);
        });
        return h('label', { class: 'map-modes__option', for: `map-mode-${mode.value}` }, input, ' ' + mode.label);
      }),
      this.perCapitaLabel,
    );
    this.element = h(
      'div',
      { class: 'results-map' },
      modes,
      this.toolbar,
      h('div', { class: 'results-map__frame' }, canvas, this.areaButton),
      this.status,
      this.legend,
      this.themeKey,
      this.note,
    );
    // Leaflet needs the container in the page to measure it: mount() finishes the set-up.
    this.map = createBaseMap(canvas, { label: 'Carte des initiatives trouvées' });
    const choroplethPane = this.map.createPane('choropleth');
    choroplethPane.style.zIndex = '360';
    const pane = this.map.createPane('territories');
    pane.style.zIndex = '380';
    pane.style.pointerEvents = 'none';
    const highlightPane = this.map.createPane('highlight');
    highlightPane.style.zIndex = '450';
    highlightPane.style.pointerEvents = 'none';
    this.choropleth.addTo(this.map);
    this.outlines.addTo(this.map);
    this.nearLayer.addTo(this.map);
    this.markers.addTo(this.map);
    this.highlightRing.addTo(this.map);
    void loadLabels().then((labels) => {
      this.labels = labels;
      this.renderThemeKey();
    });
    this.renderToolbar();
    this.map.on('zoomend moveend', () => {
      canvas.setAttribute('data-zoom', String(this.map.getZoom()));
      // What the map shows, for whoever checks it frames the search (west,south,east,north).
      const b = this.map.getBounds();
      canvas.setAttribute('data-bounds', [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(','));
    });
    for (const type of ['pointerdown', 'wheel', 'keydown', 'touchstart']) {
      canvas.addEventListener(type, () => (this.userMoving = true), { passive: true });
    }
    this.map.on('moveend', () => {
      if (this.userMoving && this.search) this.areaButton.hidden = false;
      this.scheduleClusters();
    });
    this.resize =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            if (this.removed) return;
            this.map.invalidateSize({ pan: false });
            // Framed for another size (the facet panel appeared): frame again, unless the visitor moved the map.
            if (!this.userMoving) this.frame();
          });
    this.resize?.observe(canvas);
  }

  /** Call once the element is in the document. */
  mount(): void {
    this.map.invalidateSize();
    this.fit(() => this.map.fitBounds(METROPOLE.bounds, { animate: false }));
  }

  /** The search whose initiatives the map shows (clusters or counts by territory). */
  setSearch(state: SearchState, extent: SearchExtent | null = null): void {
    const next = cloneState(state);
    next.sort = null;
    const key = JSON.stringify(next);
    this.extent = extent;
    this.renderToolbar();
    if (key === this.searchKey) return;
    this.searchKey = key;
    this.search = next;
    this.renderThemeKey();
    this.frame();
    this.drawNear(next.near);
    this.userMoving = false;
    this.areaButton.hidden = true;
    if (this.mode === 'points') this.scheduleClusters(0);
    else void this.loadChoropleth();
  }

  /** A failed search: the map shows nothing of it (no points, no territories, no message of its own). */
  clear(): void {
    window.clearTimeout(this.moveTimer);
    this.controller?.abort();
    this.search = null;
    this.searchKey = '';
    this.extent = null;
    this.items = [];
    this.markers.clearLayers();
    this.drawn = [];
    this.choropleth.clearLayers();
    this.choroplethData = null;
    this.choroplethKey = '';
    this.legend.hidden = true;
    this.areaButton.hidden = true;
    this.setStatus('');
    this.element.removeAttribute('aria-busy');
    this.renderToolbar();
    this.renderNote();
    this.renderThemeKey();
  }

  private fit(move: () => void): void {
    this.userMoving = false;
    move();
  }

  private searchArea(): void {
    const bbox = viewBbox(this.map.getBounds(), null);
    this.areaButton.hidden = true;
    if (bbox) this.options.onSearchArea?.(bbox);
  }

  private setMode(mode: MapMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.perCapitaLabel.hidden = mode === 'points';
    this.renderThemeKey();
    if (mode === 'points') {
      this.controller?.abort();
      this.choropleth.clearLayers();
      this.choroplethData = null;
      this.choroplethKey = '';
      this.legend.hidden = true;
      this.markers.addTo(this.map);
      this.scheduleClusters(0);
    } else {
      this.markers.remove();
      void this.loadChoropleth();
    }
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('results-map__status--error', error);
  }

  private scheduleClusters(delay = MOVE_DELAY_MS): void {
    window.clearTimeout(this.moveTimer);
    if (this.mode !== 'points' || this.removed || !this.search) return;
    this.moveTimer = window.setTimeout(() => void this.loadClusters(), delay);
  }

  private async loadClusters(): Promise<void> {
    const search = this.search;
    if (!search || this.mode !== 'points' || this.removed) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const bbox = viewBbox(this.map.getBounds(), search.bbox);
    if (!bbox) {
      this.markers.clearLayers();
      this.setStatus('');
      return;
    }
    const zoom = clamp(Math.round(this.map.getZoom()), 0, 20);
    this.setStatus('Chargement de la carte…');
    this.element.setAttribute('aria-busy', 'true');
    try {
      const data = await getMapClusters(search, bbox, zoom, controller.signal);
      if (controller !== this.controller || this.removed || this.mode !== 'points') return;
      this.markers.clearLayers();
      this.drawn = [];
      for (const feature of Array.isArray(data.features) ? data.features : []) {
        if (feature.properties?.cluster === true) {
          const layer = clusterLayer(feature, (bounds) => this.zoomTo(bounds));
          if (layer) this.drawn.push({ layer, id: null, bounds: clusterBounds(feature) });
        } else {
          const layer = singleLayer(feature, (marker, single) => this.markerCard(marker, single));
          if (!layer) continue;
          const id = String(feature.properties?.id);
          layer.on('click', () => {
            const n = Number(id);
            if (Number.isFinite(n)) this.options.onSelect?.(n);
          });
          this.drawn.push({ layer, id, bounds: null });
        }
      }
      for (const entry of this.drawn) this.markers.addLayer(entry.layer);
      this.applyHighlight();
      this.setStatus('');
    } catch (err) {
      if (isAbort(err) || controller !== this.controller) return;
      this.setStatus("Les points de la carte n'ont pas pu être chargés.", true);
    } finally {
      if (controller === this.controller) this.element.removeAttribute('aria-busy');
    }
  }

  /** Clicking a cluster: its members' bounds, or closer on its point when they share one. */
  private zoomTo(bounds: L.LatLngBounds): void {
    const current = this.map.getZoom();
    const fitted = bounds.getNorthEast().equals(bounds.getSouthWest())
      ? current + 2
      : this.map.getBoundsZoom(bounds, false, L.point(48, 48));
    this.map.setView(bounds.getCenter(), Math.min(Math.max(fitted, current + 1), this.map.getMaxZoom()));
  }

  private async loadChoropleth(): Promise<void> {
    const search = this.search;
    if (!search || this.mode === 'points' || this.removed) return;
    const level = this.mode;
    const key = level + this.searchKey;
    if (key === this.choroplethKey && this.choroplethData) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.setStatus('Chargement de la carte…');
    this.element.setAttribute('aria-busy', 'true');
    try {
      const data = await getMapChoropleth(search, level, controller.signal);
      if (controller !== this.controller || this.removed || this.mode !== level) return;
      this.choroplethData = data;
      this.choroplethKey = key;
      this.drawChoropleth();
      this.setStatus('');
    } catch (err) {
      if (isAbort(err) || controller !== this.controller) return;
      this.choropleth.clearLayers();
      this.legend.hidden = true;
      this.setStatus("Les territoires de la carte n'ont pas pu être chargés.", true);
    } finally {
      if (controller === this.controller) this.element.removeAttribute('aria-busy');
    }
  }

  private drawChoropleth(): void {
    this.choropleth.clearLayers();
    const data = this.choroplethData;
    if (!data || this.mode === 'points') {
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
    const unit = this.mode === 'region' ? 'région' : 'département';
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
      onEachFeature: (feature, path) => {
        const props = feature.properties ?? {};
        const name = typeof props.name === 'string' ? props.name : '';
        const count = typeof props.count === 'number' ? props.count : 0;
        const per = typeof props.per_100k === 'number' ? props.per_100k : null;
        const text =
          `${name} : ${count === 0 ? 'aucune initiative' : count === 1 ? '1 initiative' : `${count.toLocaleString('fr-FR')} initiatives`}` +
          (per !== null ? ` (${per.toLocaleString('fr-FR')} pour 100 000 hab.)` : '');
        path.bindTooltip(text, { sticky: true });
        const choose = (): void => {
          if (typeof props.ref === 'string') this.options.onTerritory?.(props.ref);
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
      },
    });
    this.choropleth.addLayer(layer);
    this.renderLegend(classes, unit, features.some((f) => valueOf(f) === 0));
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

  /** Replaces the markers, and frames them. */
  setItems(items: InitiativeItem[]): void {
    this.items = [];
    this.addItems(items);
    this.frame();
  }

  /** Adds the markers of another page of results, leaving the view where the visitor put it. */
  addItems(items: InitiativeItem[]): void {
    this.items.push(...items);
    this.renderToolbar();
    this.renderNote();
  }

  /** Draws the circle of a radius search (none for null). */
  private drawNear(near: string | null): void {
    this.nearLayer.clearLayers();
    const point = parseNear(near);
    this.nearBounds = null;
    if (!point) return;
    const centre = L.latLng(point.lat, point.lon);
    this.nearLayer.addLayer(
      L.circle(centre, {
        radius: point.km * 1000,
        pane: 'territories',
        interactive: false,
        className: 'sc-near',
        color: '#8a2c0d',
        weight: 2,
        dashArray: '6 4',
        fillColor: '#c2410c',
        fillOpacity: 0.05,
      }),
    );
    this.nearLayer.addLayer(
      L.circleMarker(centre, {
        pane: 'territories',
        interactive: false,
        className: 'sc-near-centre',
        radius: 5,
        color: '#ffffff',
        weight: 2,
        fillColor: '#8a2c0d',
        fillOpacity: 1,
      }),
    );
    this.nearBounds = circleBounds(point.lat, point.lon, point.km);
  }

  /**
   * Rings a result of the list on the map and marks the marker holding it: its own, or the cluster
   * it belongs to (null: none).
   */
  highlight(item: InitiativeItem | null): void {
    const next = item && hasPoint(item) ? item : null;
    if (next === this.highlighted) return;
    this.highlighted = next;
    this.applyHighlight();
  }

  private applyHighlight(): void {
    for (const entry of this.drawn) {
      const element = entry.layer.getElement();
      if (!element?.classList.contains('is-highlighted')) continue;
      element.classList.remove('is-highlighted');
      element.removeAttribute('data-highlighted');
      if (entry.layer instanceof L.CircleMarker) entry.layer.setStyle({ radius: 8, fillColor: element.getAttribute('data-color') ?? '#0b5d5a' });
      else entry.layer.setZIndexOffset(0);
    }
    this.highlightRing.clearLayers();
    const item = this.highlighted;
    if (!item) return;
    const point = L.latLng(item.location!.lat as number, item.location!.lon as number);
    this.highlightRing.addLayer(
      L.circleMarker(point, { pane: 'highlight', interactive: false, className: 'sc-highlight', radius: 16, color: '#c2410c', weight: 3, fill: false }),
    );
    const id = String(item.id);
    const entry =
      this.drawn.find((d) => d.id === id) ??
      this.drawn.find((d) => {
        if (!d.bounds) return false;
        const b = d.bounds;
        return (
          point.lat >= b.getSouth() - EPSILON && point.lat <= b.getNorth() + EPSILON && point.lng >= b.getWest() - EPSILON && point.lng <= b.getEast() + EPSILON
        );
      });
    if (!entry) return;
    const element = entry.layer.getElement();
    element?.classList.add('is-highlighted');
    element?.setAttribute('data-highlighted', 'true');
    if (entry.layer instanceof L.CircleMarker) {
      entry.layer.setStyle({ radius: 11, fillColor: '#c2410c' });
      entry.layer.bringToFront();
    } else {
      entry.layer.setZIndexOffset(1000);
    }
  }

  /** The card of a marker: from the list when the result is on this page, else completed from the API. */
  private markerCard(marker: L.CircleMarker, single: SingleFeature): HTMLElement {
    const item = this.items.find((i) => String(i.id) === single.id);
    if (item) return popupCard(itemCard(item));
    const themes = single.themes.map((code) => ({ code, label: this.labels?.label('theme', code) ?? code }));
    const card = popupCard({ id: single.id, title: single.title, themes, place: null });
    const n = Number(single.id);
    if (Number.isFinite(n)) {
      getInitiative(n).then(
        (full) => {
          const place = formatPlace(full.territory);
          const slot = card.querySelector<HTMLElement>('.map-popup__place');
          if (!place || !slot) return;
          slot.textContent = place;
          slot.hidden = false;
          if (marker.isPopupOpen()) marker.getPopup()?.update();
        },
        () => {
          // The card keeps its title, themes and link.
        },
      );
    }
    return card;
  }

  /**
   * Shows a result of the list on the map (keyboard path): centres it, opens its card and moves the
   * focus into the card; Escape or closing the card gives the focus back to origin.
   */
  showItem(item: InitiativeItem, origin: HTMLElement): void {
    if (!hasPoint(item)) return;
    const point = L.latLng(item.location!.lat as number, item.location!.lon as number);
    if (this.mode !== 'points') {
      const radio = this.element.querySelector<HTMLInputElement>('#map-mode-points');
      if (radio) radio.checked = true;
      this.setMode('points');
    }
    this.fit(() => this.map.setView(point, Math.max(this.map.getZoom(), 11), { animate: false }));
    this.highlight(item);
    const content = popupCard(itemCard(item));
    const popup = L.popup({ autoPanPadding: [24, 24], maxWidth: 280 }).setLatLng(point).setContent(content);
    const back = (): void => {
      if (content.contains(document.activeElement) || document.activeElement === document.body) origin.focus();
    };
    content.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      origin.focus();
      this.map.closePopup(popup);
    });
    popup.on('remove', back);
    popup.openOn(this.map);
    content.querySelector<HTMLAnchorElement>('a')?.focus({ preventScroll: false });
  }

  showZone(zone: Zone): void {
    this.map.fitBounds(zone.bounds);
  }

  /** A zone of the toolbar: its matches when the server located them, else the whole zone. */
  private showZoneOf(zone: Zone): void {
    const mine = this.extent?.zones.find((z) => z.zone === zone.id);
    if (!mine) {
      this.showZone(zone);
      return;
    }
    const [minLon, minLat, maxLon, maxLat] = mine.bbox;
    const bounds = L.latLngBounds([minLat, minLon], [maxLat, maxLon]);
    this.map.fitBounds(bounds.pad(0.1), { maxZoom: 11 });
  }

  /** The colours of the markers: one per main theme, listed under the map in points mode. */
  private renderThemeKey(): void {
    const key = themeLegend(this.labels);
    this.themeKey.replaceChildren(...(key ? [key] : []));
    this.themeKey.hidden = !key || this.mode !== 'points' || !this.search;
  }

  destroy(): void {
    this.removed = true;
    window.clearTimeout(this.moveTimer);
    this.controller?.abort();
    this.resize?.disconnect();
    this.territoryRun++;
    removeMap(this.map);
  }

  /**
   * Outlines the chosen territories and frames them; an empty list removes the outlines and goes
   * back to framing the results. The same list again changes nothing.
   */
  setTerritories(refs: readonly string[]): void {
    const key = refs.join(',');
    if (key === this.territoryKey) return;
    this.territoryKey = key;
    const run = ++this.territoryRun;
    this.outlines.clearLayers();
    this.territoryBounds = null;
    this.territoryPending = refs.length > 0;
    this.renderToolbar();
    if (refs.length === 0) this.frame();
    else void this.loadTerritories(refs, run);
  }

  /** Frames the chosen territories again (toolbar button). */
  showTerritories(): void {
    if (this.territoryBounds) this.fitTerritories(true);
  }

  private async loadTerritories(refs: readonly string[], run: number): Promise<void> {
    const details = await Promise.all(refs.map((ref) => territoryDetail(ref).catch(() => null)));
    if (run !== this.territoryRun || this.removed) return;
    // Contours simplified for the zoom they will be seen at.
    let target: L.LatLngBounds | null = null;
    for (const detail of details) {
      const bounds = detail ? approximateBounds(detail) : null;
      if (bounds) target = target ? target.extend(bounds) : bounds;
    }
    const zoom = target && target.isValid() ? Math.floor(this.map.getBoundsZoom(target)) : 8;
    const features = await Promise.all(
      details.map((detail) =>
        detail && detail.has_contour !== false ? territoryContour(detail.ref, zoom).catch(() => null) : Promise.resolve(null),
      ),
    );
    if (run !== this.territoryRun || this.removed) return;

    let bounds: L.LatLngBounds | null = null;
    details.forEach((detail, index) => {
      const feature = features[index];
      let layer: L.CircleMarker | L.GeoJSON | null = null;
      if (feature && feature.geometry) {
        layer = L.geoJSON(feature, {
          pane: 'territories',
          interactive: false,
          style: () => ({
            className: 'sc-territory',
            color: '#8a2c0d',
            weight: 3,
            fillColor: '#c2410c',
            fillOpacity: 0.06,
          }),
        });
      } else if (detail?.point) {
        // No contour of its own (an arrondissement): a ring around its point.
        layer = L.circleMarker([detail.point.lat, detail.point.lon], {
          pane: 'territories',
          interactive: false,
          className: 'sc-territory sc-territory--point',
          radius: 18,
          color: '#8a2c0d',
          weight: 3,
          fillColor: '#c2410c',
          fillOpacity: 0.06,
        });
      }
      if (!layer) return;
      this.outlines.addLayer(layer);
      const layerBounds = layer instanceof L.CircleMarker ? L.latLngBounds(layer.getLatLng(), layer.getLatLng()) : layer.getBounds();
      if (layerBounds.isValid()) bounds = bounds ? bounds.extend(layerBounds) : layerBounds;
    });
    this.territoryBounds = bounds;
    this.territoryPending = false;
    this.renderToolbar();
    this.frame();
  }

  private fitTerritories(animate: boolean): void {
    const bounds = this.territoryBounds;
    if (!bounds) return;
    this.fit(() => {
      if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
        this.map.setView(bounds.getCenter(), POINT_ZOOM, { animate });
      } else {
        this.map.fitBounds(bounds, { padding: [32, 32], maxZoom: POINT_ZOOM, animate });
      }
    });
  }

  /**
   * With chosen territories, fits their outlines (not before they are loaded); with a map area, that
   * area; otherwise the metropolitan results (all of metropolitan France when they are spread out), else the first overseas zone with markers, else metropolitan France.
   */
  private frame(): void {
    if (this.territoryPending) return;
    if (this.territoryBounds) {
      this.fitTerritories(false);
      return;
    }
    const area = this.search?.bbox;
    if (area) {
      const [minLon, minLat, maxLon, maxLat] = area.split(',').map(Number);
      this.fit(() => this.map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { animate: false }));
      return;
    }
    if (this.nearBounds) {
      const bounds = this.nearBounds;
      this.fit(() => this.map.fitBounds(bounds, { padding: [16, 16], animate: false }));
      return;
    }
    // The whole search: metropolitan France's matches when there are some, else the largest zone's.
    const zones = this.extent?.zones ?? [];
    if (zones.length > 0) {
      const zone = zones.find((z) => z.zone === 'metropole') ?? zones[0]!;
      const [minLon, minLat, maxLon, maxLat] = zone.bbox;
      const bounds = L.latLngBounds([minLat, minLon], [maxLat, maxLon]);
      if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
        this.fit(() => this.map.setView(bounds.getCenter(), 11, { animate: false }));
      } else {
        this.fit(() => this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 11, animate: false }));
      }
      return;
    }
    if (this.extent) {
      this.fit(() => this.map.fitBounds(METROPOLE.bounds, { animate: false }));
      return;
    }
    const counts = this.countByZone();
    const metro = this.boundsIn(METROPOLE);
    if (metro) {
      // Results spread over the country: the whole of it, where the clusters of the search lie.
      const wide = metro.getEast() - metro.getWest() > 5 || metro.getNorth() - metro.getSouth() > 4;
      this.fit(() => this.map.fitBounds(wide ? METROPOLE.bounds : metro.pad(0.15), { maxZoom: 10, animate: false }));
      return;
    }
    const overseas = ZONES.find((zone) => zone !== METROPOLE && (counts.get(zone.id) ?? 0) > 0);
    this.fit(() => this.map.fitBounds(overseas ? overseas.bounds : METROPOLE.bounds, { animate: false }));
  }

  /** The points of the results shown in the list. */
  private points(): L.LatLng[] {
    return this.items.filter(hasPoint).map((item) => L.latLng(item.location!.lat as number, item.location!.lon as number));
  }

  private boundsIn(zone: Zone): L.LatLngBounds | null {
    let bounds: L.LatLngBounds | null = null;
    for (const latlng of this.points()) {
      if (zoneOf(latlng) !== zone) continue;
      bounds = bounds ? bounds.extend(latlng) : L.latLngBounds(latlng, latlng);
    }
    return bounds;
  }

  private countByZone(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const latlng of this.points()) {
      const zone = zoneOf(latlng);
      if (zone) counts.set(zone.id, (counts.get(zone.id) ?? 0) + 1);
    }
    return counts;
  }

  /** "France métropolitaine" is always there; an overseas zone only when it holds results. */
  private renderToolbar(): void {
    // The server's counts of the whole search; the page's results only when it gave none.
    const counts = this.extent ? new Map(this.extent.zones.map((z) => [z.zone, z.count])) : this.countByZone();
    const territory = this.territoryBounds
      ? h(
          'button',
          { type: 'button', class: 'button button--small button--tertiary', 'data-zone': 'territoires' },
          this.territoryKey.includes(',') ? 'Territoires choisis' : 'Territoire choisi',
        )
      : null;
    territory?.addEventListener('click', () => this.showTerritories());
    const buttons = ZONES.filter((zone) => zone === METROPOLE || (counts.get(zone.id) ?? 0) > 0).map((zone) => {
      const count = counts.get(zone.id) ?? 0;
      const button = h(
        'button',
        { type: 'button', class: 'button button--small button--tertiary', 'data-zone': zone.id },
        zone.name,
        zone !== METROPOLE ? h('span', { class: 'map-toolbar__count' }, ` (${count})`) : null,
      );
      button.addEventListener('click', () => this.showZoneOf(zone));
      return button;
    });
    this.toolbar.replaceChildren(...(territory ? [territory] : []), ...buttons);
  }

  private renderNote(): void {
    const missing = this.items.filter((item) => !hasPoint(item)).length;
    this.note.textContent =
      missing === 0
        ? ''
        : missing === 1
          ? '1 initiative sans localisation ne figure pas sur la carte.'
          : `${missing} initiatives sans localisation ne figurent pas sur la carte.`;
    this.note.hidden = missing === 0;
  }
}

/** The bounding box of a territory, or its point; null when it has neither. */
function approximateBounds(detail: TerritoryDetail): L.LatLngBounds | null {
  const box = detail.bbox;
  if (Array.isArray(box) && box.length === 4 && box.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
  }
  const point = detail.point;
  if (point && Number.isFinite(point.lat) && Number.isFinite(point.lon)) {
    return L.latLngBounds([point.lat, point.lon], [point.lat, point.lon]);
  }
  return null;
}
