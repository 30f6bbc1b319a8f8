import { ChatReplyV1, UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { PendingReplies, timeoutCandidate, type PendingPrompt, type TimeoutVerdict } from './reply.timeout';

describe('pending replies', () => {
  let expired: PendingPrompt[];
  let verdict: TimeoutVerdict;
  let pending: PendingReplies;
  beforeEach(() => {
    jest.useFakeTimers();
    expired = [];
    verdict = 'answered';
    pending = new PendingReplies(1000, (prompt) => {
      expired.push(prompt);
      return verdict;
    });
  });
  afterEach(() => jest.useRealTimers());

  test('times out an accepted prompt once, after the timeout', () => {
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    jest.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired.map((p) => p.messageId)).toEqual(['m1']);
    jest.advanceTimersByTime(5000);
    expect(expired).toHaveLength(1);
    expect(pending.answeredLocally('m1')).toBe(true);
  });

  test('a prompt only told of the timeout (v2) stays pending for its committed frame, and fires once', () => {
    verdict = 'told';
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    jest.advanceTimersByTime(1000);
    expect(expired.map((p) => p.messageId)).toEqual(['m1']);
    expect(pending.answeredLocally('m1')).toBe(false);
    expect(pending.progress('m1')).toBeDefined(); // late deltas still count as this prompt's
    jest.advanceTimersByTime(5000);
    expect(expired).toHaveLength(1);
    pending.settle('m1', 'replied');
    expect(pending.isSettled('m1')).toBe(true);
    expect(pending.size).toBe(0);
  });

  test('deliveries that overtake the ack are held and released, in order, once it arrives', () => {
    const released: string[] = [];
    pending.release = (delivery) => released.push(delivery.type);
    const prompt = pending.begin('m1', 'c1')!;
    expect(pending.inFlight('m1')).toBe(true);
    pending.hold('m1', { type: 'typing', message_id: 'm1' });
    pending.hold('m1', { type: 'delta', message_id: 'm1', index: 0, text: '안녕' });
    expect(released).toEqual([]);
    pending.accepted(prompt, 0);
    expect(released).toEqual(['typing', 'delta']);
    expect(pending.inFlight('m1')).toBe(false);
  });

  test('a cancelled publish still hands over what came for it (it landed after all)', () => {
    const released: string[] = [];
    pending.release = (delivery) => released.push(delivery.type);
    const prompt = pending.begin('m1', 'c1')!;
    pending.hold('m1', { type: 'stored', message_id: 'm1' });
    pending.cancel(prompt);
    expect(released).toEqual(['stored']);
  });

  test('progress moves the deadline', () => {
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    jest.advanceTimersByTime(800);
    pending.progress('m1');
    jest.advanceTimersByTime(800);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(200);
    expect(expired).toHaveLength(1);
  });

  test('a reply settles the prompt and stops its timer', () => {
    const prompt = pending.begin('m1', 'c1')!;
    pending.accepted(prompt, 0);
    expect(pending.settle('m1', 'replied')).toBe(prompt);
    jest.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    expect(pending.answeredLocally('m1')).toBe(false);
  });

  test('a reply before the broker ack leaves no timer behind', () => {
    const prompt = pending.begin('m1', 'c1')!;
    pending.settle('m1', 'replied');
    pending.accepted(prompt, 0);
    jest.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
  });

  test('a resend of a pending or answered message is not tracked twice', () => {
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    expect(pending.begin('m1', 'c2')).toBeUndefined();
    pending.settle('m1', 'replied');
    expect(pending.begin('m1', 'c3')).toBeUndefined();
  });

  test('a failed publish forgets the prompt so the message may be sent again', () => {
    const prompt = pending.begin('m1', 'c1')!;
    pending.cancel(prompt);
    expect(pending.size).toBe(0);
    expect(pending.begin('m1', 'c2')).toBeDefined();
  });

  test('a publish answered unavailable is settled locally: a late frame for it is dropped', () => {
    const prompt = pending.begin('m1', 'c1')!;
    pending.unavailable(prompt);
    expect(pending.size).toBe(0);
    expect(pending.answeredLocally('m1')).toBe(true);
    expect(pending.begin('m1', 'c2')).toBeUndefined();
  });

  test('a frame seen again for a pending resend answers it and stops its timer', () => {
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    pending.answered('m1');
    jest.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    expect(pending.isSettled('m1')).toBe(true);
    expect(pending.answeredLocally('m1')).toBe(false);
  });

  test('a frame seen again keeps a local outcome (the user already had the unavailable frame)', () => {
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    jest.advanceTimersByTime(1000);
    pending.answered('m1');
    expect(pending.answeredLocally('m1')).toBe(true);
  });

  test('a message chat-log refused is remembered as refused, and only that one', () => {
    pending.accepted(pending.begin('m1', 'c1')!, 0);
    pending.settle('m1', 'rejected');
    pending.accepted(pending.begin('m2', 'c2')!, 0);
    jest.advanceTimersByTime(1000);
    expect(pending.refused('m1')).toBe(true);
    expect(pending.refused('m2')).toBe(false);
  });

  test('clear stops every timer', () => {
    for (const id of ['a', 'b', 'c']) pending.accepted(pending.begin(id, id)!, 0);
    pending.clear();
    jest.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    expect(pending.size).toBe(0);
  });
});

test('the timeout candidate is a valid gateway failure for the prompt', () => {
  const sid = '82838488-5c03-4e2e-919a-34c2b1e7baf8';
  const candidate = ChatReplyV1.parse(timeoutCandidate(sid, 'm1'));
  expect(candidate).toMatchObject({
    reply_id: `timeout:${sid}:m1`,
    kind: 'failure',
    prompt_message_id: 'm1',
    source: 'gateway',
    error_code: 'E5001',
    answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
  });
});
