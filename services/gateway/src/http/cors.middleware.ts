import type { RequestHandler } from 'express';

const ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
/** Response headers a browser client may read beyond the safelisted ones (throttling, auth, support). */
const EXPOSE_HEADERS = 'Retry-After, WWW-Authenticate, X-Correlation-Id';

/** CORS for the browser client (a different origin); preflights are answered here, 204. */
export function corsMiddleware(origins: string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (anyOrigin) res.setHeader('Access-Control-Allow-Origin', '*');
    else {
      res.append('Vary', 'Origin');
      if (origin && allowed.has(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (req.method !== 'OPTIONS') return next();
    const requested = req.headers['access-control-request-headers'];
    res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
    res.setHeader('Access-Control-Allow-Headers', requested || 'Content-Type');
    if (requested) res.append('Vary', 'Access-Control-Request-Headers');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}

/**
 * Browsers do not apply CORS to WebSockets, so the upgrade checks the origin itself. Clients
 * that send no Origin (not a browser) are let through.
 */
export function originAllowed(origins: string[], origin: string | undefined): boolean {
  return origin === undefined || origins.includes('*') || origins.includes(origin);
}
