import L from 'leaflet';
import { h } from '../dom';
import { createBaseMap, hasPoint, itemMarker, METROPOLE, removeMap, zoneOf, ZONES, type Zone } from '../map';
import type { InitiativeItem } from '../types';

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

  constructor() {
    const canvas = h('div', { class: 'results-map__canvas', id: 'results-map' });
    this.toolbar = h('div', { class: 'map-toolbar', role: 'group', 'aria-label': 'Zone affichée sur la carte' });
    this.note = h('p', { class: 'results-map__note' });
    this.element = h('div', { class: 'results-map' }, this.toolbar, canvas, this.note);
    // Leaflet needs the container in the page to measure it: mount() finishes the set-up.
    this.map = createBaseMap(canvas, { label: 'Carte des initiatives trouvées' });
    this.markers.addTo(this.map);
    this.renderToolbar();
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
    removeMap(this.map);
  }

  /** Fits the metropolitan markers, else the first overseas zone with markers, else metropolitan France. */
  private frame(): void {
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
    this.toolbar.replaceChildren(...buttons);
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
