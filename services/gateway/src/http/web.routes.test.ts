import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Logger } from '@chatbot/runtime';
import { webRouter } from './web.routes';

/** The static pages on a real express server over a folder laid out as `vite build` writes it. */
const warnings: string[] = [];
const logger = { warn: (text: string) => warnings.push(text) } as unknown as Logger;
let dist: string;
let built: Server;
let unbuilt: Server;

const serve = (webDist: string | null) =>
  new Promise<Server>((resolve) => {
    const app = express().use(webRouter({ logger, webDist }));
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
const url = (server: Server, path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'web-dist-'));
  mkdirSync(join(dist, 'admin'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>chat</title>');
  writeFileSync(join(dist, 'admin', 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'chat-Ab12.js'), 'console.log(1)');
  [built, unbuilt] = await Promise.all([serve(dist), serve(null)]);
});
afterAll(async () => {
  await Promise.all([built, unbuilt].map((s) => new Promise((r) => s.close(r))));
  rmSync(dist, { recursive: true, force: true });
});

test('pages are revalidated on every load and carry a CSP that allows only this origin and its socket', async () => {
  for (const [path, title] of [['/', 'chat'], ['/admin', 'console'], ['/admin/', 'console']]) {
    const res = await fetch(url(built, path));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<title>${title}</title>`);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    const host = new URL(url(built, '/')).host;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("frame-ancestors 'none'");
  }
});

test('hashed assets are cached for good; a missing asset is 404, not the page', async () => {
  const res = await fetch(url(built, '/assets/chat-Ab12.js'));
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(res.headers.get('content-type')).toMatch(/javascript/);
  expect((await fetch(url(built, '/assets/gone-0000.js'))).status).toBe(404);
});

test('/docs is Swagger UI from this server: its page, its initializer and its two versioned assets', async () => {
  const page = await fetch(url(built, '/docs'));
  const html = await page.text();
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/); // every script is a file: no inline code
  const sources = [...html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((m) => m[1]);
  expect(sources).toEqual([expect.stringMatching(/swagger-ui\.css$/), expect.stringMatching(/swagger-ui-bundle\.js$/), '/docs/init.js']);
  for (const source of sources) expect((await fetch(url(built, source))).status).toBe(200);
  expect(await (await fetch(url(built, '/docs/init.js'))).text()).toContain("url: '/docs/openapi.json'");
  const asset = await fetch(url(built, sources[1]));
  expect(asset.headers.get('cache-control')).toContain('immutable');
  // The package's demo initializer (pointing at a public petstore) is not served.
  expect((await fetch(url(built, sources[1].replace('swagger-ui-bundle.js', 'swagger-initializer.js')))).status).toBe(404);
});

test('without a build the pages answer 503 saying what to run, and the gateway warns once', async () => {
  const res = await fetch(url(unbuilt, '/'));
  expect(res.status).toBe(503);
  expect(await res.text()).toContain('npm run build');
  expect(warnings).toHaveLength(1);
  expect((await fetch(url(unbuilt, '/docs'))).status).toBe(200);
});
