import type { Request, Response } from 'express';
import { corsMiddleware, originAllowed } from './cors.middleware';

function run(origins: string[], method: string, headers: Record<string, string>) {
  const set: Record<string, string> = {};
  let status = 0;
  let nextCalled = false;
  const res = {
    setHeader: (name: string, value: string) => void (set[name.toLowerCase()] = value),
    append: (name: string, value: string) => void (set[name.toLowerCase()] = set[name.toLowerCase()] ? `${set[name.toLowerCase()]}, ${value}` : value),
    status: (code: number) => ((status = code), res),
    end: () => res,
  };
  corsMiddleware(origins)({ method, headers } as unknown as Request, res as unknown as Response, () => (nextCalled = true));
  return { headers: set, status, nextCalled };
}

test('any origin by default; preflights end with 204 and the asked headers', () => {
  const preflight = run(['*'], 'OPTIONS', { origin: 'http://a.test', 'access-control-request-headers': 'content-type' });
  expect(preflight).toMatchObject({ status: 204, nextCalled: false });
  expect(preflight.headers).toMatchObject({
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-allow-headers': 'content-type',
  });
  expect(run(['*'], 'GET', {})).toMatchObject({ nextCalled: true, headers: { 'access-control-allow-origin': '*' } });
  // a browser client may read the wait of a 429, the reason of a 401, and the id to quote to support
  expect(run(['*'], 'POST', {}).headers['access-control-expose-headers']).toBe('Retry-After, WWW-Authenticate, X-Correlation-Id');
});

test('a configured list echoes a listed origin only', () => {
  const origins = ['http://a.test', 'http://b.test'];
  expect(run(origins, 'GET', { origin: 'http://b.test' }).headers).toMatchObject({ 'access-control-allow-origin': 'http://b.test', vary: 'Origin' });
  expect(run(origins, 'GET', { origin: 'http://evil.test' }).headers).not.toHaveProperty('access-control-allow-origin');
});

test('socket upgrades: listed or absent origins pass', () => {
  expect(originAllowed(['http://a.test'], 'http://a.test')).toBe(true);
  expect(originAllowed(['http://a.test'], undefined)).toBe(true);
  expect(originAllowed(['http://a.test'], 'http://evil.test')).toBe(false);
  expect(originAllowed(['*'], 'http://evil.test')).toBe(true);
});
