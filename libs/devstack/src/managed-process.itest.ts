import { ManagedProcess } from './managed-process';
import { allThreadsStopped } from './thread-state';
import { isAlive } from './process-alive';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two threads that print their clock each millisecond: the main one from a timer, a worker that
 * spins and writes straight to stdout (a write to a full pipe fails and is skipped). A stop
 * signal wakes one thread, which then stops the others, so both must be seen stopped.
 */
const TICKER = `
  const { Worker } = require('node:worker_threads');
  const spin = "const { writeSync } = require('node:fs'); let last = 0;" +
    "for (;;) { const now = Date.now(); if (now !== last) { last = now; try { writeSync(1, 't ' + now + String.fromCharCode(10)); } catch {} } }";
  new Worker(spin, { eval: true }).on('online', () => console.log('ready'));
  setInterval(() => console.log('t ' + Date.now()), 1);
`;

function ticker(lines: string[]): ManagedProcess {
  return new ManagedProcess({
    name: 'ticker',
    command: process.execPath,
    args: ['-e', TICKER],
    isReady: (line) => line === 'ready',
    restart: false,
    onLine: (_, line) => lines.push(line),
  });
}

const ticks = (lines: string[]) => lines.filter((l) => l.startsWith('t ')).map((l) => Number(l.slice(2)));

test('pause resolves once every thread has stopped: the process runs nothing more until resume', async () => {
  const lines: string[] = [];
  const proc = ticker(lines);
  await proc.start();
  try {
    await proc.pause();
    const pausedAt = Date.now();
    expect(await allThreadsStopped(proc.pid!)).toBe(true);
    await sleep(300);
    expect(ticks(lines).filter((t) => t > pausedAt)).toEqual([]); // lines still in the pipe are older

    proc.resume();
    const deadline = Date.now() + 5_000;
    while (!ticks(lines).some((t) => t > pausedAt + 300) && Date.now() < deadline) await sleep(10);
    expect(ticks(lines).some((t) => t > pausedAt + 300)).toBe(true);
    expect(await allThreadsStopped(proc.pid!)).toBe(false);
  } finally {
    proc.resume();
    await proc.stop('SIGKILL', 5_000);
  }
});

test('pausing a process that is not running says so', async () => {
  await expect(ticker([]).pause()).rejects.toThrow('ticker is not running, so it cannot be paused');
});

test('a start that does not get ready in time stops the process it spawned', async () => {
  let pid = 0;
  const silent = new ManagedProcess({
    name: 'silent',
    command: process.execPath,
    args: ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'],
    isReady: () => false,
    restart: true,
    startTimeoutMs: 500,
    onLine: (_, line) => (pid = Number(line)),
  });
  await expect(silent.start()).rejects.toThrow('silent not ready after 500 ms');
  expect(pid).toBeGreaterThan(0);
  expect(isAlive(pid)).toBe(false);
  await sleep(600); // and it is not restarted either
  expect(silent.pid).toBeUndefined();
});
