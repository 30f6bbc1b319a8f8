import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TestSocket, isBotFrame } from '@chatbot/testkit';
import { isAlive } from '@chatbot/devstack';

/**
 * `npm start` as a user runs it: no NATS_URL / DATABASE_URL, so the launcher embeds both under its
 * data folder. Checks health, a message round trip through every service, a clean Ctrl-C, and
 * that a second start finds the first one's data.
 */
const launcher = resolve(__dirname, '..', 'tools', 'launcher', 'dist', 'main.js');

interface Started {
  child: ChildProcess;
  port: number;
  pids: number[];
  output: string[];
}

function startLauncher(dataDir: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  delete env.NATS_URL;
  delete env.DATABASE_URL;
  delete env.LLM_BASE_URL;
  const child = spawn(process.execPath, [launcher], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  launched.push(child);
  const output: string[] = [];
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`launcher not ready in 60 s:\n${output.slice(-30).join('\n')}`)), 60_000);
    let pids: number[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const processes = line.match(/processes: (.*)$/);
      if (processes) pids = [...processes[1].matchAll(/=(\d+)/g)].map((m) => Number(m[1]));
      const listening = line.match(/gateway listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (listening) {
        clearTimeout(timer);
        resolvePromise({ child, port: Number(listening[1]), pids, output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${code}:\n${output.slice(-30).join('\n')}`));
    });
  });
}

const launched: ChildProcess[] = [];

/** A launcher left running by a failed test is stopped the way a user would: Ctrl-C. */
afterEach(async () => {
  for (const child of launched.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
});

async function interrupt(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((r) => started.child.once('exit', (code) => r(code)));
  started.child.kill('SIGINT');
  return exited;
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chatbot-launcher-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('npm start serves health, answers through the event pipeline, and Ctrl-C leaves nothing behind', async () => {
  const started = await startLauncher(dataDir);
  expect(started.pids.length).toBeGreaterThanOrEqual(7); // nats, postgres, five services
  const health = await fetch(`http://127.0.0.1:${started.port}/api/health`);
  expect(await health.json()).toEqual({ status: 'ok' });

  const socket = await TestSocket.open(`ws://127.0.0.1:${started.port}/api/chat/ws?protocol=2`);
  const [session] = await socket.waitFor((f) => f.type === 'session');
  socket.send({ message_id: 'launch-1', message: '카드를 잃어버렸어요' });
  const [reply] = await socket.waitFor((f) => f.type === 'reply', 1, 30_000);
  expect(reply).toMatchObject({ sender: 'bot', message_id: 'launch-1', seq: 1 });
  expect(typeof reply.message).toBe('string');
  await socket.close();

  expect(await interrupt(started)).toBe(0);
  expect(started.pids.filter(isAlive)).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${started.port}/api/health`)).rejects.toThrow();

  // A second start reuses the data: the session's committed reply is still there to resume.
  const again = await startLauncher(dataDir);
  const resumed = await TestSocket.open(
    `ws://127.0.0.1:${again.port}/api/chat/ws?protocol=2&session_id=${session.session_id}&last_seq=0`,
  );
  const [replayed] = await resumed.waitFor((f) => f.type === 'reply');
  expect(replayed).toMatchObject({ message_id: 'launch-1', seq: 1, message: reply.message });
  await resumed.close();
  expect(await interrupt(again)).toBe(0);
  expect(again.pids.filter(isAlive)).toEqual([]);
}, 180_000);

test('the seed protocol gets exactly one bot frame per message from the embedded system', async () => {
  const started = await startLauncher(dataDir);
  try {
    const socket = await TestSocket.open(`ws://127.0.0.1:${started.port}/api/chat/ws`);
    const [first] = await socket.waitFor(() => true);
    expect(Object.keys(first)).toEqual(['session_id']);
    socket.send({ message_id: 'seed-1', message: '리볼빙이 뭐야?', sender: 'user', timestamp: new Date().toISOString() });
    const [bot] = await socket.waitFor(isBotFrame, 1, 30_000);
    expect(bot).toMatchObject({ sender: 'bot', message_id: 'seed-1', login_required: false });
    await socket.close();
  } finally {
    await interrupt(started);
  }
}, 120_000);
