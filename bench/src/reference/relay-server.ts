import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import WebSocket, { WebSocketServer } from 'ws';
import { announceReady, stopOnSignal } from './ready';
import { durableInHead } from './work-queue';

/**
 * Reference 1b, the ideal relay: each client frame is published as is to `<prefix>.in.<sid>`
 * (core NATS), a separate responder answers on `<prefix>.out.<sid>`, and one wildcard
 * subscription routes answers to sockets through a map. No validation, storage or acks: the
 * least work a NATS-based gateway must do.
 *
 * With RELAY_DURABLE=1 it is the front of reference 1c, the durable relay, and of 3b, the LLM
 * relay: frames go to `<prefix>.din.<sid>` through JetStream, each publish waiting for the
 * broker's ack (as the gateway's does), and relay-durable-responder.js or llm-relay-worker.js
 * answers them.
 */
async function main(): Promise<void> {
  const prefix = process.env.RELAY_PREFIX ?? 'bench';
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-relay' });
  const js = process.env.RELAY_DURABLE === '1' ? jetstream(nc) : null;
  const inHead = js ? durableInHead(prefix) : `${prefix}.in.`;
  // A refused publish is not answered: the load generator counts it as an error (reply timeout).
  const send = js ? (subject: string, data: Buffer) => void js.publish(subject, data).catch(() => undefined) : (subject: string, data: Buffer) => nc.publish(subject, data);
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
    const inbound = `${inHead}${sid}`;
    sessions.set(sid, ws);
    ws.on('error', () => undefined);
    ws.on('close', () => sessions.delete(sid));
    ws.on('message', (data) => send(inbound, data as Buffer));
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
