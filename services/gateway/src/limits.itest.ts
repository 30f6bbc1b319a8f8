import { startService, type RunningService } from '@chatbot/testkit';
import {
  connect,
  connectFrom,
  eventually,
  metric,
  refusedUpgrade,
  startWorld,
  StreamLog,
  type GatewayWorld,
  type InboundLog,
} from '../test/harness';

// One token a second per socket (burst 3) and per address (burst 5): a burst of frames sent in one
// go meets the limit whatever the machine's speed. The gateway trusts one proxy, so each test
// plays its own client addresses through X-Forwarded-For.
let world: GatewayWorld;
let inbound: InboundLog;

beforeAll(async () => {
  world = await startWorld({
    TRUST_PROXY: 'true',
    WS_RATE_PER_CONN: '1',
    WS_BURST_PER_CONN: '3',
    WS_RATE_PER_IP: '1',
    WS_BURST_PER_IP: '5',
    WS_MAX_CONN_PER_IP: '3',
    WS_MAX_PAYLOAD_BYTES: '4096',
  });
  inbound = await StreamLog.start(world.bus, 'chatInbound');
});
afterAll(() => world?.stop());

const message = (id: string) => ({ message_id: id, message: `text of ${id}` });
const publishedIds = (sessionId: string) => inbound.of(sessionId).map((m) => m.message_id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('message rate per connection', () => {
  test('frames over the burst get E4004 with retry_after_ms and are not published; after the wait the next one is', async () => {
    const { socket, sessionId } = await connectFrom(world.ws, '198.51.100.10', 'chat.v2');
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) socket.send(message(id));
    const accepted = await socket.waitFor((f) => f.type === 'accepted', 3);
    expect(accepted.map((f) => f.message_id)).toEqual(['m1', 'm2', 'm3']);
    const refused = await socket.waitFor((f) => f.type === 'error', 2);
    for (const [frame, id] of [[refused[0], 'm4'], [refused[1], 'm5']] as const) {
      expect(frame).toEqual({
        type: 'error',
        code: 'E4004',
        error: `Too many messages, slow down (retry in ${String(frame.retry_after_ms)} ms)`,
        retry_after_ms: expect.any(Number),
        message_id: id,
        seq: 0,
      });
      expect(frame.retry_after_ms).toBeGreaterThan(0);
      expect(frame.retry_after_ms).toBeLessThanOrEqual(1000);
    }

    await sleep(Math.max(...refused.map((f) => f.retry_after_ms as number)));
    socket.send(message('m6'));
    await socket.waitFor((f) => f.type === 'accepted' && f.message_id === 'm6');
    // m6 was published after m4 and m5 were handled: had they been published, they would precede it.
    await eventually(() => expect(publishedIds(sessionId)).toContain('m6'));
    expect(publishedIds(sessionId)).toEqual(['m1', 'm2', 'm3', 'm6']);
    expect(socket.closed).toBeNull();
    expect(await metric(world.http, 'chatbot_gateway_frames_rejected_total', 'reason="rate_connection"')).toBeGreaterThanOrEqual(2);
    await socket.close();
  });

  test('the seed client gets a short error text naming the wait', async () => {
    const { socket, sessionId } = await connectFrom(world.ws, '198.51.100.11');
    for (const id of ['v1', 'v2', 'v3', 'v4']) socket.send(message(id));
    const [refused] = await socket.waitFor((f) => typeof f.error === 'string');
    expect(Object.keys(refused)).toEqual(['error']);
    expect(refused.error).toMatch(/^Too many messages, slow down \(retry in \d{1,4} ms\)$/);
    await eventually(() => expect(publishedIds(sessionId)).toHaveLength(3));
    await socket.close();
  });
});

