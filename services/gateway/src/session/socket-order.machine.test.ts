import type { CommittedFrame } from '@chatbot/proto';
import { decodeClientFrame, type Protocol, type ServerFrame } from '../socket/frame.codec';
import { SocketOrder, type Arrival, type Effect } from './socket-order.machine';

const SID = '82838488-5c03-4e2e-919a-34c2b1e7baf8';

function socketOrder(protocol: Protocol = 2, resumeFrom: number | null = null) {
  let ids = 0;
  let clock = 0;
  const order = new SocketOrder({ sessionId: SID, protocol, resumeFrom, newId: () => `c${++ids}`, now: () => clock });
  return { order, advance: (ms: number) => (clock += ms) };
}

/** An open, live order with message m1 published and acked. */
function awaitingReply(protocol: Protocol = 2) {
  const setup = socketOrder(protocol);
  setup.order.open();
  setup.order.arrive(message('m1'));
  setup.order.accepted('c1', false);
  return setup;
}

const message = (id: string): Arrival => ({ kind: 'decoded', decoded: decodeClientFrame(JSON.stringify({ message_id: id, message: 'hi' }), 4000) });

const frame = (seq: number, prompt: string | null): CommittedFrame => ({
  seq,
  message_id: `b${seq}`,
  prompt_message_id: prompt,
  answer: { message: `answer ${seq}`, login_required: false },
  timestamp: '2026-12-07T00:00:00.000Z',
});

const missed = (...frames: CommittedFrame[]) => ({ resync: false as const, frames });

/** Each effect as one short line, so a test reads as the sequence the client and the I/O see. */
function trace(effects: Effect[]): string[] {
  return effects.map((effect) => {
    switch (effect.kind) {
      case 'send':
        return shown(effect.frame);
      case 'publish':
        return `publish ${effect.frame.message_id}`;
      case 'fetchFrames':
        return `fetch ${effect.purpose} after ${effect.afterSeq}`;
      case 'fetchPrompt':
        return `ask chat-log about ${effect.messageId}`;
      case 'startTimer':
      case 'stopTimer':
        return `${effect.kind} ${effect.messageId}`;
      case 'publishFailure':
        return `failure candidate ${effect.messageId}`;
      case 'handoff':
        return 'ask chat-log for a person';
      case 'drop':
        return `drop ${effect.reason}`;
      case 'count':
      case 'observe':
        return `${effect.kind} ${effect.metric}`;
      case 'expired':
        return 'expired';
    }
  });
}

function shown(frame: ServerFrame): string {
  switch (frame.type) {
    case 'session':
      return `session${frame.resumed ? ' resumed' : ''} #${frame.seq}`;
    case 'reply':
      return `reply #${frame.seq} for ${frame.frame.prompt_message_id}`;
    case 'error':
      return `error ${frame.code}${frame.messageId ? ` ${frame.messageId}` : ''}`;
    case 'resync':
      return `resync ${frame.reason} #${frame.seq}`;
    case 'delta':
      return `delta ${frame.messageId} ${frame.index}`;
    case 'handed':
      return `handed ${frame.messageId} ${frame.status}`;
    default:
      return `${frame.type} ${frame.messageId}`;
  }
}

describe('opening', () => {
  test('the session frame goes first; client frames and deliveries that came before it follow', () => {
    const { order } = socketOrder();
    expect(order.arrive(message('m1'))).toEqual([]);
    expect(order.arrive({ kind: 'binary' })).toEqual([]);
    expect(order.deliver({ type: 'frame', frame: frame(1, null) })).toEqual([]);
    expect(trace(order.open())).toEqual(['session #0', 'publish m1', 'error E4009', 'reply #1 for null']);
  });

  test('refused frames that arrive while it opens get at most 16 notices', () => {
    const { order } = socketOrder();
    for (let i = 0; i < 40; i++) order.arrive({ kind: 'limited', retryAfterMs: 100 });
    expect(trace(order.open()).filter((line) => line === 'error E4004')).toHaveLength(16);
  });
});

