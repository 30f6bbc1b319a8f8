import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '@chatbot/runtime';

/**
 * The pages a person opens, from this server only: the chat page at `/`, the agents' console at
 * `/admin` (both built by the web workspace into web/dist) and Swagger UI at `/docs` over
 * `/docs/openapi.json`, its assets from the swagger-ui-dist package. Hashed assets are cached for
 * good, pages are revalidated on every load, and a strict Content-Security-Policy allows scripts,
 * styles and connections from this origin only (no inline script anywhere).
 */
export interface WebPagesOptions {
  logger: Logger;
  /** web/dist; the built pages of the @chatbot/web workspace when omitted. */
  webDist?: string | null;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const swaggerVersion = (require('swagger-ui-dist/package.json') as { version: string }).version;
/** Versioned path: a new swagger-ui-dist is a new URL, so its files can be cached for good. */
const swaggerBase = `/docs/ui-${swaggerVersion}`;

export function webRouter({ logger, webDist = builtPages() }: WebPagesOptions): Router {
  const router = Router();
  if (!webDist) logger.warn('web pages not built: / and /admin answer 503 until `npm run build`');
  const page = (file: string): RequestHandler => (req, res) => {
    res.locals.route = 'web';
    if (!webDist) return void res.status(503).type('text/plain').send('The web pages are not built: run `npm run build`.\n');
    sendPage(req, res, join(webDist, file));
  };
  router.get('/', page('index.html'));
  router.get(['/admin', '/admin/'], page('admin/index.html'));
  if (webDist) router.use('/assets', labelled('web.assets'), express.static(join(webDist, 'assets'), assetOptions));
  router.get(['/docs', '/docs/'], (req, res) => {
    res.locals.route = 'docs';
    setPageHeaders(req, res);
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.locals.route = 'docs';
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript').send(DOCS_INIT);
  });
  const swaggerFiles = express.static(swaggerDir, assetOptions);
  router.get(`${swaggerBase}/:file`, labelled('docs.assets'), (req, res, next) => {
    // Only the two files the page loads: the package also holds a demo page pointing elsewhere.
    if (!['swagger-ui.css', 'swagger-ui-bundle.js'].includes(String(req.params.file))) return next();
    req.url = `/${String(req.params.file)}`;
    swaggerFiles(req, res, next);
  });
  return router;
}

/** web/dist of the @chatbot/web workspace, or null when it was not built. */
function builtPages(): string | null {
  try {
    const dir = join(dirname(require.resolve('@chatbot/web/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : null;
  } catch {
    return null;
  }
}

const assetOptions = {
  index: false,
  redirect: false,
  fallthrough: false,
  etag: false,
  setHeaders: (res: { setHeader(name: string, value: string): void }) => {
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('X-Content-Type-Options', 'nosniff');
  },
};

function labelled(route: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.route = route;
    next();
  };
}

function sendPage(req: Request, res: Response, file: string): void {
  setPageHeaders(req, res);
  res.sendFile(file, { etag: false, lastModified: false, cacheControl: false });
}

function setPageHeaders(req: Request, res: Response): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * Scripts, styles, fonts and connections from this origin only. The chat socket is named
 * explicitly (ws: and wss: of the page's own host), since older browsers do not count it as 'self'.
 * Swagger UI needs no exception: it sets styles through the DOM, which style-src does not govern.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const socket = host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // blob: the console shows an image attachment it fetched with the agent's token
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>API · chatbot-platform</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${swaggerBase}/swagger-ui.css" />
  </head>
  <body>
    <main id="swagger-ui" aria-label="API documentation"></main>
    <script src="${swaggerBase}/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

// No validator badge (it would call a public service) and no "try it out" against other servers.
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/docs/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
});
`;
