import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What docs/architecture.md promises about this library, checked on the sources: libs/bus is the
 * only NATS code of the services, it hands out no NATS object, and its own modules import one way.
 */
const ROOT = resolve(__dirname, '../../..');
const HERE = __dirname;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'generated') return [];
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function serviceSources(): string[] {
  const services = join(ROOT, 'services');
  return readdirSync(services).flatMap((service) =>
    ['src', 'test', 'scripts'].map((dir) => join(services, service, dir)).filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory()).flatMap(sourcesUnder),
  );
}

const relative = (path: string) => path.slice(ROOT.length + 1);

test('no service imports a NATS client package or reaches for the raw handles of the bus', () => {
  const offending = serviceSources().flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => ({ line, at: `${relative(file)}:${i + 1}` }))
      .filter(({ line }) => /from\s+['"]@nats-io\/|require\(['"]@nats-io\/|\bbus\.(nc|js|jsm)\b|['"]@chatbot\/bus\/|\bwireOf\b/.test(line))
      .map(({ at, line }) => `${at}: ${line.trim()}`),
  );
  expect(offending).toEqual([]);
});

test('no service lists a NATS client package as a dependency', () => {
  const services = join(ROOT, 'services');
  const listing = readdirSync(services).flatMap((service) => {
    const manifest = JSON.parse(readFileSync(join(services, service, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
    return names.filter((name) => name.startsWith('@nats-io/')).map((name) => `${service}: ${name}`);
  });
  expect(listing).toEqual([]);
});

test('the package exports no NATS client type or object', () => {
  expect(readFileSync(join(HERE, 'index.ts'), 'utf8')).not.toMatch(/@nats-io|\bwireOf\b|\bWire\b/);
});

/** Relative imports of one module of this library, as module paths from src ('./bus' in buckets/kv → 'bus'). */
function importsOf(module: string): string[] {
  const text = readFileSync(join(HERE, `${module}.ts`), 'utf8');
  const folder = module.includes('/') ? module.slice(0, module.lastIndexOf('/') + 1) : '';
  return [...text.matchAll(/from\s+['"](\.{1,2}\/[\w./-]+)['"]/g)].map((match) => join(folder, match[1]!).replace(/\\/g, '/'));
}

test('the modules of the library import one way (no cycle, types included), in every folder', () => {
  const modules = sourcesUnder(HERE)
    .filter((path) => path.endsWith('.ts') && !/\.(test|itest)\.ts$/.test(path))
    .map((path) => path.slice(HERE.length + 1, -3).replace(/\\/g, '/'));
  const edges = new Map(modules.map((name) => [name, importsOf(name)]));
  expect([...edges.values()].flat().filter((target) => !edges.has(target))).toEqual([]);
  const cycles: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) return void cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
    for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
  };
  for (const name of modules) visit(name, []);
  expect(cycles).toEqual([]);
});