describe('one message', () => {
  test('accepted before typing before deltas before stored before the reply, when each comes in turn', () => {
    const { order } = socketOrder();
    order.open();
    expect(trace(order.arrive(message('m1')))).toEqual(['publish m1']);
    expect(trace(order.accepted('c1', false))).toEqual(['accepted m1', 'startTimer m1']);
    expect(trace(order.deliver({ type: 'typing', message_id: 'm1' }))).toEqual(['startTimer m1', 'typing m1']);
    expect(trace(order.deliver({ type: 'delta', message_id: 'm1', index: 0, text: '안' }))).toEqual(['startTimer m1', 'observe firstToken', 'delta m1 0']);
    expect(trace(order.deliver({ type: 'stored', message_id: 'm1' }))).toEqual(['stored m1']);
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['stopTimer m1', 'observe replyLatency', 'reply #1 for m1']);
  });

  test('the same order when the worker beats the broker ack: what came early waits for `accepted`', () => {
    const { order } = socketOrder();
    order.open();
    order.arrive(message('m1'));
    expect(order.deliver({ type: 'typing', message_id: 'm1' })).toEqual([]);
    expect(order.deliver({ type: 'delta', message_id: 'm1', index: 0, text: '안' })).toEqual([]);
    expect(order.deliver({ type: 'stored', message_id: 'm1' })).toEqual([]);
    expect(order.deliver({ type: 'frame', frame: frame(1, 'm1') })).toEqual([]);
    expect(trace(order.accepted('c1', false)).filter((line) => !line.startsWith('observe') && !line.includes('Timer'))).toEqual([
      'accepted m1',
      'typing m1',
      'delta m1 0',
      'stored m1',
      'reply #1 for m1',
    ]);
  });

  test('a v1 client sees its session frame and one bot frame per message, nothing in between', () => {
    const { order } = socketOrder(1);
    expect(trace(order.open())).toEqual(['session #0']);
    order.arrive(message('m1'));
    expect(trace(order.accepted('c1', false))).toEqual(['startTimer m1']);
    expect(trace(order.deliver({ type: 'typing', message_id: 'm1' }))).toEqual(['startTimer m1']);
    expect(trace(order.deliver({ type: 'stored', message_id: 'm1' }))).toEqual([]);
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['stopTimer m1', 'observe replyLatency', 'reply #1 for m1']);
  });

  test('the latency figures run from the broker ack', () => {
    const { order, advance } = socketOrder();
    order.open();
    order.arrive(message('m1'));
    advance(1_000);
    order.accepted('c1', false);
    advance(250);
    const delta = order.deliver({ type: 'delta', message_id: 'm1', index: 0, text: '안' });
    advance(500);
    const reply = order.deliver({ type: 'frame', frame: frame(1, 'm1') });
    expect([...delta, ...reply].filter((effect) => effect.kind === 'observe')).toEqual([
      { kind: 'observe', metric: 'firstToken', seconds: 0.25 },
      { kind: 'observe', metric: 'replyLatency', seconds: 0.75 },
    ]);
  });
});

