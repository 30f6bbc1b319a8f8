import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { startSystem, type TestSystem } from '@chatbot/testkit';
import { ChatLogRows, errorFrames, finalFrames, isUnavailable, openV1, openV2, pause, type Frame, type Session } from './support/chat';
import { malformedFrame, outcomeOf, type Kind, type MalformedFrame } from './support/malformed-frames';

/**
 * 10,000 malformed frames of sixteen kinds from 10 connections (v1 and v2), while 20 sessions
 * chat normally. Every malformed frame gets its error frame (v2: with the right code) or the
 * right close code (the fuzzer then reconnects); no process crashes or restarts; nothing a fuzz
 * session sent is stored; the chatting sessions see no error and get each answer once, in order.
 * The per-address limits are raised so the frames reach validation instead of the rate limiter.
 * Frames come from a fixed seed (FUZZ_SEED overrides it), so a failure can be replayed.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const FRAMES = 10_000;
const FUZZERS = 10;
const CHATTERS = 20;
/** Malformed frames a fuzzer may have sent ahead of their error frames. */
const WINDOW = 64;
const QUESTIONS = ['연회비', '캐시백', '리볼빙', '신용 한도', '카드를 잃어버렸어요', '해외여행 갈 때 좋은 카드 추천해줘'];

let system: TestSystem;
let rows: ChatLogRows;
/** Message ids a victim session stored, reused by fuzz frames of kind foreign_message_id. */
let foreignIds: string[];

beforeAll(async () => {
  system = await startSystem({
    env: {
      WS_RATE_PER_CONN: '100000',
      WS_BURST_PER_CONN: '100000',
      WS_RATE_PER_IP: '100000',
      WS_BURST_PER_IP: '100000',
      WS_MAX_CONN_PER_IP: '1000',
      REPLY_TIMEOUT_MS: '30000',
    },
  });
  rows = await ChatLogRows.open(system);
  const victim = await openV2(system);
  foreignIds = Array.from({ length: 40 }, () => randomUUID());
  foreignIds.forEach((id) => victim.socket.send({ message_id: id, message: '연회비' }));
  await victim.socket.waitFor((f) => f.type === 'stored', foreignIds.length, 30_000);
  await victim.socket.close();
}, 120_000);
afterAll(async () => {
  await rows?.close();
  await system?.stop();
});

interface FuzzReport {
  sessionIds: string[];
  sent: Record<string, number>;
  problems: string[];
}

