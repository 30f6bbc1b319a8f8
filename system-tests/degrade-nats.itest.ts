import { randomUUID } from 'node:crypto';
import { eventually, startSystem, type TestSystem } from '@chatbot/testkit';
import { finalFrames, isUnavailable, openV1, openV2, pause, type Session } from './support/chat';
import { privateNats, type PrivateNats } from './support/private-infra';

/**
 * NATS away: stopped (connections refused) or frozen (connections open, nothing answers). The
 * gateway must not accept work it cannot keep: the user hears "unavailable" within a bound (v1:
 * the unavailable bot frame, v2: an E5006 error frame), REST answers 503, every service stays up
 * and reconnects, and the system serves again when NATS is back. The whole system runs on a
 * nats-server of this file's own; Postgres is the shared one.
 */
const PUBLISH_TIMEOUT_MS = 3_000;

let nats: PrivateNats;
let system: TestSystem;
let v1: Session;
let v2: Session;

beforeAll(async () => {
  nats = await privateNats();
  await nats.start();
  system = await startSystem({
    env: { NATS_URL: nats.url, PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS), REQUEST_TIMEOUT_MS: '3000', REPLY_TIMEOUT_MS: '20000' },
  });
  v1 = await openV1(system);
  v2 = await openV2(system);
}, 120_000);
afterAll(async () => {
  nats?.thaw();
  await v1?.socket.close();
  await v2?.socket.close();
  await system?.stop();
  await nats?.dispose();
});

const gateway = () => system.gateways[0];
const opsOf = (name: string) => (name === 'gateway' ? gateway() : `http://127.0.0.1:${system.byName(name).ports.ops}`);
const readyz = async (name: string) => (await fetch(`${opsOf(name)}/readyz`)).status;
const allAlive = () =>
  system.services.every((s) => {
    try {
      return s.process.pid !== undefined && process.kill(s.process.pid, 0) && s.process.restarts === 0;
    } catch {
      return false;
    }
  });

/** These waits include a service noticing an outage: longer than the testkit's default. */
const OUTAGE_WAIT_MS = 20_000;

/** Sends a message and returns the first frame that answers it, and how long that took. */
async function sendAndTime(session: Session, protocol: 1 | 2, text = '연회비'): Promise<{ id: string; frame: Record<string, unknown>; ms: number }> {
  const id = randomUUID();
  const started = Date.now();
  session.socket.send({ message_id: id, message: text });
  const answers = (f: Record<string, unknown>) => f.message_id === id && (protocol === 1 ? f.sender === 'bot' : f.type === 'reply' || f.type === 'error');
  const [frame] = await session.socket.waitFor(answers, 1, 20_000);
  const ms = Date.now() - started;
  if (process.env.TEST_SHOW_TIMINGS) process.stdout.write(`v${protocol} answered in ${ms} ms: ${JSON.stringify(frame).slice(0, 80)}\n`);
  return { id, frame, ms };
}

async function expectServingAgain() {
  await eventually(async () => expect(await readyz('gateway')).toBe(200), OUTAGE_WAIT_MS);
  const again1 = await sendAndTime(v1, 1);
  expect(isUnavailable(again1.frame)).toBe(false);
  const again2 = await sendAndTime(v2, 2);
  expect(again2.frame).toMatchObject({ type: 'reply', message: expect.stringContaining('연회비') });
  expect((await fetch(`${gateway()}/api/qna/faq?top_k=3`)).status).toBe(200);
}

test('with NATS stopped, a message is answered unavailable at once and REST says 503; all stay up and serve again when it returns', async () => {
  expect(isUnavailable((await sendAndTime(v1, 1)).frame)).toBe(false);

  await nats.stop();
  await eventually(async () => expect(await readyz('gateway')).toBe(503), OUTAGE_WAIT_MS);
  const lost1 = await sendAndTime(v1, 1);
  expect(isUnavailable(lost1.frame)).toBe(true);
  const lost2 = await sendAndTime(v2, 2);
  expect(lost2.frame).toMatchObject({ type: 'error', code: 'E5006', message_id: lost2.id });
  const rest = await fetch(`${gateway()}/api/qna/faq?top_k=3`);
  expect(rest.status).toBe(503);
  expect(await rest.json()).toMatchObject({ code: 'E5006' });
  for (const name of ['chat-log', 'qna-cache', 'persona', 'llm-dispatch']) await eventually(async () => expect(await readyz(name)).toBe(503), OUTAGE_WAIT_MS);
  await pause(1_000);
  expect(allAlive()).toBe(true);

  await nats.start();
  await expectServingAgain();
  expect(finalFrames(v1.socket, lost1.id)).toHaveLength(1); // the unavailable frame, and nothing after it
  expect(allAlive()).toBe(true);
}, 60_000);

test('with NATS frozen, a message is answered unavailable once PUBLISH_TIMEOUT_MS is over, and a late answer to it is not shown', async () => {
  await nats.freeze();
  const lost1 = await sendAndTime(v1, 1);
  expect(isUnavailable(lost1.frame)).toBe(true);
  const lost2 = await sendAndTime(v2, 2);
  expect(lost2.frame).toMatchObject({ type: 'error', code: 'E5006', message_id: lost2.id });
  nats.thaw();

  // The frozen broker may still take the publishes it had in its socket and answer them: the v1
  // user already had this message's one bot frame, so that answer is dropped.
  await expectServingAgain();
  await pause(1_500);
  expect(finalFrames(v1.socket, lost1.id)).toHaveLength(1);
  expect(finalFrames(v2.socket, lost2.id).filter(isUnavailable)).toEqual([]);
  expect(allAlive()).toBe(true);
}, 60_000);

test('when NATS comes back without its streams (a restart that lost its volume), the services create them again and serve', async () => {
  await nats.stop();
  await nats.wipe();
  await nats.start();
  const startedAt = Date.now();
  // Until a consumer has noticed the loss and created its stream again, the broker refuses the
  // message and the user hears "unavailable" at once: asked again until it is taken.
  const answered = async (protocol: 1 | 2, text: string) => {
    const session = protocol === 1 ? v1 : v2;
    for (;;) {
      const { frame } = await sendAndTime(session, protocol, text);
      if (!isUnavailable(frame) && frame.type !== 'error') return frame;
      if (Date.now() - startedAt > 40_000) throw new Error(`still refused 40 s after NATS came back: ${JSON.stringify(frame)}`);
      await pause(500);
    }
  };
  expect(await answered(1, '연회비')).toMatchObject({ sender: 'bot', message: expect.stringContaining('연회비') }); // qna-cache, CHAT_INBOUND, CHAT_REPLIES
  expect(await answered(2, '편의점/카페/배달 위주로 할인 많이 받는 카드 추천해줘.')).toMatchObject({
    type: 'reply',
    tool_name: 'get_card_recommendation', // llm-dispatch: LLM_JOBS and its attempts bucket
  });
  if (process.env.TEST_SHOW_TIMINGS) process.stdout.write(`serving again ${Date.now() - startedAt} ms after NATS came back empty\n`);
  expect(allAlive()).toBe(true);
}, 90_000);
