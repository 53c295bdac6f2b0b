// The search results map, put together from its parts in components/map/: the controls around the
// canvas (controls.ts), the points mode (clusters.ts, markers.ts), the counts by territory
// (choropleth.ts), the search's own area (outlines.ts), where the map looks (framing.ts), and what a
// person does on it (interaction.ts). This file holds the state they share: the search, the mode,
// the results of the list.

import L from 'leaflet';
import { loadLabels, type LabelIndex } from '../labels';
import { h } from '../dom';
import { createBaseMap, hasPoint, METROPOLE, removeMap, type Zone } from '../map';
import { cloneState, type SearchState } from '../searchState';
import type { InitiativeItem, SearchExtent } from '../types';
import { ChoroplethLayer, type ChoroplethLevel } from './map/choropleth';
import { ClusterLayer } from './map/clusters';
import { MapControls, MapRequests, type MapMode } from './map/controls';
import { countByZone, fitTerritories, fitZone, frameSearch, type Fit } from './map/framing';
import { viewBbox } from './map/geometry';
import { highlightable, itemPoint, markerCard, openItemCard, watchVisitorMoves } from './map/interaction';
import { NearCircle, TerritoryOutlines } from './map/outlines';

export interface ResultsMapOptions {
  /** "Rechercher dans cette zone": the view as `minLon,minLat,maxLon,maxLat`. */
  onSearchArea?: (bbox: string) => void;
  /** A territory of the choropleth chosen (`region:84`, `departement:69`). */
  onTerritory?: (ref: string) => void;
  /** The marker of one initiative clicked: its card opened on the map. */
  onSelect?: (id: number) => void;
}

/**
 * The search results map: markers for the results (or counts by territory), a toolbar to jump
 * between metropolitan France and the overseas régions holding results, and a note for results
 * without a location.
 */
export class ResultsMap {
  readonly element: HTMLElement;
  private readonly map: L.Map;
  private readonly controls: MapControls;
  private readonly clusters: ClusterLayer;
  private readonly choropleth: ChoroplethLayer;
  private readonly outlines: TerritoryOutlines;
  private readonly near = new NearCircle();
  private items: InitiativeItem[] = [];
  private removed = false;
  /** The map follows the size of its column (the facet panel appearing changes it). */
  private readonly resize: ResizeObserver | null;
  private readonly requests: MapRequests;
  private readonly onSearchArea: ResultsMapOptions['onSearchArea'];
  private search: SearchState | null = null;
  private searchKey = '';
  private mode: MapMode = 'points';
  /** Only moves made by the visitor (pointer, wheel, keys on the map) offer "Rechercher dans cette zone". */
  private userMoving = false;
  private labels: LabelIndex | null = null;
  /** Where all the matches of the search lie (from the search's answer); null: unknown. */
  private extent: SearchExtent | null = null;
  /** Moves made by the page: framing again after a resize stays allowed. */
  private readonly fit: Fit = (move) => {
    this.userMoving = false;
    move();
  };

