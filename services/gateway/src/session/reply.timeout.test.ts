import { ChatReplyV1, UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { ReplyTimers, timeoutCandidate } from './reply.timeout';

describe('reply timers', () => {
  let fired: string[];
  let timers: ReplyTimers;
  beforeEach(() => {
    jest.useFakeTimers();
    fired = [];
    timers = new ReplyTimers(1000, (messageId) => fired.push(messageId));
  });
  afterEach(() => jest.useRealTimers());

  test('fires once, after the timeout', () => {
    timers.start('m1');
    jest.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['m1']);
    jest.advanceTimersByTime(5000);
    expect(fired).toEqual(['m1']);
  });

  test('starting it again moves the deadline (progress)', () => {
    timers.start('m1');
    jest.advanceTimersByTime(800);
    timers.start('m1');
    jest.advanceTimersByTime(800);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(200);
    expect(fired).toEqual(['m1']);
  });

  test('a fired timer is forgotten: starting it again is a new timer', () => {
    timers.start('m1');
    jest.advanceTimersByTime(1000);
    timers.start('m1');
    jest.advanceTimersByTime(1000);
    expect(fired).toEqual(['m1', 'm1']);
  });

  test('stop and clear stop the timers', () => {
    for (const id of ['a', 'b', 'c']) timers.start(id);
    timers.stop('a');
    jest.advanceTimersByTime(500);
    timers.clear();
    jest.advanceTimersByTime(5000);
    expect(fired).toEqual([]);
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
