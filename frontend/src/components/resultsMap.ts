import L from 'leaflet';
import { h } from '../dom';
import { createBaseMap, hasPoint, itemMarker, METROPOLE, removeMap, zoneOf, ZONES, type Zone } from '../map';
import { territoryContour, territoryDetail } from '../territories';
import type { InitiativeItem, TerritoryDetail } from '../types';

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

  constructor() {
    const canvas = h('div', { class: 'results-map__canvas', id: 'results-map' });
    this.toolbar = h('div', { class: 'map-toolbar', role: 'group', 'aria-label': 'Zone affichée sur la carte' });
    this.note = h('p', { class: 'results-map__note' });
    this.element = h('div', { class: 'results-map' }, this.toolbar, canvas, this.note);
    // Leaflet needs the container in the page to measure it: mount() finishes the set-up.
    this.map = createBaseMap(canvas, { label: 'Carte des initiatives trouvées' });
    const pane = this.map.createPane('territories');
    pane.style.zIndex = '380';
    pane.style.pointerEvents = 'none';
    this.outlines.addTo(this.map);
    this.markers.addTo(this.map);
    this.renderToolbar();
    this.resize =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            if (!this.removed) this.map.invalidateSize({ pan: false });
          });
    this.resize?.observe(canvas);
  }

  /** Call once the element is in the document. */
  mount(): void {
    this.map.invalidateSize();
    this.map.fitBounds(METROPOLE.bounds, { animate: false });
  }

  /** Replaces the markers, and frames them. */
  setItems(items: InitiativeItem[]): void {
    this.items = [];
    this.markers.clearLayers();
    this.addItems(items);
    this.frame();
  }

  /** Adds the markers of another page of results, leaving the view where the visitor put it. */
  addItems(items: InitiativeItem[]): void {
    this.items.push(...items);
    for (const item of items) {
      if (hasPoint(item)) this.markers.addLayer(itemMarker(item));
    }
    this.renderToolbar();
    this.renderNote();
  }

  showZone(zone: Zone): void {
    this.map.fitBounds(zone.bounds);
  }

  destroy(): void {
    this.removed = true;
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
    if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      this.map.setView(bounds.getCenter(), POINT_ZOOM, { animate });
    } else {
      this.map.fitBounds(bounds, { padding: [32, 32], maxZoom: POINT_ZOOM, animate });
    }
  }

  /**
   * With chosen territories, fits their outlines (not before they are loaded); otherwise the
   * metropolitan markers, else the first overseas zone with markers, else metropolitan France.
   */
  private frame(): void {
    if (this.territoryPending) return;
    if (this.territoryBounds) {
      this.fitTerritories(false);
      return;
    }
    const counts = this.countByZone();
    const metro = this.boundsIn(METROPOLE);
    if (metro) {
      this.map.fitBounds(metro.pad(0.15), { maxZoom: 10, animate: false });
      return;
    }
    const overseas = ZONES.find((zone) => zone !== METROPOLE && (counts.get(zone.id) ?? 0) > 0);
    this.map.fitBounds(overseas ? overseas.bounds : METROPOLE.bounds, { animate: false });
  }

  private boundsIn(zone: Zone): L.LatLngBounds | null {
    let bounds: L.LatLngBounds | null = null;
    this.markers.eachLayer((layer) => {
      const latlng = (layer as L.CircleMarker).getLatLng();
      if (zoneOf(latlng) !== zone) return;
      bounds = bounds ? bounds.extend(latlng) : L.latLngBounds(latlng, latlng);
    });
    return bounds;
  }

  private countByZone(): Map<string, number> {
    const counts = new Map<string, number>();
    this.markers.eachLayer((layer) => {
      const zone = zoneOf((layer as L.CircleMarker).getLatLng());
      if (zone) counts.set(zone.id, (counts.get(zone.id) ?? 0) + 1);
    });
    return counts;
  }

  /** "France métropolitaine" is always there; an overseas zone only when it holds results. */
  private renderToolbar(): void {
    const counts = this.countByZone();
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
      button.addEventListener('click', () => this.showZone(zone));
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
