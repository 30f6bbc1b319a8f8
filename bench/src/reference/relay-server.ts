import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import WebSocket, { WebSocketServer } from 'ws';
import { announceReady, stopOnSignal } from './ready';

/**
 * Reference 1b, the ideal relay: each client frame is published as is to `<prefix>.in.<sid>`
 * (core NATS), a separate responder answers on `<prefix>.out.<sid>`, and one wildcard
 * subscription routes answers to sockets through a map. No validation, storage or acks: the
 * least work a NATS-based gateway must do.
 */
async function main(): Promise<void> {
  const prefix = process.env.RELAY_PREFIX ?? 'bench';
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-relay' });
  const sessions = new Map<string, WebSocket>();
  const outHead = `${prefix}.out.`;
  nc.subscribe(`${outHead}*`, {
    callback: (_error, msg) => {
      sessions.get(msg.subject.slice(outHead.length))?.send(msg.data, { binary: false });
    },
  });
  await nc.flush();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (ws) => {
    const sid = randomUUID();
    const inbound = `${prefix}.in.${sid}`;
    sessions.set(sid, ws);
    ws.on('error', () => undefined);
    ws.on('close', () => sessions.delete(sid));
    ws.on('message', (data) => nc.publish(inbound, data as Buffer));
    ws.send(JSON.stringify({ session_id: sid }));
  });
  wss.on('listening', () => {
    const address = wss.address();
    announceReady({ http: typeof address === 'object' && address ? address.port : 0 });
  });
  stopOnSignal(async () => {
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await nc.drain();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
