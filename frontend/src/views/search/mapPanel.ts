// The map side of the search page: the results map (components/resultsMap.ts) in its section, what
// it changes in the search (an area, a territory, a marker's result), and on phones the switch
// between the list and the map.

import { ResultsMap } from '../../components/resultsMap';
import { h } from '../../dom';
import { MAX_TERRITORIES } from '../../searchState';
import type { SearchContext } from './context';

export interface MapPanelOptions {
  /** A marker clicked: its result in the list. */
  onSelect: (id: number) => void;
  /** The map shown instead of the list, or the other way round (phones). */
  onView: (showingMap: boolean) => void;
}

export interface MapPanel {
  map: ResultsMap;
  /** The map's section, beside the list. */
  element: HTMLElement;
  /** « Liste » and « Carte », on phones. */
  viewSwitch: HTMLElement;
  /** Shows the list (phones). */
  showList(): void;
  /** Shows the map and puts the focus on its mode (« Aller à la carte »). */
  showMap(): void;
}

export function mapPanel(ctx: SearchContext, options: MapPanelOptions): MapPanel {
  const map = new ResultsMap({
    onSearchArea: (bbox) => ctx.change((next) => (next.bbox = bbox)),
    onSelect: (id) => options.onSelect(id),
    onTerritory: (ref) => {
      if (ctx.state.territories.includes(ref)) return;
      ctx.change((next) => {
        next.territories = [...next.territories.slice(0, MAX_TERRITORIES - 1), ref];
      });
    },
  });

  // Phones: the list or the map, one at a time.
  let showingMap = false;
  const listTab = h('button', { type: 'button', class: 'view-switch__button', 'aria-pressed': 'true', id: 'view-list' }, 'Liste');
  const mapTab = h('button', { type: 'button', class: 'view-switch__button', 'aria-pressed': 'false', id: 'view-map' }, 'Carte');
  const viewSwitch = h('div', { class: 'view-switch', role: 'group', 'aria-label': 'Affichage des résultats' }, listTab, mapTab);
  function setView(view: 'list' | 'map'): void {
    showingMap = view === 'map';
    listTab.setAttribute('aria-pressed', String(!showingMap));
    mapTab.setAttribute('aria-pressed', String(showingMap));
    options.onView(showingMap);
  }
  listTab.addEventListener('click', () => setView('list'));
  mapTab.addEventListener('click', () => setView('map'));

  const element = h(
    'section',
    { class: 'search-layout__map', 'aria-labelledby': 'map-heading' },
    h('h2', { id: 'map-heading', class: 'visually-hidden' }, 'Carte des résultats'),
    map.element,
  );

  return {
    map,
    element,
    viewSwitch,
    showList(): void {
      if (showingMap) setView('list');
    },
    showMap(): void {
      setView('map');
      map.element.querySelector<HTMLInputElement>('input[name="map-mode"]:checked')?.focus();
    },
  };
}
