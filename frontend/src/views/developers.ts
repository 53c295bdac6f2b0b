import { errorMessage, loadingIndicator } from '../components/status';
import { h, setTitle } from '../dom';
import { getOpenapiDescription } from '../api';
import type { View } from './view';
import { WIDGET_PATH } from '../router';
import '../styles/developers.css';

// « Développeurs »: what the open API is and how to use it, then its reference rendered from the
// OpenAPI description (/api/v1/openapi.json). The renderer (views/apiReference.ts, Swagger UI) is a
// large file: it is fetched only here, after the page's own text is shown.

const DESCRIPTION_URL = '/api/v1/openapi.json';

function example(label: string, code: string): HTMLElement {
  return h('figure', { class: 'dev-example' }, h('figcaption', null, label), h('pre', { tabindex: '0' }, h('code', null, code)));
}

function intro(base: string): HTMLElement[] {
  const curlSearch = `curl '${base}/search?q=jardin%20partag%C3%A9&territory=region:84&limit=5'`;
  const curlTerritory = `curl '${base}/territories/commune:69123'`;
  const jsSearch = `const params = new URLSearchParams({ q: 'jardin partagé', territory: 'region:84', limit: '5' });
const res = await fetch('${base}/search?' + params);
if (!res.ok) {
  const { error } = await res.json();
  throw new Error(error.message);
}
const { total, items, next_cursor } = await res.json();
console.log(total, items.map((i) => i.title));`;
  const jsTerritory = `const res = await fetch('${base}/territories/commune:69123');
const territory = await res.json();
console.log(territory.name, territory.population, territory.bbox);`;
  const errorShape = `{
  "error": {
    "code": "invalid_parameter",
    "message": "limit doit être un entier entre 1 et 100",
    "field": "limit"
  }
}`;
  return [
    h('h1', null, 'Développeurs : l’API ouverte de SocialConnect'),
    h(
      'p',
      { class: 'prose__lead' },
      'Tout ce que montre SocialConnect est aussi accessible en JSON : les initiatives, la recherche (texte, filtres, territoires, distance), les territoires et le géocodage, la carte, les statistiques et les sources des données.',
    ),
    h(
      'p',
      null,
      'Elle s’adresse aux sites partenaires qui veulent montrer les initiatives de leur territoire ou de leur thème, aux collectivités, aux chercheurs et à quiconque réutilise ces données. Les lectures publiques ne demandent aucun compte.',
    ),
    h('h2', null, 'Adresse de base'),
    h('p', null, 'Toutes les adresses de l’API commencent par ', h('code', { class: 'dev-base-url' }, base), '. Les réponses sont en JSON (UTF-8) ; les coordonnées suivent l’ordre GeoJSON (longitude, latitude).'),
    h('h2', null, 'Exemples'),
    h('h3', null, 'Chercher des initiatives'),
    example('Avec curl', curlSearch),
    example('En JavaScript (fetch)', jsSearch),
    h('p', null, 'Les pages suivantes s’obtiennent en renvoyant ', h('code', null, 'next_cursor'), ' dans le paramètre ', h('code', null, 'cursor'), '.'),
    h('h3', null, 'Lire un territoire'),
    example('Avec curl', curlTerritory),
    example('En JavaScript (fetch)', jsTerritory),
    h('h2', null, 'Les erreurs'),
    h('p', null, 'Toute erreur a la même forme et le statut HTTP qui lui correspond. Le code est stable (en anglais), le message est en français et peut être montré tel quel ; ', h('code', null, 'field'), ' nomme le paramètre en cause.'),
    example('Corps d’une réponse 400', errorShape),
    h('h2', null, 'Quotas et clés d’API'),
    h(
      'p',
      null,
      'Les lectures publiques sont ouvertes à tous, dans la limite d’un quota par adresse IP. Pour un usage régulier (un site partenaire, un traitement nocturne), créez une clé d’API dans votre ',
      h('a', { href: '/mon-espace' }, 'espace personnel'),
      ' et envoyez-la dans l’en-tête ',
      h('code', null, 'Authorization: Bearer <clé>'),
      ' : elle donne un quota plus large. Gardez-la secrète (côté serveur, jamais dans une page publique).',
    ),
    h(
      'p',
      null,
      'Chaque réponse annonce le quota dans les en-têtes ',
      h('code', null, 'RateLimit-Policy'),
      ' (la règle) et ',
      h('code', null, 'RateLimit'),
      ' (ce qui reste et quand le compteur repart). Au-delà, l’API répond ',
      h('code', null, '429'),
      ' avec un en-tête ',
      h('code', null, 'Retry-After'),
      ' : le nombre de secondes à attendre avant de réessayer. Les valeurs exactes sont données dans la documentation de l’API (docs/api.md).',
    ),
    h('h2', null, 'Autres accès aux données'),
    h(
      'ul',
      null,
      h(
        'li',
        null,
        h('strong', null, 'Une carte sur votre site : '),
        h('a', { href: WIDGET_PATH }, 'composez le module à intégrer'),
        ' (filtres, taille, couleur), puis copiez le code ',
        h('code', null, '<iframe>'),
        ' ou le script qui ajuste sa hauteur.',
      ),
      h(
        'li',
        null,
        h('strong', null, 'Exports : '),
        'toute recherche se télécharge en CSV, GeoJSON ou NDJSON (bouton « Exporter » des résultats, ou ',
        h('code', null, 'GET /api/v1/search/export?format=csv&…'),
        ', 50 000 lignes au plus). Le catalogue entier est publié chaque nuit en ',
        h('code', null, 'NDJSON.gz'),
        ' et ',
        h('code', null, 'CSV.gz'),
        ', avec un manifeste (',
        h('a', { href: '/exports/manifest.json' }, 'manifest.json'),
        ') : voir la page ',
        h('a', { href: '/sources' }, 'Sources des données'),
        '.',
      ),
      h(
        'li',
        null,
        h('strong', null, 'SIG (QGIS, ArcGIS…) : '),
        'une collection OGC API – Features à l’adresse ',
        h('code', { class: 'dev-ogc-url' }, `${base}/ogc`),
        ' (dans QGIS : Couche › Ajouter une couche › Ajouter une couche WFS / OGC API – Features).',
      ),
      h(
        'li',
        null,
        h('strong', null, 'Rester à jour : '),
        'le flux ',
        h('code', null, 'GET /api/v1/changes?since=…'),
        ' donne dans l’ordre les fiches créées, modifiées et retirées depuis votre dernier passage, pour tenir une copie du catalogue.',
      ),
    ),
    h('h2', null, 'Licences et attribution'),
    h(
      'p',
      null,
      'Les fiches sont rassemblées depuis des plateformes sources ; chaque fiche indique où elle est présente (',
      h('code', null, 'sources'),
      '), et la licence de chaque source est donnée sur la page ',
      h('a', { href: '/sources' }, 'Sources des données'),
      ' (et par ',
      h('code', null, 'GET /api/v1/sources'),
      '). Toute réutilisation mentionne « SocialConnect » avec un lien vers la fiche, et les sources de chaque fiche selon leur licence.',
    ),
    h('p', null, 'Les contours et codes des territoires proviennent de l’IGN (Admin Express) et de l’INSEE (Code officiel géographique), sous Licence Ouverte / Etalab.'),
    h('h2', null, 'Description OpenAPI'),
    h(
      'ul',
      null,
      h('li', null, h('a', { href: DESCRIPTION_URL, class: 'dev-openapi-link' }, 'La description OpenAPI 3.1 (JSON)'), ' : pour générer un client ou l’importer dans votre outil.'),
      h('li', null, h('a', { href: '#reference' }, 'La référence complète'), ', ci-dessous : chaque adresse, ses paramètres et ses réponses.'),
      h('li', null, 'La documentation détaillée (docs/api.md) accompagne le code source du projet.'),
    ),
  ];
}

