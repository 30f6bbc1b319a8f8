import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fromRoot, listFiles, readText } from './support/repo';
import { workspaces } from './support/services';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packageJson = (dir: string) => JSON.parse(readText(fromRoot(dir, 'package.json'))) as PackageJson;
const root = () => packageJson('.');
const manifests = () => [{ dir: '.', pkg: root() }, ...workspaces().map((dir) => ({ dir, pkg: packageJson(dir) }))];
const declared = (pkg: PackageJson) => ({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
const workspaceNames = () => new Set(workspaces().map((dir) => packageJson(dir).name));

/** What a TypeScript file imports, requires or re-exports, as package names (`@scope/name` or `name`). */
function importedPackages(file: string): string[] {
  const text = readText(file);
  const specifiers = [...text.matchAll(/(?:(?<![-\w.$'\"])from\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return specifiers
    .filter((s) => !s.includes('${'))
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

/** Code that runs in production: src/ without its tests. The rest (tests, harnesses, benches, tool configs) is tooling. */
const isProductionCode = (dir: string, path: string) => path.startsWith(fromRoot(dir, 'src') + '/') && !/\.(i?test|itest-support)\.ts$/.test(path);
/** A workspace's own TypeScript, without generated clients and build output. */
const sourcesOf = (dir: string) =>
  listFiles(fromRoot(dir), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts') && !/\/(node_modules|dist|generated)\//.test(p));

describe('package.json files', () => {
  it('pin every dependency to an exact version', () => {
    for (const { dir, pkg } of manifests()) {
      for (const [name, version] of Object.entries(declared(pkg))) {
        expect(`${dir} ${name}@${version}`).toMatch(/@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
      }
    }
  });

  it('give a package the same version wherever it is declared', () => {
    const versions = new Map<string, Set<string>>();
    for (const { pkg } of manifests()) for (const [name, version] of Object.entries(declared(pkg))) versions.set(name, (versions.get(name) ?? new Set()).add(version));
    const differing = [...versions].filter(([, v]) => v.size > 1).map(([name, v]) => `${name}: ${[...v].join(' vs ')}`);
    expect(differing).toEqual([]);
  });

  it('keep the Prisma client, its CLI and its adapter on one version', () => {
    const all = Object.assign({}, ...manifests().map(({ pkg }) => declared(pkg))) as Record<string, string>;
    expect(all['@prisma/client']).toBeDefined();
    expect({ client: all['@prisma/client'], adapter: all['@prisma/adapter-pg'] }).toEqual({ client: all.prisma, adapter: all.prisma });
  });

  it('are what the lockfile installs', () => {
    const lock = JSON.parse(readText(fromRoot('package-lock.json'))) as { packages: Record<string, { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }> };
    for (const { dir, pkg } of manifests()) {
      const entry = lock.packages[dir === '.' ? '' : dir];
      expect({ dir, dependencies: entry?.dependencies ?? {}, devDependencies: entry?.devDependencies ?? {} }).toEqual({ dir, dependencies: pkg.dependencies ?? {}, devDependencies: pkg.devDependencies ?? {} });
      for (const [name, version] of Object.entries(declared(pkg))) {
        if (workspaceNames().has(name)) continue;
        // hoisted to the root node_modules, or nested under the workspace when versions differ
        const installed = lock.packages[join(dir, 'node_modules', name)] ?? lock.packages[`node_modules/${name}`];
        expect(`${dir} ${name}@${installed?.version}`).toBe(`${dir} ${name}@${version}`);
      }
    }
  });
});

describe('what each workspace imports', () => {
  it.each(workspaces())('%s declares every package its code imports itself', (dir) => {
    const pkg = packageJson(dir);
    // dev-time scripts in src/ (proto's exporter) may use devDependencies; the image-layout test
    // starts every service from its production bundle, which catches a runtime import declared as dev
    const deps = new Set(Object.keys(declared(pkg)));
    const missing = sourcesOf(dir).filter((f) => isProductionCode(dir, f))
      .flatMap((file) => importedPackages(file).filter((name) => !deps.has(name)).map((name) => `${relative(fromRoot(), file)} imports ${name}`));
    expect(missing).toEqual([]);
  });

  it.each(workspaces())("%s declares every package its tests and tooling import, itself or in the root's devDependencies", (dir) => {
    const pkg = packageJson(dir);
    const available = new Set([...Object.keys(declared(pkg)), ...Object.keys(root().devDependencies ?? {}), pkg.name]);
    const missing = sourcesOf(dir).filter((f) => !isProductionCode(dir, f))
      .flatMap((file) => importedPackages(file).filter((name) => !available.has(name)).map((name) => `${relative(fromRoot(), file)} imports ${name}`));
    expect(missing).toEqual([]);
  });

  it("the root's test folders import only the root's devDependencies and the workspaces", () => {
    const available = new Set([...Object.keys(root().devDependencies ?? {}), ...workspaceNames()]);
    const files = ['deploy-tests', 'system-tests'].filter((d) => existsSync(fromRoot(d))).flatMap(sourcesOf);
    const missing = files.flatMap((file) => importedPackages(file).filter((name) => !available.has(name)).map((name) => `${relative(fromRoot(), file)} imports ${name}`));
    expect(missing).toEqual([]);
  });

  it('finds imports of every form, and skips built-ins and relative paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imports-'));
    const file = join(dir, 'sample.ts');
    // the quote is spliced in, so this file itself shows no import of these packages
    const q = "'";
    writeFileSync(file, [
      `import a from ${q}pg${q};`,
      `import type { B } from ${q}@nats-io/jetstream/lib${q};`,
      `const c = require(${q}yaml${q});`,
      `export { d } from ${q}zod${q};`,
      `import ${q}pino${q};`,
      `import e from ${q}node:fs${q};`,
      `import { f } from ${q}path${q};`,
      `import g from ${q}./x${q};`,
      `await import(${q}ws${q});`,
      // a string that ends in "from" is no import
      `stat(join(dir, ${q}.staged-from${q})).then((s) => s.size, (e) => ${q}x${q});`,
    ].join('\n'));
    try {
      expect(importedPackages(file)).toEqual(['pg', '@nats-io/jetstream', 'yaml', 'zod', 'pino', 'ws']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
