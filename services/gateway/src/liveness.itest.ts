import { connect as tcpConnect, type Socket } from 'node:net';
import { committed, connect, eventually, metric, startWorld, type GatewayWorld } from '../test/harness';

// Pings every second and a 3 s idle timeout, so liveness shows within a test's time. A pong has
// one ping interval to come back: on a loaded two-core machine a shorter one (200 ms was tried)
// sometimes cut off a test's own client, which then saw 1006 instead of the idle close.
let world: GatewayWorld;

beforeAll(async () => {
  world = await startWorld({ WS_PING_INTERVAL_MS: '1000', WS_IDLE_TIMEOUT_MS: '3000' });
});
afterAll(() => world?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client that completes the upgrade, reads its session frame, then never sends a byte again. */
async function silentPeer(port: number): Promise<{ socket: Socket; sessionId: string; ended: Promise<void> }> {
  const socket = tcpConnect(port, '127.0.0.1');
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let received = Buffer.alloc(0);
  const sessionId = await new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const match = /"session_id":"([0-9a-f-]{36})"/.exec(received.toString('latin1'));
      if (match) resolve(match[1]);
    });
    socket.once('error', reject);
    socket.write(
      'GET /api/chat/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
  expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  return { socket, sessionId, ended };
}

describe('heartbeat', () => {
  test('a half-open peer that answers no ping is cut off and its session released', async () => {
    const before = await metric(world.http, 'chatbot_gateway_ws_closed_total', 'reason="missed_pong",code="1006"');
    const peer = await silentPeer(Number(new URL(world.http).port));
    await peer.ended; // the gateway closed the TCP connection; the test bounds the wait
    expect(await metric(world.http, 'chatbot_gateway_ws_closed_total', 'reason="missed_pong",code="1006"')).toBe(before + 1);
    // The presence responder stops right after the close (not in the same tick): ask until it has.
    await eventually(() => expect(world.bus.request('presence', {}, { token: peer.sessionId, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'E5002' }));
  });

  test('a client answering pings stays connected past the ping interval', async () => {
    const { socket } = await connect(world.ws, 'chat.v2');
    const pinged = new Promise<void>((resolve) => socket.ws.once('ping', () => socket.ws.once('ping', () => resolve())));
    await pinged; // two pings: the first pong arrived in time
    socket.send({ message_id: 'still-here', message: 'hi' });
    await socket.waitFor((f) => f.type === 'accepted');
    expect(socket.closed).toBeNull();
    await socket.close();
  });
});

describe('idle timeout', () => {
  test('a socket with no client frame for WS_IDLE_TIMEOUT_MS is closed with 1000, pongs notwithstanding', async () => {
    const { socket } = await connect(world.ws);
    let pings = 0;
    socket.ws.on('ping', () => pings++);
    await eventually(() => expect(socket.closed).toEqual({ code: 1000, reason: 'idle timeout' }), 10_000);
    expect(pings).toBeGreaterThan(1);
    expect(await metric(world.http, 'chatbot_gateway_ws_closed_total', 'reason="idle",code="1000"')).toBeGreaterThanOrEqual(1);
  });

  test('each client frame restarts the idle clock', async () => {
    const { socket, sessionId } = await connect(world.ws, 'chat.v2');
    for (let i = 0; i < 6; i++) {
      await sleep(1_000); // 6 s in all, twice the idle timeout
      socket.send({ message_id: `keep-${i}`, message: 'still typing' });
    }
    await socket.waitFor((f) => f.type === 'accepted', 6);
    expect(socket.closed).toBeNull();
    await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(1, 'keep-0') });
    await socket.waitFor((f) => f.type === 'reply');
    await socket.close();
  });
});