export function developersView(root: HTMLElement): View {
  setTitle('Développeurs');
  const base = `${window.location.origin}/api/v1`;
  const slot = h('div', { class: 'dev-reference__body' });
  const section = h(
    'section',
    { class: 'dev-reference', id: 'reference', 'aria-labelledby': 'reference-title' },
    h('h2', { id: 'reference-title', class: 'container' }, 'Référence de l’API'),
    slot,
  );
  root.append(h('div', { class: 'container prose dev-page' }, ...intro(base)), section);

  let live = true;
  const controller = new AbortController();
  function load(): void {
    slot.replaceChildren(h('div', { class: 'container' }, loadingIndicator('Chargement de la référence…')));
    Promise.all([getOpenapiDescription(controller.signal), import('./apiReference')]).then(
      ([description, reference]) => {
        if (!live) return;
        slot.replaceChildren();
        reference.renderReference(slot, description);
      },
      (err: unknown) => {
        if (!live || controller.signal.aborted) return;
        console.error(err);
        slot.replaceChildren(
          h('div', { class: 'container' }, errorMessage('La référence n’a pas pu être chargée. Vérifiez votre connexion, puis réessayez.', load)),
        );
      },
    );
  }
  load();

  return {
    destroy(): void {
      live = false;
      controller.abort();
    },
  };
}
