import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

// The reference of the API, drawn by Swagger UI from the OpenAPI description (docs/api.md,
// "Description OpenAPI", says why this renderer). Nothing is fetched from elsewhere: the description is
// handed over already loaded, the validator badge (which would call an outside service) is off, and
// « Try it out » sends only reads to this site's own API.

export function renderReference(node: HTMLElement, description: unknown): void {
  SwaggerUI({
    domNode: node,
    spec: description,
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
