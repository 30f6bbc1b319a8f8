import { createServer, connect as tcpConnect, type Socket } from 'node:net';

/**
 * A TCP relay between the gateway and NATS that can lose a message on the way, as core NATS does
 * when a link drops: everything passes through unchanged except the one message the server sends
 * that a rule picks. No service is played by it; it is the network.
 */
export interface LossyLink {
  /** The NATS URL to give the gateway. */
  url: string;
  /** Loses the next message the server sends through the link that `match` picks; resolves once lost. */
  loseNext(match: (subject: string, payload: Buffer) => boolean): Promise<void>;
  close(): Promise<void>;
}

interface Rule {
  match: (subject: string, payload: Buffer) => boolean;
  lost: () => void;
}

export async function startLossyLink(natsUrl: string): Promise<LossyLink> {
  const target = new URL(natsUrl);
  const rules: Rule[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      const { out, rest } = filterMessages(Buffer.concat([pending, chunk]), rules);
      pending = Buffer.from(rest);
      if (out.length > 0) client.write(out);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    loseNext: (match) => new Promise((lost) => void rules.push({ match, lost })),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Splits the server's protocol stream into whole operations (a line, or a MSG/HMSG line with its
 * payload) and keeps all but a message a rule picks. What is not whole yet stays for the next chunk.
 */
function filterMessages(buffer: Buffer, rules: Rule[]): { out: Buffer; rest: Buffer } {
  const kept: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buffer.indexOf('\r\n', at);
    if (eol < 0) break;
    const line = buffer.toString('latin1', at, eol);
    let end = eol + 2;
    let lose = false;
    if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
      const tokens = line.split(' ');
      const total = Number(tokens.at(-1));
      if (buffer.length < end + total + 2) break;
      const headerBytes = line.startsWith('HMSG ') ? Number(tokens.at(-2)) : 0;
      const payload = buffer.subarray(end + headerBytes, end + total);
      const picked = rules.findIndex((rule) => rule.match(tokens[1], payload));
      if (picked >= 0) {
        lose = true;
        rules.splice(picked, 1)[0].lost();
      }
      end += total + 2;
    }
    if (!lose) kept.push(buffer.subarray(at, end));
    at = end;
  }
  return { out: Buffer.concat(kept), rest: buffer.subarray(at) };
}
