import type { CommittedFrame } from '@chatbot/proto';
import { decodeClientFrame } from '../socket/frame.codec';
import { SocketOrder, type Arrival, type Effect } from './socket-order.machine';

/**
 * An account's socket: it shares its session with the account's other tabs (their prompts'
 * frames come to it too), and its access token expires (it closes between replies, never in one).
 */
const SID = '82838488-5c03-4e2e-919a-34c2b1e7baf8';

function accountSocket(resumeFrom: number | null = null) {
  let ids = 0;
  const order = new SocketOrder({ sessionId: SID, protocol: 2, resumeFrom, newId: () => `c${++ids}`, now: () => 0, expires: true });
  order.open();
  return order;
}

const message = (id: string): Arrival => ({ kind: 'decoded', decoded: decodeClientFrame(JSON.stringify({ message_id: id, message: 'hi' }), 4000) });
const frame = (seq: number, prompt: string | null): CommittedFrame => ({
  seq,
  message_id: `b${seq}`,
  prompt_message_id: prompt,
  answer: { message: `answer ${seq}`, login_required: false },
  timestamp: '2026-12-07T00:00:00.000Z',
});
/** The client's frames and the close, as short lines. */
const seen = (effects: Effect[]) =>
  effects.flatMap((e) => {
    if (e.kind === 'expired') return ['expired'];
    if (e.kind === 'publish') return [`publish ${e.frame.message_id}`];
    if (e.kind === 'fetchFrames') return [`fetch ${e.purpose} after ${e.afterSeq}`];
    if (e.kind !== 'send') return [];
    const f = e.frame;
    if (f.type === 'reply') return [`reply #${f.seq} for ${f.frame.prompt_message_id}`];
    if (f.type === 'error') return [`error ${f.code} ${f.messageId}`];
    return 'messageId' in f ? [`${f.type} ${f.messageId}`] : [f.type];
  });

describe("another tab's prompts", () => {
  test('their progress, stored and reply reach this tab in order, without an accepted of their own', () => {
    const order = accountSocket();
    expect(seen(order.deliver({ type: 'stored', message_id: 'tab2-m1' }))).toEqual(['stored tab2-m1']);
    expect(seen(order.deliver({ type: 'typing', message_id: 'tab2-m1' }))).toEqual(['typing tab2-m1']);
    expect(seen(order.deliver({ type: 'delta', message_id: 'tab2-m1', index: 0, text: '안' }))).toEqual(['delta tab2-m1']);
    expect(seen(order.deliver({ type: 'frame', frame: frame(1, 'tab2-m1') }))).toEqual(['reply #1 for tab2-m1']);
  });

  test("a gap before another tab's reply is fetched from chat-log first, and each seq is shown once", () => {
    const order = accountSocket();
    order.arrive(message('mine'));
    order.accepted('c1', false);
    expect(seen(order.deliver({ type: 'frame', frame: frame(2, 'tab2-m2') }))).toEqual(['fetch gap after 0']);
    expect(seen(order.deliver({ type: 'frame', frame: frame(3, 'mine') }))).toEqual([]);
    expect(seen(order.fetched('gap', { resync: false, frames: [frame(1, 'tab2-m1'), frame(2, 'tab2-m2')] }))).toEqual([
      'reply #1 for tab2-m1',
      'reply #2 for tab2-m2',
      'reply #3 for mine',
    ]);
    expect(seen(order.deliver({ type: 'frame', frame: frame(2, 'tab2-m2') }))).toEqual([]);
  });
});

describe('an expired access token', () => {
  test('with nothing in progress the socket may close at once', () => {
    expect(seen(accountSocket().expire())).toEqual(['expired']);
  });

  test("the close waits for this tab's reply in progress, then comes once", () => {
    const order = accountSocket();
    order.arrive(message('m1'));
    order.accepted('c1', false);
    order.deliver({ type: 'delta', message_id: 'm1', index: 0, text: '안' });
    expect(seen(order.expire())).toEqual([]);
    expect(seen(order.deliver({ type: 'delta', message_id: 'm1', index: 1, text: '녕' }))).toEqual(['delta m1']);
    expect(seen(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['reply #1 for m1', 'expired']);
    expect(seen(order.deliver({ type: 'frame', frame: frame(2, null) }))).toEqual(['reply #2 for null']);
  });

  test("the close waits for another tab's streaming reply too", () => {
    const order = accountSocket();
    order.deliver({ type: 'typing', message_id: 'tab2-m1' });
    expect(seen(order.expire())).toEqual([]);
    expect(seen(order.deliver({ type: 'frame', frame: frame(1, 'tab2-m1') }))).toEqual(['reply #1 for tab2-m1', 'expired']);
  });

  test('a message sent after it is refused, not published: the client sends it again after refreshing', () => {
    const order = accountSocket();
    order.arrive(message('m1'));
    order.accepted('c1', false);
    order.expire();
    expect(seen(order.arrive(message('m2')))).toEqual(['error E4012 m2']);
    expect(seen(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['reply #1 for m1', 'expired']);
  });

  test('a resume waits for its replay before closing', () => {
    let ids = 0;
    const order = new SocketOrder({ sessionId: SID, protocol: 2, resumeFrom: 1, newId: () => `c${++ids}`, now: () => 0, expires: true });
    order.open();
    expect(seen(order.expire())).toEqual([]);
    expect(seen(order.fetched('replay', { resync: false, frames: [frame(2, 'm1')] }))).toEqual(['reply #2 for m1', 'expired']);
  });
});