describe('message rate per address', () => {
  test('sockets of one address share its budget; another address is not slowed down', async () => {
    const a = await connectFrom(world.ws, '198.51.100.20', 'chat.v2');
    const b = await connectFrom(world.ws, '198.51.100.20', 'chat.v2');
    const other = await connectFrom(world.ws, '198.51.100.21', 'chat.v2');
    for (const id of ['a1', 'a2', 'a3']) a.socket.send(message(id));
    await a.socket.waitFor((f) => f.type === 'accepted', 3);
    for (const id of ['b1', 'b2', 'b3']) b.socket.send(message(id));
    const [refused] = await b.socket.waitFor((f) => f.type === 'error');
    expect(refused).toMatchObject({ code: 'E4004', message_id: 'b3', retry_after_ms: expect.any(Number) });
    expect(refused.retry_after_ms).toBeGreaterThan(0);
    other.socket.send(message('c1'));
    await other.socket.waitFor((f) => f.type === 'accepted' && f.message_id === 'c1');

    await sleep(refused.retry_after_ms as number);
    b.socket.send(message('b4'));
    await b.socket.waitFor((f) => f.type === 'accepted' && f.message_id === 'b4');
    await eventually(() => expect(publishedIds(b.sessionId)).toContain('b4'));
    expect(publishedIds(b.sessionId)).toEqual(['b1', 'b2', 'b4']);
    expect(publishedIds(a.sessionId)).toEqual(['a1', 'a2', 'a3']);
    expect(await metric(world.http, 'chatbot_gateway_frames_rejected_total', 'reason="rate_address"')).toBeGreaterThanOrEqual(1);
    await Promise.all([a, b, other].map(({ socket }) => socket.close()));
  });
});

describe('connections per address', () => {
  test('an address over WS_MAX_CONN_PER_IP gets HTTP 429 with E4010; others connect, and a closed socket frees its slot', async () => {
    const held = await Promise.all([1, 2, 3].map(() => connectFrom(world.ws, '198.51.100.30')));
    const refused = await refusedUpgrade(world.ws, { 'x-forwarded-for': '198.51.100.30' });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ error: 'Too many connections from this address', code: 'E4010' });
    // Only the address our proxy vouches for counts, not what the client wrote before it.
    expect((await refusedUpgrade(world.ws, { 'x-forwarded-for': '203.0.113.1, 198.51.100.30' })).status).toBe(429);
    const elsewhere = await connectFrom(world.ws, '198.51.100.31');
    expect(await metric(world.http, 'chatbot_gateway_ws_upgrades_refused_total', 'reason="connection_limit"')).toBe(2);

    await held[0].socket.close();
    const again = await eventually(() => connectFrom(world.ws, '198.51.100.30'));
    await Promise.all([...held.slice(1), elsewhere, again].map(({ socket }) => socket.close()));
  });

  test('without TRUST_PROXY, X-Forwarded-For is ignored: the peer address counts', async () => {
    let untrusting: RunningService | undefined;
    try {
      untrusting = await startService('gateway', { ...world.env.env, WS_MAX_CONN_PER_IP: '2' }, { instance: 'untrusting' });
      const url = `ws://127.0.0.1:${untrusting.ports.http}/api/chat/ws`;
      const held = [await connectFrom(url, '198.51.100.40'), await connectFrom(url, '198.51.100.41')];
      expect((await refusedUpgrade(url, { 'x-forwarded-for': '198.51.100.42' })).status).toBe(429);
      await Promise.all(held.map(({ socket }) => socket.close()));
    } finally {
      await untrusting?.process.stop('SIGTERM', 15_000);
    }
  });
});

describe('frame size', () => {
  test('compression is never negotiated, so a frame cannot inflate past the limit in memory', async () => {
    const { socket } = await connect(world.ws); // the ws client offers permessage-deflate by default
    expect(socket.ws.extensions).toBe('');
    await socket.close();
  });

  test('a frame over WS_MAX_PAYLOAD_BYTES closes the socket with 1009 and is counted', async () => {
    const { socket, sessionId } = await connect(world.ws);
    socket.send({ message_id: 'big', message: 'x'.repeat(5000) });
    await eventually(() => expect(socket.closed?.code).toBe(1009));
    expect(publishedIds(sessionId)).toEqual([]);
    expect(await metric(world.http, 'chatbot_gateway_frames_rejected_total', 'reason="too_large"')).toBe(1);
    expect(await metric(world.http, 'chatbot_gateway_ws_closed_total', 'reason="too_large",code="1009"')).toBe(1);
  });
});
