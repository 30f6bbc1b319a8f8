import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { startPrivateNats, startPrivatePostgres, startService, type RunningService } from '@chatbot/testkit';
import { rssBytes } from './stats/proc';

/**
 * `node bench/dist/uploads.measure.js` (after `npm run build`): does the gateway's memory grow with
 * the size of an upload? Real gateway, chat-log and persona; files of 1 to 20 MiB streamed in
 * (chunked, 64 KiB writes), then downloaded, while the gateway's RSS is sampled every 10 ms. A
 * streamed path shows the same peak above the idle RSS for every size; a buffered one grows by
 * about the file's size. A printout, not a test.
 */
const SIZES_MIB = [1, 5, 10, 20];
const BOUNDARY = 'measure-boundary-7f3a';

async function* formOf(sessionId: string, size: number): AsyncIterable<Buffer> {
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n${sessionId}\r\n`);
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="m.png"\r\n\r\n`);
  const chunk = Buffer.alloc(65_536, 0x42);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(chunk);
  for (let left = size; left > 0; left -= chunk.length) yield chunk.subarray(0, Math.min(left, chunk.length));
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function upload(base: string, token: string, body: AsyncIterable<Buffer>): Promise<{ status: number; id?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/chats/upload`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, id: (JSON.parse(text) as { attachment_id?: string }).attachment_id }));
    });
    req.on('error', reject);
    void (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      req.end();
    })();
  });
}

async function download(base: string, token: string, id: string): Promise<number> {
  const res = await fetch(`${base}/api/chats/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) size += chunk.length;
  return size;
}

/** The highest RSS of `pid` while `work` runs. */
async function peakDuring(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = rssBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssBytes(pid));
}

const mib = (bytes: number) => (bytes / 1_048_576).toFixed(1);

async function main(): Promise<void> {
  const [nats, pg] = await Promise.all([startPrivateNats(), startPrivatePostgres()]);
  const common = { NATS_URL: nats.url, DATABASE_URL: pg.url.replace(/\/postgres$/, '/uploads_measure'), JWT_SECRET: 'measure-secret-0123456789abcdef0123456789', LOG_LEVEL: 'warn' };
  const running: RunningService[] = [];
  try {
    for (const name of ['persona', 'chat-log', 'gateway'] as const) running.push(await startService(name, common));
    const gateway = running[2]!;
    const base = `http://127.0.0.1:${gateway.ports.http}`;
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const credentials = { email: 'measure@example.com', password: 'measure-password-1' };
    await post('/api/auth/register', { ...credentials, name: 'Measure' });
    const token = ((await (await post('/api/auth/login', credentials)).json()) as { access_token: string }).access_token;
    await upload(base, token, formOf(randomUUID(), 1_048_576)); // warm-up: bucket opened, code paths compiled
    const pid = gateway.process.pid!;
    print('| file | gateway RSS before | peak while uploading | peak while downloading |');
    print('|---|---|---|---|');
    for (const size of SIZES_MIB.map((n) => n * 1_048_576)) {
      const before = rssBytes(pid);
      let id = '';
      const up = await peakDuring(pid, async () => {
        const answer = await upload(base, token, formOf(randomUUID(), size));
        if (answer.status !== 201 || !answer.id) throw new Error(`upload of ${size} answered ${answer.status}`);
        id = answer.id;
      });
      const down = await peakDuring(pid, async () => {
        if ((await download(base, token, id)) !== size) throw new Error('download was short');
      });
      print(`| ${mib(size)} MiB | ${mib(before)} MiB | ${mib(up)} MiB (+${mib(up - before)}) | ${mib(down)} MiB (+${mib(down - before)}) |`);
    }
  } finally {
    for (const service of running.reverse()) await service.process.stop('SIGTERM', 15_000);
    await Promise.all([nats.destroy(), pg.destroy()]);
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