  constructor(options: ResultsMapOptions = {}) {
    this.onSearchArea = options.onSearchArea;
    const canvas = h('div', { class: 'results-map__canvas', id: 'results-map' });
    this.controls = new MapControls({
      mode: this.mode,
      canvas,
      onMode: (mode) => this.setMode(mode),
      onPerCapita: (on) => {
        this.choropleth.perCapita = on;
        this.choropleth.draw(this.level());
      },
      onSearchArea: () => this.searchArea(),
    });
    this.element = this.controls.element;
    // One request at a time, whichever layer asks.
    const requests = new MapRequests(this.element, this.controls);
    this.requests = requests;
    this.choropleth = new ChoroplethLayer(requests, this.controls.legend, options.onTerritory);
    // Leaflet needs the container in the page to measure it: mount() finishes the set-up.
    this.map = createBaseMap(canvas, { label: 'Carte des initiatives trouvées' });
    this.clusters = new ClusterLayer({
      map: this.map,
      requests,
      search: () => (this.mode === 'points' && !this.removed ? this.search : null),
      card: (marker, single) => markerCard(this.items, this.labels, marker, single),
      onSelect: options.onSelect,
    });
    this.outlines = new TerritoryOutlines(
      this.map,
      () => {
        this.renderToolbar();
        this.frame();
      },
      () => !this.removed,
    );
    const choroplethPane = this.map.createPane('choropleth');
    choroplethPane.style.zIndex = '360';
    const pane = this.map.createPane('territories');
    pane.style.zIndex = '380';
    pane.style.pointerEvents = 'none';
    const highlightPane = this.map.createPane('highlight');
    highlightPane.style.zIndex = '450';
    highlightPane.style.pointerEvents = 'none';
    this.choropleth.group.addTo(this.map);
    this.outlines.group.addTo(this.map);
    this.near.group.addTo(this.map);
    this.clusters.markers.addTo(this.map);
    this.clusters.ring.addTo(this.map);
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
    watchVisitorMoves(canvas, () => (this.userMoving = true));
    this.map.on('moveend', () => {
      // A map that cannot change its search (the embeddable widget) never offers it.
      if (this.userMoving && this.search && this.onSearchArea) this.controls.areaButton.hidden = false;
      this.clusters.schedule();
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
    this.near.draw(next.near);
    this.userMoving = false;
    this.controls.areaButton.hidden = true;
    if (this.mode === 'points') this.clusters.schedule(0);
    else this.loadChoropleth();
  }

  /** A failed search: the map shows nothing of it (no points, no territories, no message of its own). */
  clear(): void {
    this.clusters.cancel();
    this.search = null;
    this.searchKey = '';
    this.extent = null;
    this.items = [];
    this.clusters.clear();
    this.choropleth.reset();
    this.controls.areaButton.hidden = true;
    this.requests.clear();
    this.renderToolbar();
    this.controls.renderNote(0);
    this.renderThemeKey();
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
    this.controls.renderNote(this.items.filter((item) => !hasPoint(item)).length);
  }

  /**
   * Rings a result of the list on the map and marks the marker holding it: its own, or the cluster
   * it belongs to (null: none).
   */
  highlight(item: InitiativeItem | null): void {
    this.clusters.highlight(highlightable(item));
  }

  /**
   * Shows a result of the list on the map (keyboard path): centres it, opens its card and moves the
   * focus into the card; Escape or closing the card gives the focus back to origin.
   */
  showItem(item: InitiativeItem, origin: HTMLElement): void {
    if (!hasPoint(item)) return;
    if (this.mode !== 'points') {
      this.controls.checkMode('points');
      this.setMode('points');
    }
    this.fit(() => this.map.setView(itemPoint(item), Math.max(this.map.getZoom(), 11), { animate: false }));
    this.highlight(item);
    openItemCard(this.map, item, origin);
  }

  showZone(zone: Zone): void {
    this.map.fitBounds(zone.bounds);
  }

  /**
   * Outlines the chosen territories and frames them; an empty list removes the outlines and goes
   * back to framing the results. The same list again changes nothing.
   */
  setTerritories(refs: readonly string[]): void {
    this.outlines.set(refs);
  }

  /** Frames the chosen territories again (toolbar button). */
  showTerritories(): void {
    if (this.outlines.bounds) fitTerritories(this.map, this.fit, this.outlines.bounds, true);
  }

  destroy(): void {
    this.removed = true;
    this.clusters.cancel();
    this.requests.abort();
    this.resize?.disconnect();
    this.outlines.cancel();
    removeMap(this.map);
  }

  /** The level of the counts by territory shown; null in the points mode. */
  private level(): ChoroplethLevel | null {
    return this.mode === 'points' ? null : this.mode;
  }

  private searchArea(): void {
    const bbox = viewBbox(this.map.getBounds(), null);
    this.controls.areaButton.hidden = true;
    if (bbox) this.onSearchArea?.(bbox);
  }

  private setMode(mode: MapMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.controls.showPerCapita(mode !== 'points');
    this.renderThemeKey();
    if (mode === 'points') {
      this.requests.abort();
      this.choropleth.reset();
      this.clusters.markers.addTo(this.map);
      this.clusters.schedule(0);
    } else {
      this.clusters.markers.remove();
      this.loadChoropleth();
    }
  }

  private loadChoropleth(): void {
    const search = this.search;
    const level = this.level();
    if (!search || !level || this.removed) return;
    void this.choropleth.load(search, level, this.searchKey, (asked) => !this.removed && this.mode === asked);
  }

  private frame(): void {
    frameSearch(this.map, this.fit, {
      territoryPending: this.outlines.pending,
      territoryBounds: this.outlines.bounds,
      bbox: this.search?.bbox ?? null,
      nearBounds: this.near.bounds,
      extent: this.extent,
      points: this.points(),
    });
  }

  /** The points of the results shown in the list. */
  private points(): L.LatLng[] {
    return this.items.filter(hasPoint).map(itemPoint);
  }

  private renderToolbar(): void {
    // The server's counts of the whole search; the page's results only when it gave none.
    const counts = this.extent ? new Map(this.extent.zones.map((z) => [z.zone, z.count])) : countByZone(this.points());
    this.controls.renderToolbar(
      counts,
      this.outlines.bounds ? this.outlines.count : 0,
      () => this.showTerritories(),
      (zone) => fitZone(this.map, zone, this.extent),
    );
  }

  private renderThemeKey(): void {
    this.controls.renderThemeKey(this.labels, this.mode === 'points' && !!this.search);
  }
}
