import type { SessionDeliveryV1 } from '@chatbot/proto';
import { mayOpen, SessionGate, type AccessAnswer } from './session.access';

const alice = 'a1a1a1a1-0000-4000-8000-000000000001';

test('an account may open a new session and its own, nothing else', () => {
  expect(mayOpen('new', alice)).toBe(true);
  expect(mayOpen('owner', alice)).toBe(true);
  expect(mayOpen('anonymous', alice)).toBe(false);
  expect(mayOpen('other', alice)).toBe(false);
});

test('an anonymous socket may open a new session and an anonymous one, nothing else', () => {
  expect(mayOpen('new', null)).toBe(true);
  expect(mayOpen('anonymous', null)).toBe(true);
  expect(mayOpen('owner', null)).toBe(false);
  expect(mayOpen('other', null)).toBe(false);
});

/** A gate whose chat-log answers come from `answers`, one per question, when the test releases them. */
function gate(accountId: string | null, answers: AccessAnswer[]) {
  const passed: string[] = [];
  const refused: string[] = [];
  const pending: Array<() => void> = [];
  const ask = () => new Promise<AccessAnswer>((resolve) => pending.push(() => resolve(answers.shift()!)));
  const g = new SessionGate(accountId, ask, (d) => passed.push(d.type === 'frame' ? `frame ${d.frame.seq}` : d.type), (v) => refused.push(v));
  const answerNext = async () => {
    pending.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { g, passed, refused, answerNext, asked: () => pending.length };
}

const stored: SessionDeliveryV1 = { type: 'stored', message_id: 'm1' };
const typing: SessionDeliveryV1 = { type: 'typing', message_id: 'm1' };

test("a session its owner opened passes every delivery without asking again", async () => {
  const { g, passed, answerNext } = gate(alice, ['owner']);
  const admitted = g.admit();
  await answerNext();
  expect(await admitted).toBe(true);
  g.deliver(stored);
  g.deliver(typing);
  expect(passed).toEqual(['stored', 'typing']);
});

test('on a new session the first delivery waits while chat-log is asked who owns it now', async () => {
  const { g, passed, refused, answerNext, asked } = gate(alice, ['new', 'owner']);
  const admitted = g.admit();
  await answerNext();
  expect(await admitted).toBe(true);
  g.deliver(stored);
  g.deliver(typing);
  expect(passed).toEqual([]);
  expect(asked()).toBe(1); // one question for both
  await answerNext();
  expect(passed).toEqual(['stored', 'typing']);
  g.deliver(stored);
  expect(passed).toHaveLength(3);
  expect(refused).toEqual([]);
});

test("a socket that named a new session someone else then wrote to is refused before it sees a frame", async () => {
  const { g, passed, refused, answerNext } = gate(null, ['new', 'other']);
  const admitted = g.admit();
  await answerNext();
  await admitted;
  g.deliver(stored);
  await answerNext();
  g.deliver(typing);
  expect(passed).toEqual([]);
  expect(refused).toEqual(['refused']);
});

test('refused or unanswered at the opening: the socket is refused', async () => {
  for (const [answer, verdict] of [['other', 'refused'], ['unavailable', 'unavailable']] as const) {
    const { g, refused, answerNext } = gate(alice, [answer]);
    const admitted = g.admit();
    await answerNext();
    expect(await admitted).toBe(false);
    expect(refused).toEqual([verdict]);
  }
});