describe('seq order', () => {
  test('a gap in seq is filled from chat-log before the frames after it are shown', () => {
    const { order } = awaitingReply();
    order.deliver({ type: 'frame', frame: frame(1, null) });
    expect(trace(order.deliver({ type: 'frame', frame: frame(3, null) }))).toEqual(['count seqGaps', 'fetch gap after 1']);
    expect(order.deliver({ type: 'frame', frame: frame(4, 'm1') })).toEqual([]);
    expect(trace(order.fetched('gap', missed(frame(2, null), frame(3, null))))).toEqual([
      'reply #2 for null',
      'reply #3 for null',
      'drop duplicate',
      'stopTimer m1',
      'observe replyLatency',
      'reply #4 for m1',
    ]);
    expect(trace(order.deliver({ type: 'frame', frame: frame(5, null) }))).toEqual(['reply #5 for null']);
  });

  test('duplicates are dropped: a seq already shown, and progress for an answered message', () => {
    const { order } = awaitingReply();
    order.deliver({ type: 'frame', frame: frame(1, 'm1') });
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['drop duplicate']);
    expect(trace(order.deliver({ type: 'typing', message_id: 'm1' }))).toEqual(['drop answered']);
    expect(trace(order.deliver({ type: 'delta', message_id: 'm1', index: 3, text: 'x' }))).toEqual(['drop answered']);
  });

  test('a resend of a pending message is published again but tracked once', () => {
    const { order } = awaitingReply();
    expect(trace(order.arrive(message('m1')))).toEqual(['publish m1']);
    expect(trace(order.accepted('c2', false))).toEqual(['accepted m1']); // no second timer
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toContain('reply #1 for m1');
    expect(trace(order.arrive(message('m1')))).toEqual(['publish m1']);
    expect(trace(order.accepted('c3', false))).toEqual(['accepted m1']);
  });
});

describe('timeout', () => {
  test('v2: an error frame and a failure candidate; the committed reply still follows, once', () => {
    const { order } = awaitingReply(2);
    expect(trace(order.timeout('m1'))).toEqual(['count timeouts', 'error E5001 m1', 'failure candidate m1', 'fetch catchUp after 0']);
    expect(order.timeout('m1')).toEqual([]);
    expect(trace(order.deliver({ type: 'delta', message_id: 'm1', index: 0, text: '늦' }))).toEqual(['observe firstToken', 'delta m1 0']);
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['observe replyLatency', 'reply #1 for m1']);
  });

  test('v1: the unavailable frame is the one bot frame; the late committed frame is dropped', () => {
    const { order } = awaitingReply(1);
    expect(trace(order.timeout('m1'))).toEqual(['count timeouts', 'unavailable m1', 'failure candidate m1', 'fetch catchUp after 0']);
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['drop answered']);
    expect(trace(order.arrive(message('m1')))).toEqual(['publish m1']);
    expect(trace(order.accepted('c2', false))).toEqual([]); // answered: not tracked again
  });

  test('a reply stops the timer: a late timeout changes nothing', () => {
    const { order } = awaitingReply();
    order.deliver({ type: 'frame', frame: frame(1, 'm1') });
    expect(order.timeout('m1')).toEqual([]);
  });
});

describe('handoff', () => {
  test('a handed message: its timer stops, v2 is told, no reply and no timeout follow; told again is dropped', () => {
    const { order } = awaitingReply(2);
    expect(trace(order.deliver({ type: 'handed', message_id: 'm1', status: 'agent' }))).toEqual(['stopTimer m1', 'handed m1 agent']);
    expect(order.timeout('m1')).toEqual([]);
    expect(trace(order.deliver({ type: 'handed', message_id: 'm1', status: 'agent' }))).toEqual(['drop answered']);
    const agentFrame = { ...frame(1, null), sender: 'agent' as const };
    expect(trace(order.deliver({ type: 'frame', frame: agentFrame }))).toEqual(['reply #1 for null']);
  });

  test('a lost `handed` notice: the timer asks chat-log first, and a handed message is settled, not timed out', () => {
    const { order } = awaitingReply(2);
    expect(trace(order.timedOut('m1', { message: 'stored', frame: null, handed: 'agent' }))).toEqual(['stopTimer m1', 'handed m1 agent']);
    expect(order.timeout('m1')).toEqual([]);
    const late = awaitingReply(2).order;
    expect(trace(late.timedOut('m1', undefined))).toEqual(['count timeouts', 'error E5001 m1', 'failure candidate m1', 'fetch catchUp after 0']);
  });

  test('v1: a handed message gets no frame at all', () => {
    const { order } = awaitingReply(1);
    expect(trace(order.deliver({ type: 'handed', message_id: 'm1', status: 'waiting' }))).toEqual(['stopTimer m1']);
  });

  test('the v2 frame {"type":"handoff"} asks chat-log; a refusal is an error frame', () => {
    const { order } = socketOrder(2);
    order.open();
    const handoff: Arrival = { kind: 'decoded', decoded: decodeClientFrame('{"type":"handoff"}', 4000) };
    expect(trace(order.arrive(handoff))).toEqual(['ask chat-log for a person']);
    expect(trace(order.handoffRefused('E4030'))).toEqual(['error E4030']);
  });
});

