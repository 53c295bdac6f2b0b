import type { Coded, Territory } from './types';

const numberFormat = new Intl.NumberFormat('fr-FR');
const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** "1 initiative", "12 initiatives", "plus de 10 000 initiatives". */
export function formatCount(total: number, exact: boolean): string {
  const noun = total > 1 ? 'initiatives' : 'initiative';
  return exact ? `${formatNumber(total)} ${noun}` : `plus de ${formatNumber(total)} ${noun}`;
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
