import type { Coded, Territory } from './types';

const numberFormat = new Intl.NumberFormat('fr-FR');
const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** "1 initiative", "12 initiatives", "environ 120 000 initiatives" (an estimate), "plus de 10 000 initiatives". */
export function formatCount(total: number, exact: boolean, estimate = false): string {
  const noun = total > 1 ? 'initiatives' : 'initiative';
  if (estimate) return `environ ${formatNumber(total)} ${noun}`;
  return exact ? `${formatNumber(total)} ${noun}` : `plus de ${formatNumber(total)} ${noun}`;
}

/** "800 m", "12,5 km", "120 km". */
export function formatDistance(metres: number): string {
  if (metres < 1000) return `${formatNumber(Math.round(metres / 10) * 10)} m`;
  const km = metres / 1000;
  return `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: km < 10 ? 1 : 0 }).format(km)} km`;
}

/** "1 mars 2024"; the raw text when it is not a date. */
export function formatDate(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** "Commune (Département)", or the most precise level known. */
export function formatPlace(territory: Territory | null | undefined): string | null {
  if (!territory) return null;
  const { commune, departement, region } = territory;
  if (commune && departement) return `${commune.name} (${departement.name})`;
  if (commune) return commune.name;
  if (departement) return departement.name;
  return region ? region.name : null;
}

export function joinLabels(items: Coded[]): string {
  return items.map((item) => item.label).join(', ');
}
