import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '@chatbot/devstack';
import { startStubLlm, startSystem, waitUntil, type StubLlm, type TestSystem } from '@chatbot/testkit';

/**
 * `npm run chat` against the real system (every service a process; only the LLM is a stub that
 * speaks the OpenAI streaming protocol): typed lines go out, the answer streams in word by word,
 * a gateway restart is survived by resuming the session, and Ctrl-D (end of input) leaves.
 */
const cli = resolve(__dirname, '..', 'dist', 'main.js');
const ANSWER = '분실 신고는 앱의 카드 관리 메뉴에서 바로 할 수 있어요 지금 해 보세요';

let stub: StubLlm;
let system: TestSystem;
let gatewayPort: number;

beforeAll(async () => {
  stub = await startStubLlm({ script: { text: ANSWER, tokenDelayMs: 120 } });
  gatewayPort = await freePort();
  // A fixed gateway port and restarts, so a crashed gateway comes back where the client looks.
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', PORT: String(gatewayPort) }, restart: true });
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await stub?.close();
});

interface Chat {
  child: ChildProcess;
  /** stdout as it arrived, chunk by chunk, with the time of each. */
  chunks: Array<{ at: number; text: string }>;
  output(): string;
  exited: Promise<number | null>;
}

function chat(args: string[]): Chat {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Chat['chunks'] = [];
  child.stdout!.on('data', (data: Buffer) => chunks.push({ at: Date.now(), text: data.toString() }));
  child.stderr!.on('data', (data: Buffer) => chunks.push({ at: Date.now(), text: data.toString() }));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, chunks, output: () => chunks.map((c) => c.text).join(''), exited };
}

async function until(c: Chat, text: string, timeoutMs = 30_000): Promise<void> {
  if (!(await waitUntil(() => c.output().includes(text), timeoutMs, 20))) {
    throw new Error(`no "${text}" in the chat output:\n${c.output()}`);
  }
}

test('a typed message gets its answer streamed piece by piece, then the client leaves on end of input', async () => {
  const c = chat(['--url', `http://127.0.0.1:${gatewayPort}`]);
  try {
    await until(c, 'connected, session');
    c.child.stdin!.write('카드를 잃어버렸는데 어떻게 하나요 스트리밍으로 알려줘\n');
    await until(c, `bot> ${ANSWER.split(' ')[0]}`);
    const firstAt = Date.now();
    await until(c, ANSWER);
    // Word by word: the first words were on screen well before the last one.
    expect(Date.now() - firstAt).toBeGreaterThan(500);
    const partial = c.chunks.filter((chunk) => chunk.text.length > 0 && !chunk.text.includes(ANSWER.split(' ').at(-1)!));
    expect(partial.some((chunk) => chunk.text.includes(ANSWER.split(' ')[1]))).toBe(true);
    expect(c.output().split(ANSWER)).toHaveLength(2); // once: the final reply closes the streamed line
    c.child.stdin!.end(); // Ctrl-D
    expect(await c.exited).toBe(0);
  } finally {
    c.child.kill();
  }
}, 60_000);

test('after the gateway crashes, the client reconnects, resumes its session and chats on; /quit leaves', async () => {
  const c = chat(['--url', `ws://127.0.0.1:${gatewayPort}/api/chat/ws`]);
  try {
    await until(c, 'connected, session');
    const gateway = system.byName('gateway');
    gateway.process.kill('SIGKILL');
    await until(c, 'connection lost');
    await until(c, '(reconnected: session resumed)');
    c.child.stdin!.write('다시 연결됐나요 분실 신고 방법 알려줘\n');
    await until(c, `bot> ${ANSWER.split(' ')[0]}`);
    await until(c, ANSWER);
    c.child.stdin!.write('/quit\n');
    expect(await c.exited).toBe(0);
  } finally {
    c.child.kill();
  }
}, 90_000);

test('a bad --url is refused with the usage', async () => {
  const c = chat(['--url', 'ftp://nowhere']);
  expect(await c.exited).toBe(2);
  expect(c.output()).toContain('use ws://, wss://, http:// or https://');
  expect(c.output()).toContain('usage: npm run chat');
});