describe('resume', () => {
  test('missed frames are replayed before any live delivery', () => {
    const { order } = socketOrder(2, 3);
    expect(trace(order.open())).toEqual(['session resumed #3', 'fetch replay after 3']);
    expect(order.deliver({ type: 'frame', frame: frame(6, null) })).toEqual([]);
    expect(trace(order.fetched('replay', missed(frame(4, null), frame(5, null))))).toEqual([
      'reply #4 for null',
      'reply #5 for null',
      'reply #6 for null',
    ]);
  });

  test('a claim chat-log cannot serve is a resync at its last seq, and the next frame follows it', () => {
    const { order } = socketOrder(2, 9);
    order.open();
    expect(trace(order.fetched('replay', { resync: true, reason: 'unknown_seq', lastSeq: 2 }))).toEqual(['resync unknown_seq #2']);
    expect(trace(order.deliver({ type: 'frame', frame: frame(3, null) }))).toEqual(['reply #3 for null']);
  });

  test('a resend the broker dropped as a duplicate asks chat-log, whose answer settles it', () => {
    const { order } = socketOrder(2, 0);
    order.open();
    order.fetched('replay', missed());
    order.arrive(message('m1'));
    expect(trace(order.accepted('c1', true))).toEqual(['accepted m1', 'startTimer m1', 'ask chat-log about m1']);
    expect(trace(order.promptStatus('m1', { message: 'stored', frame: frame(1, 'm1') }))).toEqual([
      'stored m1',
      'stopTimer m1',
      'observe replyLatency',
      'reply #1 for m1',
    ]);
  });

  test('a message chat-log refused is refused again at once when resent', () => {
    const { order } = awaitingReply();
    expect(trace(order.deliver({ type: 'rejected', message_id: 'm1', code: 'E4008' }))).toEqual(['stopTimer m1', 'error E4008 m1']);
    expect(trace(order.arrive(message('m1')))).toEqual(['error E4008 m1']);
  });
});

describe('broker link', () => {
  test('after a reconnect only a socket awaiting a reply fetches what it may have lost', () => {
    const idle = socketOrder();
    idle.order.open();
    expect(idle.order.reconnected()).toEqual([]);
    const { order } = awaitingReply();
    expect(trace(order.reconnected())).toEqual(['fetch catchUp after 0']);
    expect(trace(order.fetched('catchUp', { resync: true, reason: 'frames_expired', lastSeq: 4 }))).toEqual(['resync frames_expired #4']);
  });

  test('v2: a publish the broker did not take is an E5006 and may be sent again', () => {
    const { order } = socketOrder(2);
    order.open();
    order.arrive(message('m1'));
    expect(trace(order.publishFailed('c1'))).toEqual(['error E5006 m1']);
    order.arrive(message('m1'));
    expect(trace(order.accepted('c2', false))).toEqual(['accepted m1', 'startTimer m1']);
  });

  test('v1: a publish the broker did not take gets the unavailable frame, and a late answer is dropped', () => {
    const { order } = socketOrder(1);
    order.open();
    order.arrive(message('m1'));
    expect(trace(order.publishFailed('c1'))).toEqual(['unavailable m1']);
    expect(trace(order.deliver({ type: 'frame', frame: frame(1, 'm1') }))).toEqual(['drop answered']);
  });
});

test('after the socket closed nothing is sent or asked for', () => {
  const { order } = awaitingReply();
  order.close();
  expect(order.deliver({ type: 'frame', frame: frame(1, 'm1') })).toEqual([]);
  expect(order.timeout('m1')).toEqual([]);
  expect(order.reconnected()).toEqual([]);
});
