import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { isAlive } from '@chatbot/devstack';

/**
 * `npm start` run as Docker, systemd or CI run it: a signal to the npm process alone (not to its
 * process group) must stop every process it started; and a start that fails half-way must stop
 * what it had already started.
 */
const repoRoot = resolve(__dirname, '..', '..', '..');

interface Run {
  npm: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function npmStart(dataDir: string, format: 'json' | 'pretty' = 'json'): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', LOG_FORMAT: format, NO_COLOR: '1' };
  for (const name of ['NATS_URL', 'DATABASE_URL', 'LLM_BASE_URL', 'NODE_OPTIONS']) delete env[name];
  // Its own process group, as under a supervisor: nothing the test does reaches it as a group.
  const npm = spawn('npm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(npm);
  const lines: string[] = [];
  for (const stream of [npm.stdout!, npm.stderr!]) createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((done) => npm.once('exit', (code) => done(code)));
  return { npm, lines, exited };
}

const running: ChildProcess[] = [];
afterEach(async () => {
  for (const npm of running.splice(0)) {
    if (npm.exitCode === null && npm.signalCode === null) process.kill(-npm.pid!, 'SIGINT'); // the whole group, as Ctrl-C
  }
});

async function waitForLine(run: Run, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of run.lines) {
      const match = line.match(pattern);
      if (match) return match;
    }
    if (run.npm.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no line matching ${pattern}:\n${run.lines.slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process below `root`, from /proc (services and servers run in their own groups, but are still its descendants). */
async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat) parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) found.push(child), visit(child);
  };
  visit(root);
  return found;
}

async function gone(pids: number[], timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(isAlive);
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chatbot-npm-start-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

test('SIGTERM to the npm process alone stops every service, nats-server and postgres', async () => {
  const run = npmStart(dataDir);
  await waitForLine(run, /all services ready/, 90_000);
  const tree = await descendants(run.npm.pid!);
  const names = await Promise.all(tree.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  const joined = names.join('\n');
  for (const part of ['nats-server', 'bin/postgres', 'chat-log', 'qna-cache', 'persona', 'llm-dispatch', 'gateway']) {
    expect(joined).toContain(part);
  }

  process.kill(run.npm.pid!, 'SIGTERM');
  expect(await run.exited).toBe(0);
  expect(await gone(tree)).toEqual([]);
  expect(run.lines.some((l) => l.includes('SIGTERM: stopping'))).toBe(true);
  // Not a terminal: every line after npm's own header is JSON, for a log collector.
  const launcherLines = run.lines.filter((l) => l.trim() && !l.startsWith('> '));
  expect(launcherLines.filter((l) => !isJson(l))).toEqual([]);
}, 120_000);

const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

test('readable output shows each step and ends with where to go; SIGINT to the npm process alone stops everything', async () => {
  const run = npmStart(dataDir, 'pretty');
  await waitForLine(run, /Ctrl-C \(or kill -TERM\) stops everything/, 90_000);
  const text = run.lines.join('\n');
  for (const step of ['▸ building…', '▸ starting NATS…', '▸ starting Postgres…', '▸ starting chat-log…', '▸ starting gateway…']) {
    expect(text).toContain(step);
  }
  expect(text).toMatch(/launcher\s+INFO\s+gateway ready/);
  const [, origin] = text.match(/Chat\s+(http:\/\/127\.0\.0\.1:\d+)\//)!;
  expect(text).toContain(`Admin       ${origin}/admin`);
  expect(text).toContain(`API docs    ${origin}/docs`);
  expect(text).not.toMatch(/^\{/m); // no raw JSON lines
  const tree = await descendants(run.npm.pid!);
  expect(tree.length).toBeGreaterThanOrEqual(8); // launcher, nats-server, postgres (+ its workers), five services

  process.kill(run.npm.pid!, 'SIGINT');
  expect(await run.exited).toBe(0);
  expect(await gone(tree)).toEqual([]);
}, 120_000);

test('when Postgres fails to start, the nats-server already started is stopped and npm start fails', async () => {
  // A data folder of a PostgreSQL version these binaries cannot read: postgres exits at once.
  await mkdir(join(dataDir, 'postgres'), { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, 'postgres', 'PG_VERSION'), '9.6\n');
  const run = npmStart(dataDir);
  const [, pid] = await waitForLine(run, /nats-server ready on \S+ \(pid (\d+)\)/, 60_000);
  expect(await run.exited).not.toBe(0);
  expect(run.lines.join('\n')).toMatch(/failed: postgres exited/);
  expect(await gone([Number(pid)])).toEqual([]);
}, 120_000);
