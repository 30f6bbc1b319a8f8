import { existsSync } from 'node:fs';
import { effectiveInstructions, envOf, execForm, last, parseDockerfile } from './support/dockerfile';
import { fromRoot, readText } from './support/repo';
import { portVariable, services, workspaces } from './support/services';

const { args, stages } = parseDockerfile();
const build = () => stages.find((s) => s.name === 'build')!;
const runs = () => build().instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const indexOfRun = (pattern: RegExp) => runs().findIndex((r) => pattern.test(r));

describe('the Dockerfile', () => {
  it('builds and runs on Node 22 LTS, Debian bookworm slim, pinned to a release', () => {
    expect(args.NODE_IMAGE).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
    // every stage starts from that image or from another stage: no other base, no unpinned tag
    for (const stage of stages.filter((s) => !stages.some((p) => p.name === s.from))) expect(stage.from).toBe(args.NODE_IMAGE);
    expect(stages.map((s) => s.from).filter((from) => !from.startsWith('node:22.') && !stages.some((p) => p.name === from))).toEqual([]);
  });

  it("runs on a Node release that package.json's engines accept", () => {
    const engines = (JSON.parse(readText(fromRoot('package.json'))) as { engines: { node: string } }).engines.node;
    const [major, minor] = /^node:(\d+)\.(\d+)/.exec(args.NODE_IMAGE)!.slice(1).map(Number);
    // the ranges are of the form ">=A.B <C || >=D.E": the image must fall in one of them
    const ranges = engines.split('||').map((range) => [...range.matchAll(/(>=|<)(\d+)(?:\.(\d+))?/g)]);
    const inRange = ranges.some((bounds) => bounds.every(([, op, maj, min = '0']) => {
      const cmp = major - Number(maj) || minor - Number(min);
      return op === '>=' ? cmp >= 0 : cmp < 0;
    }));
    expect(`${args.NODE_IMAGE} within ${engines}: ${inRange}`).toBe(`${args.NODE_IMAGE} within ${engines}: true`);
  });

  it('has one runtime target per service, plus migrate, each from the shared non-root runtime stage', () => {
    for (const target of [...services, 'migrate']) expect(stages.find((s) => s.name === target)?.from).toBe('runtime');
  });

  it('copies the manifest of every workspace before `npm ci`, so the dependency layer is cached', () => {
    const copied = build().instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const ws of workspaces()) expect(copied).toContain(`${ws}/package.json ${ws}/`);
    expect(copied).toContain('package.json package-lock.json ./');
  });

  it('installs with npm ci, generates the Prisma clients before pruning dev dependencies, then bundles', () => {
    const ci = indexOfRun(/\bnpm ci\b/);
    const generate = indexOfRun(/^node scripts\/prisma-generate\.js$/);
    const compile = indexOfRun(/^npm run build$/);
    const prune = indexOfRun(/^npm prune --omit=dev\b/);
    const bundle = indexOfRun(/\bbundle\b/);
    expect([ci, generate, compile, prune, bundle].every((i) => i >= 0)).toBe(true);
    expect(ci < generate && generate < compile && compile < prune && prune < bundle).toBe(true);
    // the root postinstall is what the generate step stands for
    expect((JSON.parse(readText(fromRoot('package.json'))) as { scripts: Record<string, string> }).scripts.postinstall).toBe('node scripts/prisma-generate.js');
  });

  it('runs as uid 10001 in production mode, stops on SIGTERM and checks health with node', () => {
    for (const target of services) {
      expect(last(stages, target, 'USER')).toBe('10001:10001');
      expect(envOf(stages, target).NODE_ENV).toBe('production');
      expect(last(stages, target, 'STOPSIGNAL')).toBe('SIGTERM');
      const check = last(stages, target, 'HEALTHCHECK')!;
      expect(check).toMatch(/CMD \["node", "\/usr\/local\/lib\/healthcheck\.js"\]$/);
    }
    expect(last(stages, 'migrate', 'HEALTHCHECK')).toBe('NONE');
    const script = effectiveInstructions(stages, 'runtime').find((i) => i.heredocs.EOF?.includes('/readyz'));
    expect(script?.args).toMatch(/\/usr\/local\/lib\/healthcheck\.js$/);
  });

  it("starts each service's compiled main.js and exposes the port it listens on", () => {
    for (const target of services) {
      expect(execForm(last(stages, target, 'CMD'))).toEqual(['node', `services/${target}/dist/main.js`]);
      expect(existsSync(fromRoot('services', target, 'src', 'main.ts'))).toBe(true);
      const exposed = stages.find((s) => s.name === target)!.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args);
      expect(exposed).toEqual([envOf(stages, target)[portVariable(target)]]);
    }
    expect(envOf(stages, 'gateway').PORT).toBe('8080');
  });

  it("migrates each service's own schema from its own migrations folder", () => {
    const [node, cli, ...pairs] = execForm(last(stages, 'migrate', 'CMD'));
    expect([node, cli]).toEqual(['node', 'libs/store/dist/migrate-cli.js']);
    const withMigrations = services.filter((s) => existsSync(fromRoot('services', s, 'prisma', 'migrations')));
    expect(pairs.map((p) => p.split('=')[1]).sort()).toEqual(withMigrations.map((s) => `services/${s}/prisma/migrations`).sort());
    for (const pair of pairs) {
      const [schema, dir] = pair.split('=');
      const service = dir.split('/')[1];
      // the schema the service itself migrates at start-up
      const sources = ['database.ts', 'store/database.ts', 'config.ts', 'main.ts'].map((f) => fromRoot('services', service, 'src', f)).filter(existsSync).map(readText).join('\n');
      expect(`${service} ${sources.includes(`'${schema}'`)}`).toBe(`${service} true`);
    }
  });

  it('bakes no secret into an image', () => {
    const declared = effectiveInstructions(stages, 'migrate')
      .concat(...services.map((s) => effectiveInstructions(stages, s)))
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .map((i) => i.args);
    for (const line of declared) expect(line).not.toMatch(/KEY|PASSWORD|SECRET|TOKEN|DATABASE_URL/);
    const ignored = readText(fromRoot('.dockerignore')).split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '**/.env', '**/*.env', '.git']) expect(ignored).toContain(pattern);
  });
});
