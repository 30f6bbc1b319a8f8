import type { ServerFrameV2 } from '@chatbot/proto';
import { ChatSocket, type KeyValueStore, type SocketLike, type Status } from './chat.socket';

/** A socket the test plays the gateway on: it records what the page sent and delivers frames. */
class FakeSocket implements SocketLike {
  sent: Array<{ message_id: string; message: string }> = [];
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  deliver(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  drop(code = 1006) {
    this.onclose?.({ code } as CloseEvent);
  }
}

const SESSION = '2b1c6f0e-8a43-4f57-9d6a-0f4b5e9c1a11';

function harness(store: KeyValueStore = memoryStore(), auth: { token?: () => string | null; reauthorize?: () => Promise<unknown> } = {}) {
  const sockets: FakeSocket[] = [];
  const frames: ServerFrameV2[] = [];
  const statuses: Status[] = [];
  const timers: Array<{ run: () => void; ms: number }> = [];
  const chat = new ChatSocket({
    url: (query) => `ws://gw/api/chat/ws${query}`,
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    store,
    onFrame: (frame) => frames.push(frame),
    onStatus: (status) => statuses.push(status),
    ...auth,
    backoffMs: () => 100,
    setTimer: (run, ms) => timers.push({ run, ms }),
  });
  const last = () => sockets[sockets.length - 1];
  const runTimers = () => timers.splice(0).forEach((t) => t.run());
  const open = (seq = 0, resumed = false) => last().deliver({ type: 'session', session_id: SESSION, protocol: 2, resumed, seq });
  return { chat, sockets, frames, statuses, timers, store, last, runTimers, open };
}

function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const reply = (message_id: string, seq: number) => ({ type: 'reply', sender: 'bot', timestamp: 't', message_id, message: `answer ${seq}`, login_required: false, seq });

test('a first visit asks for a new v2 session and sends once the session frame arrived', () => {
  const h = harness();
  h.chat.connect();
  expect(h.last().url).toBe('ws://gw/api/chat/ws?protocol=2');
  h.chat.send('m1', 'hello'); // typed before the session frame: waits for it
  expect(h.last().sent).toEqual([]);
  h.open();
  expect(h.statuses).toEqual(['online']);
  expect(h.last().sent).toEqual([{ type: 'message', message_id: 'm1', message: 'hello' }]);
  h.chat.send('m2', 'again');
  expect(h.last().sent.map((f) => f.message_id)).toEqual(['m1', 'm2']);
});

test('after a drop it reconnects with its session and last seq, and resends exactly the messages not yet stored', () => {
  const h = harness();
  h.chat.connect();
  h.open();
  h.chat.send('m1', 'first');
  h.chat.send('m2', 'second');
  h.chat.send('m3', 'third');
  h.last().deliver({ type: 'accepted', message_id: 'm1', seq: 0 });
  h.last().deliver({ type: 'stored', message_id: 'm1', seq: 0 });
  h.last().deliver(reply('m1', 1));
  h.last().deliver({ type: 'accepted', message_id: 'm2', seq: 1 });
  h.last().deliver({ type: 'stored', message_id: 'm2', seq: 1 });
  h.last().deliver({ type: 'delta', message_id: 'm2', index: 0, text: 'ans', seq: 1 });
  h.last().drop();

  expect(h.statuses).toEqual(['online', 'offline']);
  expect(h.sockets).toHaveLength(1); // waits its backoff first
  h.runTimers();
  expect(h.last().url).toBe(`ws://gw/api/chat/ws?protocol=2&session_id=${SESSION}&last_seq=1`);
  h.open(1, true);
  expect(h.last().sent).toEqual([{ type: 'message', message_id: 'm3', message: 'third' }]);
  expect(h.statuses).toEqual(['online', 'offline', 'connecting', 'online']);
});

test('a reply it already has (a resend of an answered message, a replay) is not handed on twice', () => {
  const h = harness();
  h.chat.connect();
  h.open();
  h.chat.send('m1', 'first');
  h.last().deliver(reply('m1', 1));
  h.last().deliver(reply('m1', 1));
  expect(h.frames.filter((f) => f.type === 'reply')).toHaveLength(1);
  expect(h.chat.lastSeq).toBe(1);
});

test('a reload (a new client on the same storage) resumes the session and resends what was not stored', () => {
  const store = memoryStore();
  const before = harness(store);
  before.chat.connect();
  before.open();
  before.chat.send('m1', 'answered');
  before.last().deliver(reply('m1', 1));
  before.chat.send('m2', 'in flight');
  before.last().deliver({ type: 'accepted', message_id: 'm2', seq: 1 });

  const after = harness(store);
  after.chat.connect();
  expect(after.last().url).toBe(`ws://gw/api/chat/ws?protocol=2&session_id=${SESSION}&last_seq=1`);
  after.open(1, true);
  expect(after.last().sent).toEqual([{ type: 'message', message_id: 'm2', message: 'in flight' }]);
});

test('a message the server did not take (rate limit, broker away) is sent again later; a refused one is not', () => {
  const h = harness();
  h.chat.connect();
  h.open();
  h.chat.send('slow', 'too fast');
  h.chat.send('bad', 'x'.repeat(10));
  h.last().deliver({ type: 'error', code: 'E4004', error: 'slow down', message_id: 'slow', retry_after_ms: 700, seq: 0 });
  h.last().deliver({ type: 'error', code: 'E4003', error: 'too long', message_id: 'bad', seq: 0 });
  expect(h.timers.map((t) => t.ms)).toEqual([700]);
  h.runTimers();
  expect(h.last().sent.map((f) => f.message_id)).toEqual(['slow', 'bad', 'slow']);
  h.last().drop();
  h.runTimers();
  h.open();
  expect(h.last().sent.map((f) => f.message_id)).toEqual(['slow']);
});

test('a session resumed in another tab stops this one; an idle close waits for the next message', () => {
  const replaced = harness();
  replaced.chat.connect();
  replaced.open();
  replaced.last().drop(4001);
  expect(replaced.statuses.at(-1)).toBe('replaced');
  expect(replaced.timers).toEqual([]);

  const idle = harness();
  idle.chat.connect();
  idle.open();
  idle.last().drop(1000);
  expect(idle.statuses.at(-1)).toBe('idle');
  expect(idle.timers).toEqual([]);
  idle.chat.send('m1', 'back again');
  expect(idle.sockets).toHaveLength(2);
  idle.open();
  expect(idle.last().sent.map((f) => f.message_id)).toEqual(['m1']);
});

test('signed in, the socket carries the access token; a 4401 close refreshes it and reconnects with the new one', async () => {
  let token = 'access-1';
  let refreshed = 0;
  const h = harness(memoryStore(), {
    token: () => token,
    reauthorize: async () => {
      refreshed += 1;
      token = 'access-2';
    },
  });
  h.chat.connect();
  expect(h.last().url).toBe('ws://gw/api/chat/ws?protocol=2&token=access-1');
  h.open();
  h.last().drop(4401);
  expect(h.statuses.at(-1)).toBe('offline');
  await Promise.resolve();
  await Promise.resolve();
  expect(refreshed).toBe(1);
  expect(h.last().url).toBe(`ws://gw/api/chat/ws?protocol=2&session_id=${SESSION}&last_seq=0&token=access-2`);
});

test('a stopped connection does not come back', () => {
  const h = harness();
  h.chat.connect();
  h.open();
  h.chat.stop();
  h.last().drop(1006);
  expect(h.timers).toEqual([]);
  h.chat.connect();
  expect(h.sockets).toHaveLength(1);
});
