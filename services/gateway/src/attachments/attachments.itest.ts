import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { ObjectBucket } from '@chatbot/bus';
import { objectBuckets } from '@chatbot/proto';
import { startService } from '@chatbot/testkit';
import { authGatewayEnv, createAdmin, signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';
import { connect, eventually, sendStored, StreamLog, TestSocket } from '../../test/harness';
import { formBody, pngOf, postStream, whole, type FilePart, type UploadAnswer } from '../../test/multipart.client';

/**
 * Attachments from outside: a real gateway, chat-log and persona, real NATS (object store) and
 * Postgres. Uploads at and past the limit, lying and empty files, broken forms, a client and a
 * gateway that vanish mid-upload, who may download, and the daily cap.
 */
const LIMIT = 20 * 1024 * 1024;
const GRACE_MS = 8_000;

let world: AuthWorld;
let pg: Client;
let bucket: ObjectBucket;
let admin: { access: string };

beforeAll(async () => {
  world = await startAuthWorld({}, { UPLOAD_TIMEOUT_MS: '6000' }, ['chat-log'], {
    'chat-log': { ATTACHMENT_RETENTION_DAYS: '30', ATTACHMENT_DAILY_UPLOADS: '4', ATTACHMENT_GRACE_MS: String(GRACE_MS), ATTACHMENT_SWEEP_MS: '500' },
  });
  pg = new Client({ connectionString: world.env.databaseUrl });
  await pg.connect();
  bucket = await world.bus.objectBucket(objectBuckets.attachments);
  await createAdmin(world, 'boss@example.com', 'boss-password-1');
  admin = await signIn('boss@example.com', 'boss-password-1');
}, 120_000);
afterAll(async () => {
  await pg?.end();
  await world?.stop();
});

async function signIn(email: string, password: string) {
  const login = await world.call('POST', '/api/auth/login', { body: { email, password } });
  return { access: login.body.access_token as string };
}

const upload = (token: string, sessionId: string | null, file: FilePart, options: { contentLength?: number; abortAfter?: number; holdAfter?: number; url?: string } = {}): Promise<UploadAnswer> =>
  postStream(`${options.url ?? world.http}/api/chats/upload`, formBody(sessionId, file), { token, ...options });

async function download(token: string, id: string): Promise<{ status: number; sha256?: string; size?: number; type?: string | null; body?: any }> {
  const res = await fetch(`${world.http}/api/chats/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return { status: res.status, body: await res.json() };
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { status: 200, sha256: hash.digest('hex'), size, type: res.headers.get('content-type') };
}

const rowsOf = async (ownerId: string) =>
  (await pg.query<{ state: string }>('SELECT state FROM chat_log.attachments WHERE owner_id = $1', [ownerId])).rows.map((r) => r.state);

const sha256Of = async (data: AsyncIterable<Buffer>) => {
  const hash = createHash('sha256');
  for await (const chunk of data) hash.update(chunk);
  return hash.digest('hex');
};

test('a file exactly at the limit is stored and comes back byte for byte; one byte past it is refused with 413 and nothing stored', async () => {
  const user = await signUp(world, 'limit@example.com');
  const sessionId = randomUUID();
  const atLimit = await upload(user.access, sessionId, { name: 'screen.png', type: 'image/png', data: pngOf(LIMIT) });
  expect(atLimit).toMatchObject({ status: 201, body: { session_id: sessionId, name: 'screen.png', size: LIMIT, content_type: 'image/png' } });
  expect(atLimit.body.sha256).toBe(await sha256Of(pngOf(LIMIT)));
  const back = await download(user.access, atLimit.body.attachment_id);
  expect(back).toEqual({ status: 200, sha256: atLimit.body.sha256, size: LIMIT, type: 'image/png' });

  const before = await bucket.usage();
  const past = await upload(user.access, sessionId, { name: 'big.png', type: 'image/png', data: pngOf(LIMIT + 1) });
  expect(past).toMatchObject({ status: 413, body: { code: 'E4040' } });
  expect(await bucket.usage()).toEqual(before);
  expect((await rowsOf(user.id)).sort()).toEqual(['complete', 'pending']);
});

test('a 25 MB file announced by its Content-Length is refused before its body is read', async () => {
  const user = await signUp(world, 'huge@example.com');
  const size = 25 * 1024 * 1024;
  const held = 1024 * 1024;
  const answer = await upload(user.access, randomUUID(), { name: 'huge.png', data: pngOf(size) }, { contentLength: size + 400, holdAfter: held });
  expect(answer).toMatchObject({ status: 413, body: { code: 'E4040' } });
  // the client stopped after 1 MB (and the chunk that crossed it) and the answer came while it
  // waited: the gateway needed none of the rest
  expect(answer.sent).toBeLessThan(held + 65_536);
  expect(await rowsOf(user.id)).toEqual([]);
});

test('the type is decided from the bytes: an .exe named .png and sent as image/png is refused, and so is an empty file', async () => {
  const user = await signUp(world, 'liar@example.com');
  const before = await bucket.usage();
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(4096, 1)]);
  const lying = await upload(user.access, randomUUID(), { name: 'cute-cat.png', type: 'image/png', data: exe });
  expect(lying).toMatchObject({ status: 415, body: { code: 'E4041' } });
  const empty = await upload(user.access, randomUUID(), { name: 'empty.txt', type: 'text/plain', data: Buffer.alloc(0) });
  expect(empty).toMatchObject({ status: 422, body: { code: 'E4042' } });
  expect(await bucket.usage()).toEqual(before);
  // a text file named .bin with no declared type is text all the same
  const log = await upload(user.access, randomUUID(), { name: 'error.bin', data: Buffer.from('결제 오류 로그\nline 2\n') });
  expect(log).toMatchObject({ status: 201, body: { content_type: 'text/plain', size: Buffer.byteLength('결제 오류 로그\nline 2\n') } });
});

test('malformed multipart bodies are refused with their code', async () => {
  const user = await signUp(world, 'broken@example.com');
  const sessionId = randomUUID();
  const post = (body: Buffer, contentType?: string) => postStream(`${world.http}/api/chats/upload`, (async function* () { yield body; })(), { token: user.access, contentType });
  const file = await whole(formBody(sessionId, { data: Buffer.from('hello') }));
  // no boundary, not multipart at all, a body cut short before its closing boundary, a boundary that never comes
  expect(await post(file, 'multipart/form-data')).toMatchObject({ status: 400, body: { code: 'E4001' } });
  expect(await post(Buffer.from('{"session_id":"x"}'), 'application/json')).toMatchObject({ status: 400, body: { code: 'E4001' } });
  expect(await post(file.subarray(0, file.length - 40))).toMatchObject({ status: 400, body: { code: 'E4001' } });
  expect(await post(Buffer.from('no parts here, just text'))).toMatchObject({ status: 400, body: { code: 'E4001' } });
  // the file before its session_id, a form with no file
  expect(await upload(user.access, null, { data: Buffer.from('hello') })).toMatchObject({ status: 422, body: { code: 'E4002' } });
  const noFile = Buffer.from(`--${file.toString().split('\r\n')[0]!.slice(2)}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n${sessionId}\r\n--${file.toString().split('\r\n')[0]!.slice(2)}--\r\n`);
  expect(await post(noFile)).toMatchObject({ status: 422, body: { code: 'E4002' } });
  expect((await rowsOf(user.id)).filter((s) => s === 'complete')).toEqual([]);
});

test('only a signed-in owner uploads, to a session of their own', async () => {
  const user = await signUp(world, 'owner@example.com');
  expect(await upload('not-a-token', randomUUID(), { data: Buffer.from('hi') })).toMatchObject({ status: 401, body: { code: 'E4012' } });
  // a session somebody else wrote to (anonymously) is not theirs: 404, as if it did not exist
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  await sendStored(socket, randomUUID());
  await socket.close();
  expect(await upload(user.access, sessionId, { data: Buffer.from('hi') })).toMatchObject({ status: 404, body: { code: 'E4005' } });
});

test('the owner and agents download; another customer gets 404, as for an id that does not exist', async () => {
  const owner = await signUp(world, 'customer@example.com');
  const other = await signUp(world, 'stranger@example.com');
  const helper = await signUp(world, 'helper@example.com');
  expect((await world.call('PUT', `/api/admin/accounts/${helper.id}/role`, { token: admin.access, body: { role: 'agent' } })).status).toBe(200);
  const agent = await signIn('helper@example.com', helper.password);
  const stored = await upload(owner.access, randomUUID(), { name: 'receipt.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n') });
  expect(stored.status).toBe(201);
  const id = stored.body.attachment_id as string;
  expect(await download(owner.access, id)).toMatchObject({ status: 200, sha256: stored.body.sha256, type: 'application/pdf' });
  expect(await download(agent.access, id)).toMatchObject({ status: 200, sha256: stored.body.sha256 });
  expect(await download(admin.access, id)).toMatchObject({ status: 200, sha256: stored.body.sha256 });
  expect(await download(other.access, id)).toMatchObject({ status: 404, body: { code: 'E4044' } });
  expect(await download(other.access, randomUUID())).toMatchObject({ status: 404, body: { code: 'E4044' } });
  expect(await download(other.access, 'not-an-id')).toMatchObject({ status: 404, body: { code: 'E4044' } });
  expect((await fetch(`${world.http}/api/chats/attachments/${id}`)).status).toBe(401);
});

test('a signed-in message references its sender\'s attachments; the history lists them and ignores anybody else\'s', async () => {
  const owner = await signUp(world, 'sender@example.com');
  const other = await signUp(world, 'nosy@example.com');
  const sessionId = randomUUID();
  // both upload to the session before anybody wrote to it (new to every caller)
  const mine = (await upload(owner.access, sessionId, { name: 'a.png', data: pngOf(1000) })).body.attachment_id as string;
  const theirs = (await upload(other.access, sessionId, { name: 'b.png', data: pngOf(1000) })).body.attachment_id as string;
  const socket = await TestSocket.open(`${world.ws}?protocol=2&session_id=${sessionId}&last_seq=0&token=${owner.access}`);
  const messageId = randomUUID();
  socket.send({ message_id: messageId, message: '이 영수증 좀 봐주세요', attachment_ids: [mine, theirs, randomUUID()] });
  await socket.waitFor((f) => f.type === 'stored' && f.message_id === messageId);
  await socket.close();
  const history = await world.call('GET', `/api/chat/history?session_id=${sessionId}`, { token: owner.access });
  expect(history.body.messages.map((m: { message_id: string; attachment_ids?: string[] }) => [m.message_id, m.attachment_ids])).toEqual([[messageId, [mine]]]);
  const { turns } = await world.bus.request('history', { session_id: sessionId, limit: 10 });
  expect(turns.map((t) => [t.message_id, t.attachment_ids])).toEqual([[messageId, [mine]]]);
  // the session is the owner's now: the other account can no longer upload to it
  expect(await upload(other.access, sessionId, { data: Buffer.from('late') })).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect((await upload(owner.access, sessionId, { data: Buffer.from('more') })).status).toBe(201);
});

test('a v2 frame\'s attachment_ids reach chat.inbound as sent', async () => {
  const inbound = await StreamLog.start(world.bus, 'chatInbound');
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  const ids = [randomUUID(), randomUUID()];
  const messageId = randomUUID();
  socket.send({ message_id: messageId, message: 'see attached', attachment_ids: ids });
  await eventually(async () => expect(inbound.of(sessionId).find((m) => m.message_id === messageId)?.attachment_ids).toEqual(ids));
  await socket.close();
});

test('the daily cap refuses the next upload with 429, and counts per account', async () => {
  const user = await signUp(world, 'busy@example.com');
  const sessionId = randomUUID();
  for (let i = 0; i < 4; i += 1) expect((await upload(user.access, sessionId, { data: Buffer.from(`note ${i}`) })).status).toBe(201);
  expect(await upload(user.access, sessionId, { data: Buffer.from('one more') })).toMatchObject({ status: 429, body: { code: 'E4043' } });
  const fresh = await signUp(world, 'calm@example.com');
  expect((await upload(fresh.access, randomUUID(), { data: Buffer.from('first') })).status).toBe(201);
});

test('a client gone mid-upload leaves nothing visible; the sweep removes its pending record', async () => {
  const user = await signUp(world, 'flaky@example.com');
  const before = await bucket.usage();
  const cut = await upload(user.access, randomUUID(), { name: 'half.png', data: pngOf(8 * 1024 * 1024) }, { abortAfter: 3 * 1024 * 1024 });
  expect(cut.status).toBe(0);
  await eventually(async () => expect(await bucket.usage()).toEqual(before));
  expect(await rowsOf(user.id)).toEqual(['pending']);
  await eventually(async () => expect(await rowsOf(user.id)).toEqual([]), GRACE_MS + 10_000);
}, 60_000);

test('a gateway killed mid-upload leaves chunks behind; the sweep removes the bytes and the record after the grace period', async () => {
  const user = await signUp(world, 'unlucky@example.com');
  const second = await startService('gateway', { ...world.env.env, ...authGatewayEnv }, { instance: 'doomed' });
  const before = await bucket.usage();
  const started = upload(user.access, randomUUID(), { name: 'big.png', data: slowly(pngOf(10 * 1024 * 1024)) }, { url: `http://127.0.0.1:${second.ports.http}` });
  await eventually(async () => expect((await bucket.usage()).bytes - before.bytes).toBeGreaterThan(1024 * 1024));
  await second.process.stop('SIGKILL', 1_000);
  expect((await started).status).toBe(0);
  expect((await bucket.usage()).bytes - before.bytes).toBeGreaterThan(1024 * 1024);
  expect(await rowsOf(user.id)).toEqual(['pending']);
  await eventually(async () => {
    expect(await bucket.usage()).toEqual(before);
    expect(await rowsOf(user.id)).toEqual([]);
  }, GRACE_MS + 15_000);
}, 60_000);

test('an attachment past ATTACHMENT_RETENTION_DAYS loses its bytes and its record; a younger one stays', async () => {
  const user = await signUp(world, 'keeper@example.com');
  const sessionId = randomUUID();
  const old = (await upload(user.access, sessionId, { name: 'old.png', data: pngOf(5000) })).body.attachment_id as string;
  const young = (await upload(user.access, sessionId, { name: 'young.png', data: pngOf(5000) })).body.attachment_id as string;
  expect(await bucket.get(old)).not.toBeNull();
  await pg.query(`UPDATE chat_log.attachments SET created_at = now() - interval '31 days', completed_at = now() - interval '31 days' WHERE id = $1`, [old]);
  await eventually(async () => expect(await download(user.access, old)).toMatchObject({ status: 404, body: { code: 'E4044' } }));
  expect(await bucket.get(old)).toBeNull();
  expect(await rowsOf(user.id)).toEqual(['complete']);
  expect(await download(user.access, young)).toMatchObject({ status: 200, size: 5000 });
});

/** The chunks with a pause between them, so an upload is still going when a spec acts. */
async function* slowly(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  for await (const chunk of chunks) {
    await new Promise((r) => setTimeout(r, 20));
    yield chunk;
  }
}
