// Helpers shared by the fixture sites.

export const esc = (s) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** A deterministic day and month for entry e (so that dates look real without changing the year). */
export function dayMonth(e) {
  const h = e.project.key * 37 + e.n * 11;
  return { day: 1 + (h % 28), month: h % 12 };
}

/** The site's label for each of our theme codes, chosen among its synonyms by the entry's position. */
export function tagsOf(e, vocab) {
  const out = [];
  for (const code of e.themes) {
    const labels = Object.keys(vocab).filter((l) => vocab[l] === code);
    if (labels.length === 0) throw new Error(`${e.site}: no tag for theme ${code}`);
    out.push(labels[(e.n + e.project.key) % labels.length]);
  }
  return [...out, ...e.extraTags];
}

/** One expected record: what a correct harvest yields for entry e (see tests/harvest/expected/README.md). */
export function expectedRecord(e, { externalId, url, website = e.website, actorType }) {
  const r = {
    external_id: String(externalId),
    url,
    title: e.title,
    commune_code: e.commune ? e.commune.code : null,
    themes: [...new Set(e.themes)].sort(),
    start_year: e.year,
    website: website || null,
  };
  if (actorType !== undefined) r.actor_type = actorType;
  return r;
}

export const html = (body, { lang = 'fr', title = '', head = '<meta charset="utf-8">' } = {}) =>
  `<!DOCTYPE html>\n<html lang="${lang}">\n<head>\n${head}\n<title>${esc(title)}</title>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
