import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

// The reference of the API, drawn by Swagger UI from the OpenAPI description (docs/api.md,
// "Description OpenAPI", says why this renderer). Nothing is fetched from elsewhere: the description is
// handed over already loaded, the validator badge (which would call an outside service) is off, and
// « Try it out » sends only reads to this site's own API.

/**
 * The description without the CORS preflights (`options` marked `x-served-by: cors`): they are the
 * browser's business, not a partner's, and past about 135 operations Swagger UI 5.35 silently stops
 * drawing after the first few (the description itself, served at /api/v1/openapi.json, keeps them).
 */
function withoutPreflights(description: unknown): unknown {
  const d = description as { paths?: Record<string, Record<string, unknown>> };
  if (!d || typeof d !== 'object' || !d.paths) return description;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(d.paths)) {
    const options = item.options as { 'x-served-by'?: string } | undefined;
    if (options && options['x-served-by'] === 'cors') {
      const { options: _preflight, ...rest } = item;
      void _preflight;
      paths[path] = rest;
    } else {
      paths[path] = item;
    }
  }
  return { ...d, paths };
}

export function renderReference(node: HTMLElement, description: unknown): void {
  SwaggerUI({
    domNode: node,
    spec: withoutPreflights(description),
    validatorUrl: null,
    // The page's own address is the router's: Swagger UI must not write the hash.
    deepLinking: false,
    supportedSubmitMethods: ['get'],
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    displayRequestDuration: true,
    tryItOutEnabled: false,
  });
}
