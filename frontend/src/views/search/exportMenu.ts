// « Exporter » on the search results: the current search as a file — CSV, CSV for Excel
// (semicolons and a byte order mark), GeoJSON or NDJSON — downloaded from
// GET /api/v1/search/export. A disclosure (details/summary): keyboard and screen readers know it.

import { ApiError, downloadExport, isAbort, searchExportUrl, UNAVAILABLE_MESSAGE, type ExportFormat } from '../../api';
import { h } from '../../dom';
import { formatNumber } from '../../format';
import type { SearchContext } from './context';

const CHOICES: { format: ExportFormat; label: string; hint: string }[] = [
  { format: 'csv', label: 'CSV', hint: 'tableur, virgules' },
  { format: 'csv-excel', label: 'CSV pour Excel', hint: 'point-virgule, BOM' },
  { format: 'geojson', label: 'GeoJSON', hint: 'carte, SIG' },
  { format: 'ndjson', label: 'NDJSON', hint: 'un objet JSON par ligne' },
];

export interface ExportMenu {
  element: HTMLElement;
  /** Shown only when the search has results. */
  setAvailable(available: boolean): void;
}

export function exportMenu(ctx: SearchContext): ExportMenu {
  let controller: AbortController | null = null;
  const status = h('p', { class: 'export-menu__status', role: 'status', 'aria-live': 'polite' });
  const buttons = CHOICES.map((choice) => {
    const button = h(
      'button',
      { type: 'button', class: 'button button--small button--secondary export-menu__choice', 'data-format': choice.format },
      choice.label,
      h('span', { class: 'export-menu__hint' }, ` (${choice.hint})`),
    );
    button.addEventListener('click', () => void download(choice.format, choice.label));
    return button;
  });
  const summary = h('summary', { class: 'button button--small button--secondary export-menu__toggle' }, 'Exporter');
  const element = h(
    'details',
    { class: 'export-menu', id: 'export-menu' },
    summary,
    h(
      'div',
      { class: 'export-menu__panel' },
      h('p', { class: 'export-menu__intro', id: 'export-menu-intro' }, 'Télécharger les résultats de cette recherche (50 000 au plus) :'),
      h('div', { class: 'export-menu__choices', role: 'group', 'aria-labelledby': 'export-menu-intro' }, ...buttons),
      h('p', { class: 'export-menu__note' }, 'Chaque ligne cite ses sources et leur licence : mentionnez-les si vous réutilisez les données.'),
      status,
    ),
  );

  async function download(format: ExportFormat, label: string): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    for (const b of buttons) b.disabled = true;
    status.classList.remove('export-menu__status--error');
    status.textContent = `Préparation du fichier ${label}…`;
    try {
      const file = await downloadExport(searchExportUrl(ctx.state, format), signal);
      const url = URL.createObjectURL(file.blob);
      const link = h('a', { href: url, download: file.filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = file.truncated
        ? `Fichier ${file.filename} téléchargé : les ${formatNumber(file.rows)} premières initiatives seulement (limite d’un export). Le catalogue complet est sur la page Sources.`
        : `Fichier ${file.filename} téléchargé (${formatNumber(file.rows)} initiative${file.rows > 1 ? 's' : ''}).`;
    } catch (err) {
      if (isAbort(err)) return;
      status.classList.add('export-menu__status--error');
      status.textContent = `L’export n’a pas abouti : ${err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE}`;
    } finally {
      if (!signal.aborted) for (const b of buttons) b.disabled = false;
    }
  }

  return {
    element,
    setAvailable(available: boolean): void {
      element.hidden = !available;
      if (!available) {
        element.open = false;
        status.textContent = '';
      }
    },
  };
}