/** `E4001×3 E4009×1`: codes and how often, in code order. */
function tally(codes: string[]): string {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code}×${n}`).join(' ');
}

/** One fuzzing connection: sends its frames, checks every answer, reconnects after a close. */
class Fuzzer {
  private session!: Session;
  private expected: string[] = [];
  private usedForeign = new Set<string>();

  constructor(
    private readonly protocol: 1 | 2,
    private readonly report: FuzzReport,
  ) {}

  async run(frames: MalformedFrame[]): Promise<void> {
    await this.connect();
    for (const frame of frames) {
      const outcome = outcomeOf(frame);
      this.report.sent[frame.kind] = (this.report.sent[frame.kind] ?? 0) + 1;
      if ('close' in outcome) await this.sendClosing(frame, outcome.close);
      else await this.sendRefused(frame, outcome.error);
    }
    await this.settle();
  }

  private async connect(): Promise<void> {
    this.session = this.protocol === 2 ? await openV2(system) : await openV1(system);
    this.report.sessionIds.push(this.session.sessionId);
    this.expected = [];
    this.usedForeign.clear();
  }

  private async sendRefused(frame: MalformedFrame, code: string): Promise<void> {
    this.send(frame);
    this.expected.push(code);
    const behind = () => this.expected.length - errorFrames(this.session.socket).length;
    if (behind() > WINDOW) await this.until(() => behind() <= WINDOW / 2, 'error frames to catch up');
  }

  private async sendClosing(frame: MalformedFrame, code: number): Promise<void> {
    await this.settle(); // answers to earlier frames first: after the close they could not come
    this.send(frame);
    const socket = this.session.socket;
    await this.until(() => socket.closed !== null, `close ${code} after ${frame.kind}`);
    if (socket.closed?.code !== code) this.report.problems.push(`${frame.kind}: closed ${socket.closed?.code}, expected ${code}`);
    await this.connect();
  }

  private send(frame: MalformedFrame): void {
    const { ws } = this.session.socket;
    if (frame.kind === 'foreign_message_id') {
      const id = this.nextForeignId(frame.foreign ?? 0);
      return ws.send(JSON.stringify({ message_id: id, message: '연회비' }));
    }
    ws.send(frame.data, { binary: frame.binary });
  }

  /** Each fuzz session reuses a foreign id once: a second time is a resend, answered by the first. */
  private nextForeignId(start: number): string {
    for (let i = 0; i < foreignIds.length; i += 1) {
      const id = foreignIds[(start + i) % foreignIds.length];
      if (!this.usedForeign.has(id)) {
        this.usedForeign.add(id);
        return id;
      }
    }
    throw new Error('more foreign frames in one session than foreign ids');
  }

  /** Every error frame owed has come, no more, with the expected codes (v2 carries them). */
  private async settle(): Promise<void> {
    const socket = this.session.socket;
    await this.until(() => errorFrames(socket).length >= this.expected.length, 'every error frame');
    const errors = errorFrames(socket);
    if (errors.length !== this.expected.length) this.report.problems.push(`${errors.length} error frames for ${this.expected.length} frames`);
    if (this.protocol === 2) {
      const got = tally(errors.map((e) => String(e.code)));
      const want = tally(this.expected);
      if (got !== want) this.report.problems.push(`error codes ${got}, expected ${want}`);
    }
    const finals = finalFrames(socket);
    if (finals.length > 0) this.report.problems.push(`a fuzz session got answers: ${JSON.stringify(finals).slice(0, 200)}`);
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!done()) {
      if (this.session.socket.closed && !what.startsWith('close')) throw new Error(`socket closed (${this.session.socket.closed.code}) waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (seed ${SEED})`);
      await pause(5);
    }
  }
}

/** A well-behaved session: sends its questions in waves while the fuzz runs. */
async function chat(protocol: 1 | 2): Promise<{ session: Session; ids: string[] }> {
  const session = protocol === 2 ? await openV2(system) : await openV1(system);
  const ids: string[] = [];
  for (let wave = 0; wave < 3; wave += 1) {
    for (const message of QUESTIONS.slice(wave * 2, wave * 2 + 2)) {
      const id = randomUUID();
      ids.push(id);
      session.socket.send({ message_id: id, message, sender: 'user', timestamp: new Date().toISOString() });
    }
    await session.socket.waitFor((f) => f.type === 'reply' || f.sender === 'bot', ids.length, 30_000);
    await pause(300);
  }
  return { session, ids };
}

test('10,000 malformed frames get their error frames or close codes while 20 sessions chat undisturbed', async () => {
  const frames = fc.sample(malformedFrame, { numRuns: FRAMES, seed: SEED });
  const kinds = new Set(frames.map((f) => f.kind));
  expect(kinds.size).toBeGreaterThanOrEqual(10);
  const report: FuzzReport = { sessionIds: [], sent: {}, problems: [] };
  const shares = Array.from({ length: FUZZERS }, (_, i) => frames.filter((_, j) => j % FUZZERS === i));

  const chatting = Promise.all(Array.from({ length: CHATTERS }, (_, i) => chat(i % 2 === 0 ? 1 : 2)));
  await Promise.all(shares.map((share, i) => new Fuzzer(i % 2 === 0 ? 1 : 2, report).run(share)));
  const chatters = await chatting;

  expect(report.problems.slice(0, 10)).toEqual([]);
  expect(Object.values(report.sent).reduce((a, b) => a + b, 0)).toBe(FRAMES);
  expect(Object.keys(report.sent).sort()).toEqual([...kinds].sort() as Kind[]);
  await pause(1_000); // room for a stray second answer to show up
  for (const { session, ids } of chatters) {
    const finals = finalFrames(session.socket);
    expect(finals.map((f: Frame) => f.message_id)).toEqual(ids);
    expect(finals.filter(isUnavailable)).toEqual([]);
    expect(errorFrames(session.socket)).toEqual([]);
    expect(session.socket.closed).toBeNull();
  }
  expect(await rows.ofSessions(report.sessionIds)).toBe(0);
  for (const service of system.services) {
    expect(service.process.pid).toBeDefined();
    expect(service.process.restarts).toBe(0);
  }
  if (process.env.TEST_SHOW_TIMINGS) process.stdout.write(`fuzz: ${JSON.stringify(report.sent)}; ${report.sessionIds.length} fuzz sessions\n`);
  await Promise.all(chatters.map(({ session }) => session.socket.close()));
}, 90_000);
