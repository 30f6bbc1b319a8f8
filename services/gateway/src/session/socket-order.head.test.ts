import type { CommittedFrame } from '@chatbot/proto';
import { decodeClientFrame } from '../socket/frame.codec';
import { AT_HEAD } from '../socket/ws.handshake';
import { SocketOrder, type Arrival, type Effect } from './socket-order.machine';

/** A seed client naming an existing session joins it at its head: no past frame, every new one. */
const SID = '82838488-5c03-4e2e-919a-34c2b1e7baf8';

function joining() {
  let ids = 0;
  return new SocketOrder({ sessionId: SID, protocol: 2, resumeFrom: AT_HEAD, newId: () => `c${++ids}`, now: () => 0 });
}

const message = (id: string): Arrival => ({ kind: 'decoded', decoded: decodeClientFrame(JSON.stringify({ message_id: id, message: 'hi' }), 4000) });
const frame = (seq: number, prompt: string | null): CommittedFrame => ({
  seq,
  message_id: prompt ?? `push${seq}`,
  prompt_message_id: prompt,
  answer: { message: `answer ${seq}`, login_required: false },
  timestamp: '2026-12-07T00:00:00.000Z',
});
const replies = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'send' && e.frame.type === 'reply' ? [e.frame.frame.seq] : []));
const kinds = (effects: Effect[]) => effects.map((e) => (e.kind === 'send' ? e.frame.type : e.kind));

test('asks chat-log for the head, and holds the client\'s message until it is known', () => {
  const order = joining();
  order.arrive(message('m1'));
  const opened = order.open();
  expect(kinds(opened)).toEqual(['session', 'fetchFrames']);
  expect(opened[1]).toMatchObject({ purpose: 'replay', afterSeq: AT_HEAD });
  // A frame of the past arriving meanwhile is not shown; the message goes out once the head is known.
  expect(order.deliver({ type: 'frame', frame: frame(5, 'old') })).toEqual([]);
  const live = order.fetched('replay', { resync: true, reason: 'unknown_seq', lastSeq: 5 });
  expect(kinds(live)).toEqual(['drop', 'publish']);
  order.accepted('c1', false);
  expect(replies(order.deliver({ type: 'frame', frame: frame(6, 'm1') }))).toEqual([6]);
});

test('with chat-log away, the first live frame sets the seq and nothing past is replayed', () => {
  const order = joining();
  order.open();
  const live = order.fetched('replay', { resync: true, reason: 'history_unavailable', lastSeq: AT_HEAD });
  expect(kinds(live)).toEqual([]); // no resync frame: the client has no history to reload
  expect(kinds(order.arrive(message('m1')))).toEqual(['publish']);
  order.accepted('c1', false);
  const shown = order.deliver({ type: 'frame', frame: frame(9, 'm1') });
  expect(replies(shown)).toEqual([9]);
  expect(shown.some((e) => e.kind === 'fetchFrames')).toBe(false);
  expect(replies(order.deliver({ type: 'frame', frame: frame(10, null) }))).toEqual([10]);
});
