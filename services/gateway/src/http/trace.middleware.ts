import type { RequestHandler } from 'express';
import { extractTrace, openSpan, runIn, tracingOn } from '@chatbot/runtime';

/**
 * One server span per HTTP request, continuing the caller's W3C `traceparent` when it sends one;
 * the bus requests a route makes run inside it and carry it on. Named by the route once it is
 * known (`GET qna.faq`), so span names stay few. Nothing at all with tracing off.
 */
export const traceRequests: RequestHandler = (req, res, next) => {
  if (!tracingOn()) return next();
  const parent = extractTrace((name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  });
  const span = openSpan(req.method, {
    parent,
    role: 'server',
    attributes: { 'http.request.method': req.method, 'url.path': req.path },
  });
  res.once('finish', () => {
    const route = res.locals.route as string | undefined;
    if (route) span?.rename(`${req.method} ${route}`);
    span?.set({ 'http.route': route ?? '', 'http.response.status_code': res.statusCode });
    span?.end(res.statusCode >= 500 ? new Error(`status ${res.statusCode}`) : undefined);
  });
  runIn(span?.context, next);
};
