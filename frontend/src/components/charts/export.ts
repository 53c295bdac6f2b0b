// Downloads of a chart: its drawing as SVG or PNG, its figures as CSV.

/** Starts the download of a blob under a file name (the router leaves `download` links alone). */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A file name from a title: « Initiatives par thème » → `initiatives-par-theme`. */
export function fileStem(title: string): string {
  const stem = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return stem || 'graphique';
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value).replace('.', ',') : value;
  return /[";\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV as French spreadsheets read it: `;` between fields, decimal commas, UTF-8 with a byte order
 * mark. Numbers are written without thousands separators.
 */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return '\ufeff' + [header, ...rows].map((row) => row.map(csvField).join(';')).join('\r\n') + '\r\n';
}

/** The SVG of a chart as a standalone document, with its title and a white background. */
export function svgDocument(svg: SVGSVGElement, title: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const box = svg.getBoundingClientRect();
  if (!copy.getAttribute('width')) copy.setAttribute('width', String(Math.round(box.width)));
  if (!copy.getAttribute('height')) copy.setAttribute('height', String(Math.round(box.height)));
  copy.style.background = '#ffffff';
  const titleEl = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  titleEl.textContent = title;
  copy.insertBefore(titleEl, copy.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
}

/** The chart drawn at twice its size on a white canvas, as a PNG. */
export function svgToPng(svg: SVGSVGElement, title: string): Promise<Blob> {
  const text = svgDocument(svg, title);
  const box = svg.getBoundingClientRect();
  const width = Number(svg.getAttribute('width')) || Math.round(box.width);
  const height = Number(svg.getAttribute('height')) || Math.round(box.height);
  const scale = 2;
  return new Promise((resolve, reject) => {
    const image = new Image();
    // A data: address: the site's Content-Security-Policy lets images come from data:, not blob:.
    const url = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = width * scale;
      canvas.height = height * scale;
      const context = canvas.getContext('2d');
      if (!context) {
        reject(new Error('canvas'));
        return;
      }
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.scale(scale, scale);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('png'))), 'image/png');
    };
    image.onerror = () => {
      reject(new Error('svg'));
    };
    image.src = url;
  });
}
