import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { announceReady, stopOnSignal } from './ready';

/**
 * Reference 1a: a bare WebSocket echo server, the floor of what any gateway can do on this
 * machine. It greets like the gateway (`{session_id}`) and sends every frame back unchanged.
 */
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.send(JSON.stringify({ session_id: randomUUID() }));
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => {
  const address = wss.address();
  announceReady({ http: typeof address === 'object' && address ? address.port : 0 });
});
stopOnSignal(() => new Promise<void>((resolve) => wss.close(() => resolve())));
