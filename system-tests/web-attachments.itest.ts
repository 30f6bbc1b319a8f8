import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStubLlm, startSystem, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { consoleErrors, launchChromium, screenshots, seriousA11yViolations } from './support/browser';

/**
 * Attachments on the chat page in a real browser (Debian's Chromium) against the whole system as
 * `npm start` runs it: the size limit shown before anything is chosen, a file over it refused
 * before a byte is sent, a file chosen with the keyboard and one dropped on the message box, each
 * with its progress bar, then sent with the message, listed by the history and downloaded back.
 * The gateway's limit is lowered to 1 MiB so the refused file stays small.
 */
const USER = { name: '박서준', email: 'seojun@example.com', password: 'seojun-password-1' };
const JWT_SECRET = 'web-attachments-itest-jwt-secret-0123456789abcdef';
const LOG_TEXT = '2026-12-07 오류 로그: 결제가 두 번 승인되었습니다.\n';
const WAIT = { timeout: 60_000 };

let stub: StubLlm;
let system: TestSystem;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let uploads: number;
const shot = screenshots('web-attachments');

beforeAll(async () => {
  browser = await launchChromium();
  stub = await startStubLlm({ script: { text: '파일을 확인했어요.' } });
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', JWT_SECRET, UPLOAD_MAX_BYTES: String(1024 * 1024) } });
  const registered = await fetch(`${system.gateways[0]}/api/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER),
  });
  expect(registered.status).toBe(201);
  context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR', acceptDownloads: true });
  page = await context.newPage();
  errors = consoleErrors(page);
  uploads = 0;
  page.on('request', (request) => request.url().endsWith('/api/chats/upload') && (uploads += 1));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await system?.stop();
  await stub?.close();
});

const online = () => page.locator('.banner[data-status="online"]').waitFor({ state: 'attached', ...WAIT });

/** Drops a file on the message box as a person dragging it from their desktop would. */
async function dropFile(name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}, { type: 'text/plain' }));
    return transfer;
  })()`);
  await page.dispatchEvent('form.composer', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('form.composer', 'drop', { dataTransfer: transfer });
}

test('anonymous visitors see the limit and are asked to sign in before attaching', async () => {
  await page.goto(`${system.gateways[0]}/`);
  await online();
  expect(await page.getByRole('button', { name: /파일 첨부/ }).isDisabled()).toBe(true);
  await page.locator('#attachment-limit', { hasText: '로그인' }).waitFor(WAIT);
}, 120_000);

test('a signed-in user attaches by keyboard and by drop, sees progress and names, and sends them', async () => {
  await page.getByRole('button', { name: '로그인', exact: true }).first().click();
  await page.getByLabel('이메일').fill(USER.email);
  await page.getByLabel('비밀번호').fill(USER.password);
  await page.getByLabel('비밀번호').press('Enter');
  await page.locator('.account .who', { hasText: USER.name }).waitFor(WAIT);
  await online();
  // the limit is the gateway's, shown before anything is chosen
  await page.locator('#attachment-limit', { hasText: '최대 1 MB' }).waitFor(WAIT);

  // too large: refused on the page, nothing sent
  const attach = page.getByRole('button', { name: /파일 첨부/ });
  await attach.waitFor(WAIT);
  let chooser = page.waitForEvent('filechooser');
  await attach.press('Enter');
  await (await chooser).setFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(1536 * 1024, 'a') });
  await page.locator('.pending-file[data-state="failed"]', { hasText: 'big.txt' }).waitFor(WAIT);
  expect(uploads).toBe(0);
  await page.getByRole('button', { name: 'big.txt 빼기' }).click();

  // by keyboard: the file button opens the chooser
  chooser = page.waitForEvent('filechooser');
  await attach.press('Enter');
  await (await chooser).setFiles({ name: '오류-로그.txt', mimeType: 'text/plain', buffer: Buffer.from(LOG_TEXT) });
  // by drop
  await dropFile('메모.txt', '두 번째 파일입니다.');
  for (const name of ['오류-로그.txt', '메모.txt']) {
    const row = page.locator('.pending-file[data-state="uploaded"]', { hasText: name });
    await row.waitFor(WAIT);
    expect(await row.locator('progress').getAttribute('value')).toBe('1');
  }
  expect(uploads).toBe(2);
  await shot(page, 'files-uploaded');
  expect(await seriousA11yViolations(page)).toEqual([]);

  await page.locator('#message').fill('결제가 두 번 됐어요. 로그를 보냅니다.');
  await page.locator('#message').press('Enter');
  await page.locator('.turn.user[data-state="stored"] .file-link', { hasText: '오류-로그.txt' }).waitFor(WAIT);
  await page.locator('.turn.bot[data-done="true"]').first().waitFor(WAIT);
  expect(await page.locator('.pending-file').count()).toBe(0);
  await shot(page, 'sent-with-files');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, 180_000);

test('the history lists the message\'s attachments, and the link downloads the file back', async () => {
  const sessionId = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`);
  const login = await fetch(`${system.gateways[0]}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: USER.email, password: USER.password }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const history = await fetch(`${system.gateways[0]}/api/chat/history?session_id=${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
  const { messages } = (await history.json()) as { messages: Array<{ role: string; attachment_ids?: string[] }> };
  const sent = messages.find((m) => m.role === 'user')!;
  expect(sent.attachment_ids).toHaveLength(2);
  const shown = await page.locator('.turn.user .file-link').evaluateAll((links) => links.map((l) => l.getAttribute('data-attachment-id')));
  expect([...shown].sort()).toEqual([...sent.attachment_ids!].sort());

  const download = page.waitForEvent('download');
  await page.locator('.file-link', { hasText: '오류-로그.txt' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('오류-로그.txt');
  const chunks: Buffer[] = [];
  for await (const chunk of (await file.createReadStream())!) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).toString('utf8')).toBe(LOG_TEXT);
  expect(errors).toEqual([]);
}, 120_000);
