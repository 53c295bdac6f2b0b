// What surrounds the results map's canvas: the mode choice (points, régions, départements, per
// inhabitant), the toolbar of zones, "Rechercher dans cette zone", the status line, the legends and
// the note on results without a location. Also the one request in flight for the map's layer, which
// the status line and aria-busy report.

import { h } from '../../dom';
import { METROPOLE, ZONES, type Zone } from '../../map';
import { themeLegend } from './markers';

export type MapMode = 'points' | 'region' | 'departement';

const MODES: { value: MapMode; label: string }[] = [
  { value: 'points', label: 'Points' },
  { value: 'region', label: 'Régions' },
  { value: 'departement', label: 'Départements' },
];

export interface ControlsOptions {
  mode: MapMode;
  /** The canvas Leaflet draws in. */
  canvas: HTMLElement;
  onMode: (mode: MapMode) => void;
  onPerCapita: (on: boolean) => void;
  onSearchArea: () => void;
}

export class MapControls {
  readonly element: HTMLElement;
  readonly areaButton: HTMLButtonElement;
  /** The legend of the counts by territory (choropleth.ts fills it). */
  readonly legend: HTMLElement;
  private readonly toolbar: HTMLElement;
  private readonly note: HTMLElement;
  private readonly status: HTMLElement;
  private readonly themeKey: HTMLElement;
  private readonly perCapitaLabel: HTMLElement;

  constructor(options: ControlsOptions) {
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
    this.areaButton.addEventListener('click', () => options.onSearchArea());
    const perCapitaBox = h('input', { type: 'checkbox', id: 'map-per-capita', class: 'map-modes__check' });
    perCapitaBox.addEventListener('change', () => options.onPerCapita(perCapitaBox.checked));
    this.perCapitaLabel = h('label', { class: 'map-modes__per-capita', for: 'map-per-capita', hidden: true }, perCapitaBox, ' par habitant');
    const modes = h(
      'fieldset',
      { class: 'map-modes' },
      h('legend', { class: 'map-modes__legend' }, 'Carte :'),
      ...MODES.map((mode) => {
        const input = h('input', { type: 'radio', name: 'map-mode', value: mode.value, id: `map-mode-${mode.value}` });
        input.checked = mode.value === options.mode;
        input.addEventListener('change', () => {
          if (input.checked) options.onMode(mode.value);
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
      h('div', { class: 'results-map__frame' }, options.canvas, this.areaButton),
      this.status,
      this.legend,
      this.themeKey,
      this.note,
    );
  }

  /** The mode shown as chosen (when the keyboard path goes back to points). */
  checkMode(mode: MapMode): void {
    const radio = this.element.querySelector<HTMLInputElement>(`#map-mode-${mode}`);
    if (radio) radio.checked = true;
  }

  /** "par habitant" only means something for counts by territory. */
  showPerCapita(show: boolean): void {
    this.perCapitaLabel.hidden = !show;
  }

  setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('results-map__status--error', error);
  }

  /**
   * "France métropolitaine" is always there; an overseas zone only when it holds results (counts by
   * zone id); the chosen territories first when there are some (territories: their number).
   */
  renderToolbar(counts: Map<string, number>, territories: number, onTerritories: () => void, onZone: (zone: Zone) => void): void {
    const territory =
      territories > 0
        ? h(
            'button',
            { type: 'button', class: 'button button--small button--tertiary', 'data-zone': 'territoires' },
            territories > 1 ? 'Territoires choisis' : 'Territoire choisi',
          )
        : null;
    territory?.addEventListener('click', onTerritories);
    const buttons = ZONES.filter((zone) => zone === METROPOLE || (counts.get(zone.id) ?? 0) > 0).map((zone) => {
      const count = counts.get(zone.id) ?? 0;
      const button = h(
        'button',
        { type: 'button', class: 'button button--small button--tertiary', 'data-zone': zone.id },
        zone.name,
        zone !== METROPOLE ? h('span', { class: 'map-toolbar__count' }, ` (${count})`) : null,
      );
      button.addEventListener('click', () => onZone(zone));
      return button;
    });
    this.toolbar.replaceChildren(...(territory ? [territory] : []), ...buttons);
  }

  /** The results of the list that have no point. */
  renderNote(missing: number): void {
    this.note.textContent =
      missing === 0
        ? ''
        : missing === 1
          ? '1 initiative sans localisation ne figure pas sur la carte.'
          : `${missing} initiatives sans localisation ne figurent pas sur la carte.`;
    this.note.hidden = missing === 0;
  }

  /** The colours of the markers: one per main theme, listed under the map when visible. */
  renderThemeKey(labels: Parameters<typeof themeLegend>[0], visible: boolean): void {
    const key = themeLegend(labels);
    this.themeKey.replaceChildren(...(key ? [key] : []));
    this.themeKey.hidden = !key || !visible;
  }
}

/**
 * One request at a time for the map's layer (clusters or counts by territory): a new one aborts the
 * last; the map is busy while the current one runs.
 */
export class MapRequests {
  private controller: AbortController | null = null;

  constructor(
    private readonly element: HTMLElement,
    private readonly controls: MapControls,
  ) {}

  /** Aborts the request in flight and starts the next one. */
  start(): AbortController {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    return controller;
  }

  isCurrent(controller: AbortController): boolean {
    return controller === this.controller;
  }

  abort(): void {
    this.controller?.abort();
  }

  /** Nothing in flight, nothing said. */
  clear(): void {
    this.controller?.abort();
    this.controls.setStatus('');
    this.element.removeAttribute('aria-busy');
  }

  loading(): void {
    this.controls.setStatus('Chargement de la carte…');
    this.element.setAttribute('aria-busy', 'true');
  }

  /** The end of a request: the map is no longer busy, unless another one started meanwhile. */
  done(controller: AbortController): void {
    if (controller === this.controller) this.element.removeAttribute('aria-busy');
  }

  failed(text: string): void {
    this.controls.setStatus(text, true);
  }

  idle(): void {
    this.controls.setStatus('');
  }
}
