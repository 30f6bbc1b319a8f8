import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStubLlm, startSystem, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { consoleErrors, launchChromium, screenshots, seriousA11yViolations } from './support/browser';
import { createAdmin } from './support/accounts';

/**
 * The agents' console (`/admin`) in a real browser (Debian's Chromium) against the whole system as
 * `npm start` runs it. The admin is made by `npm run create-admin`'s script, as an operator would.
 */
const JWT_SECRET = 'web-console-itest-jwt-secret-0123456789abcdef';
const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };

let stub: StubLlm;
let system: TestSystem;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let base: string;
const shot = screenshots('web-console');
const WAIT = { timeout: 60_000 };
const STEP_LIMIT = 180_000;

beforeAll(async () => {
  browser = await launchChromium();
  stub = await startStubLlm();
  stub.setScript(() => ({ text: '답변입니다.', tokenDelayMs: 5 }));
  // a revoked key stops working at once (the gateway believes a verified key for this long)
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', JWT_SECRET, API_KEY_CACHE_SECONDS: '0' } });
  base = system.gateways[0]!;
  await createAdmin(system, ADMIN.email, ADMIN.password, '관리자');
  context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ko-KR' });
  page = await context.newPage();
  errors = consoleErrors(page);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await system?.stop();
  await stub?.close();
});

async function signIn(target: Page, email: string, password: string) {
  await target.getByLabel('이메일').fill(email);
  await target.getByLabel('비밀번호').fill(password);
  await target.getByLabel('비밀번호').press('Enter');
}

async function adminToken(): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A 32×24 PNG, as a customer's screenshot would be (the gateway decides its type from these bytes). */
const SCREENSHOT_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAJElEQVR42mOQqzhBU8QwasGoBaMWjFowasGoBaMWjFowNCwAAFrDGj1bs5BCAAAAAElFTkSuQmCC', 'base64');

const asKey = (key: string) => fetch(`${base}/api/auth/me`, { headers: { 'x-api-key': key } });

test('an admin signs in to the console in Korean, with no serious accessibility finding', async () => {
  await page.goto(`${base}/admin`);
  await page.getByRole('heading', { name: '로그인' }).waitFor(WAIT);
  expect(await page.getByRole('button', { name: '회원가입' }).count()).toBe(0);
  await shot(page, 'sign-in-ko');
  expect(await seriousA11yViolations(page)).toEqual([]);
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.getByRole('heading', { name: '대기열' }).waitFor(WAIT);
  await page.getByRole('link', { name: 'API 키' }).click();
  await page.getByRole('heading', { name: 'API 키' }).waitFor(WAIT);
  expect(await page.locator('.account .who').innerText()).toContain('관리자');
  await shot(page, 'signed-in-api-keys');
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('a new API key shows its secret once, works, and is gone from the page after a reload', async () => {
  await page.getByLabel('이름', { exact: true }).fill('partner-bot');
  await page.getByRole('button', { name: '키 만들기' }).click();
  const secret = page.getByTestId('new-key');
  await secret.waitFor(WAIT);
  const key = await secret.innerText();
  expect(key).toMatch(/^cbk_[\w-]{8}_[\w-]{43}$/);
  await page.locator('tbody tr .key-status', { hasText: '사용 중' }).waitFor(WAIT);
  expect(await page.locator('tbody tr').count()).toBe(1);
  await shot(page, 'key-created-secret-once');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect((await asKey(key)).status).toBe(200);

  await page.reload();
  await page.locator('tbody tr').first().waitFor(WAIT);
  expect(await page.locator('.account .who').innerText()).toContain('관리자');
  expect(await page.content()).not.toContain(key);
  expect(await page.locator('tbody tr code').innerText()).toBe(key.slice(0, 12));

  await page.getByRole('button', { name: '폐기: partner-bot' }).click();
  await shot(page, 'revoke-confirm');
  await page.getByRole('button', { name: '폐기하기' }).click();
  await page.locator('tbody tr .key-status', { hasText: '폐기됨' }).waitFor(WAIT);
  expect((await asKey(key)).status).toBe(401);
  await shot(page, 'key-revoked');
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('an admin saves the chatbot settings twice and compares the versions line by line', async () => {
  await page.getByRole('link', { name: '챗봇 설정' }).click();
  await page.getByRole('heading', { name: '챗봇 설정' }).waitFor(WAIT);
  await page.getByLabel('시스템 프롬프트', { exact: true }).fill('너는 카드 상담원이다.\n짧게 답한다.');
  await page.getByLabel('인사말').fill('안녕하세요, 카드 상담 챗봇입니다.');
  await page.getByLabel('모델').fill('stub-model');
  await page.getByRole('button', { name: '새 버전으로 저장' }).click();
  await page.getByRole('status').filter({ hasText: '버전 1' }).waitFor(WAIT);

  await page.getByLabel('시스템 프롬프트', { exact: true }).fill('너는 카드 상담원이다.\n존댓말로 자세히 답한다.');
  await page.getByLabel('상담원 연결 키워드 (한 줄에 하나)').fill('환불\n해지');
  await page.getByRole('button', { name: '새 버전으로 저장' }).click();
  await page.getByRole('status').filter({ hasText: '버전 2' }).waitFor(WAIT);
  await page.locator('.settings-history tbody tr').nth(1).waitFor(WAIT);
  expect(await page.locator('.settings-history tbody th').allInnerTexts()).toEqual(['2', '1']);

  const prompt = page.locator('.diff [data-field="system_prompt"]');
  await prompt.waitFor(WAIT);
  expect(await prompt.locator('.diff-same').allInnerTexts()).toEqual([expect.stringContaining('너는 카드 상담원이다.')]);
  expect(await prompt.locator('.diff-removed').innerText()).toContain('짧게 답한다.');
  expect(await prompt.locator('.diff-added').innerText()).toContain('존댓말로 자세히 답한다.');
  expect(await page.locator('.diff [data-field="handoff.keywords"] .diff-added').count()).toBe(2);
  expect(await page.locator('.diff [data-field]').count()).toBe(2);
  // what the console showed is what persona keeps
  const saved = await fetch(`${base}/api/admin/chatbot/settings`, { headers: { authorization: `Bearer ${await adminToken()}` } });
  expect(((await saved.json()) as { settings: unknown }).settings).toMatchObject({ system_prompt: '너는 카드 상담원이다.\n존댓말로 자세히 답한다.', handoff: { keywords: ['환불', '해지'] } });
  await prompt.scrollIntoViewIfNeeded();
  await shot(page, 'settings-diff');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('a customer who signs in to the console is told to ask for the agent role, in English too', async () => {
  const email = 'customer@example.com';
  const password = 'customer-password-1';
  const registered = await fetch(`${base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, name: 'Customer' }) });
  expect(registered.status).toBe(201);
  const other = await context.newPage();
  const otherErrors = consoleErrors(other);
  await other.goto(`${base}/admin`);
  await other.getByLabel('언어').selectOption('en');
  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password').fill(password);
  await other.getByLabel('Password').press('Enter');
  await other.getByRole('alert').filter({ hasText: 'not an agent or an admin' }).waitFor(WAIT);
  expect(await other.getByRole('heading', { name: 'API keys' }).count()).toBe(0);
  await shot(other, 'customer-refused-en');
  expect(await seriousA11yViolations(other)).toEqual([]);
  expect(otherErrors).toEqual([]);
  await other.close();
}, STEP_LIMIT);

test('an agent in a second browser context sees the pending conversation, takes over, answers and completes; the user sees the answer', async () => {
  const customer = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR' });
  const user = await customer.newPage();
  const userErrors = consoleErrors(user);
  await user.goto(`${base}/`);
  await user.locator('.banner[data-status="online"]').waitFor({ state: 'attached', ...WAIT });
  await user.locator('#message').fill('신용카드는 어떻게 발급받을 수 있나요?');
  await user.locator('#message').press('Enter');
  await user.locator('.turn.bot[data-done="true"]').first().waitFor(WAIT);
  await user.getByRole('button', { name: '상담원 연결' }).click();
  await user.locator('.notice[data-code="status:waiting"]').waitFor(WAIT);
  expect(await user.getByRole('button', { name: '상담원 연결' }).isDisabled()).toBe(true);
  await user.locator('#message').fill('사람과 이야기하고 싶어요');
  await user.locator('#message').press('Enter');
  await user.locator('.turn.user[data-state="stored"]', { hasText: '사람과 이야기하고 싶어요' }).waitFor(WAIT);
  const sessionId = await user.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`);
  await shot(user, 'user-asked-for-a-person');
  expect(await seriousA11yViolations(user)).toEqual([]);

  // the agent's console: the conversation appears in the pending queue with its unread message
  await page.getByRole('link', { name: '대기열' }).click();
  await page.getByRole('heading', { name: '대기열' }).waitFor(WAIT);
  const pending = page.locator(`.queue li[data-session-id="${sessionId}"]`);
  await pending.locator('.badge', { hasText: '1' }).waitFor(WAIT);
  expect(await page.locator('.queue-tabs button[data-list="pending"] .badge').innerText()).toBe('1');
  await shot(page, 'agent-pending-queue');
  expect(await seriousA11yViolations(page)).toEqual([]);
  // with the queue open, a new message raises its badge: the agents' socket said so (the console no longer polls)
  await user.locator('#message').fill('아직 기다리고 있어요');
  await user.locator('#message').press('Enter');
  await pending.locator('.badge', { hasText: '2' }).waitFor(WAIT);

  await pending.getByRole('button').click();
  await page.locator('.said p', { hasText: '아직 기다리고 있어요' }).waitFor(WAIT);
  // the whole conversation, from before the customer asked for a person: the question and the bot's answer
  expect(await page.locator('.said li.said-user p').allInnerTexts()).toEqual(['신용카드는 어떻게 발급받을 수 있나요?', '사람과 이야기하고 싶어요', '아직 기다리고 있어요']);
  expect(await page.locator('.said li').nth(1).getAttribute('class')).toBe('said-bot');
  // the summary written when the customer asked for a person (extractive: no model in this system)
  await page.locator('.summary dl[data-trigger="waiting"]').waitFor(WAIT);
  await shot(page, 'agent-conversation-opened');
  await page.getByRole('button', { name: '이어받기' }).click();
  await page.locator('.conversation-view[data-status="agent"]', { hasText: '내가 응대 중' }).waitFor(WAIT);
  await user.locator('.notice[data-code="status:agent"]').waitFor(WAIT);
  await page.getByLabel('고객에게 보낼 메시지').fill('안녕하세요, 상담원 김민지입니다. 발급을 도와드릴게요.');
  await page.getByRole('button', { name: '보내기' }).click();
  await shot(page, 'agent-answered');

  const answer = user.locator('.turn.bot.agent');
  await answer.waitFor(WAIT);
  expect(await answer.locator('.bubble').innerText()).toBe('안녕하세요, 상담원 김민지입니다. 발급을 도와드릴게요.');
  expect(await answer.locator('.sender').innerText()).toBe('상담원');
  await shot(user, 'user-sees-agent-answer');

  await page.getByRole('button', { name: '상담 완료' }).click();
  await user.locator('.notice[data-code="status:completed"]').waitFor(WAIT);
  await page.locator('.queue-tabs button[data-list="completed"]').click();
  await page.locator(`.queue li[data-session-id="${sessionId}"]`).waitFor(WAIT);
  await shot(page, 'agent-completed');
  await shot(user, 'user-sees-completed');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(await seriousA11yViolations(user)).toEqual([]);
  expect(errors).toEqual([]);
  expect(userErrors).toEqual([]);
  await customer.close();
}, STEP_LIMIT);

test('an agent opens a signed-in customer\'s conversation: the earlier messages, and the uploaded image shown and downloaded with the agent\'s token', async () => {
  const customer = { email: 'uploader@example.com', password: 'uploader-password-1', name: '고객' };
  expect((await fetch(`${base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(customer) })).status).toBe(201);
  const userContext = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR' });
  const user = await userContext.newPage();
  const userErrors = consoleErrors(user);
  await user.goto(`${base}/`);
  await user.getByRole('button', { name: '로그인', exact: true }).first().click();
  await signIn(user, customer.email, customer.password);
  await user.locator('.account .who', { hasText: customer.name }).waitFor(WAIT);
  await user.locator('.banner[data-status="online"]').waitFor({ state: 'attached', ...WAIT });
  await user.locator('#message').fill('카드 연회비가 궁금해요');
  await user.locator('#message').press('Enter');
  await user.locator('.turn.bot[data-done="true"]').first().waitFor(WAIT);
  const chooser = user.waitForEvent('filechooser');
  await user.getByRole('button', { name: /파일 첨부/ }).click();
  await (await chooser).setFiles({ name: '명세서.png', mimeType: 'image/png', buffer: SCREENSHOT_PNG });
  await user.locator('.pending-file[data-state="uploaded"]', { hasText: '명세서.png' }).waitFor(WAIT);
  await user.locator('#message').fill('명세서를 첨부했어요');
  await user.locator('#message').press('Enter');
  await user.locator('.turn.user[data-state="stored"] .file-link', { hasText: '명세서.png' }).waitFor(WAIT);
  await user.locator('.turn.bot[data-done="true"]').nth(1).waitFor(WAIT);
  await user.getByRole('button', { name: '상담원 연결' }).click();
  await user.locator('.notice[data-code="status:waiting"]').waitFor(WAIT);
  const sessionId = await user.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`);

  await page.getByRole('link', { name: '대기열' }).click();
  await page.locator('.queue-tabs button[data-list="pending"]').click();
  await page.locator(`.queue li[data-session-id="${sessionId}"]`).getByRole('button').click();
  const view = page.locator('.conversation-view');
  await view.locator('.said p', { hasText: '카드 연회비가 궁금해요' }).waitFor(WAIT);
  const file = view.locator('.said li.said-user .attachment', { hasText: '명세서.png' });
  await file.waitFor(WAIT);
  expect(await file.innerText()).toContain('93 B');
  // the thumbnail is the image itself, fetched with the token and shown through a blob: URL the CSP allows
  const thumb = file.locator('img.attachment-thumb');
  await thumb.waitFor(WAIT);
  expect(await thumb.evaluate((el) => { const img = el as unknown as { src: string; naturalWidth: number; naturalHeight: number }; return [img.src.startsWith('blob:'), img.naturalWidth, img.naturalHeight]; })).toEqual([true, 32, 24]);
  await shot(page, 'agent-sees-history-and-attachment');
  expect(await seriousA11yViolations(page)).toEqual([]);
  const download = page.waitForEvent('download');
  await file.getByRole('link', { name: /명세서\.png/ }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe('명세서.png');
  const bytes: Buffer[] = [];
  for await (const chunk of (await saved.createReadStream()) as AsyncIterable<Buffer>) bytes.push(chunk);
  expect(Buffer.concat(bytes).equals(SCREENSHOT_PNG)).toBe(true);
  expect(errors).toEqual([]);
  expect(userErrors).toEqual([]);
  await userContext.close();
}, STEP_LIMIT);

test('the dashboard shows every service\'s figures: the messages above, reply latency, LLM tokens, queues and the breaker', async () => {
  await page.getByRole('link', { name: '대시보드' }).click();
  await page.getByRole('heading', { name: '대시보드' }).waitFor(WAIT);
  const tile = (id: string) => page.locator(`.tile[data-tile="${id}"] dd`);
  await tile('messages').waitFor(WAIT);
  expect(Number(await tile('messages').innerText())).toBeGreaterThanOrEqual(2);
  expect(await tile('p50').innerText()).toMatch(/^\d+ ms$/);
  expect(await tile('p99').innerText()).toMatch(/^\d+ ms$/);
  for (const id of ['tokens-in', 'tokens-out', 'queue-pending', 'queue-in-flight', 'inbound-pending', 'awaiting-reply', 'waiting-agent']) {
    expect(await tile(id).innerText()).toMatch(/^\d+$/);
  }
  // every service answered: one instance each, and the one worker's breaker is closed
  expect(await page.locator('.services li[data-state="up"]').count()).toBe(5);
  expect(await page.locator('table.breakers tbody tr[data-state="closed"]').count()).toBe(1);
  // a second reading gives the rate
  await page.locator('.tile[data-tile="rate"] dd', { hasText: /^\d+\.\d\d$/ }).waitFor(WAIT);
  await shot(page, 'dashboard');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('with qna-cache stopped the dashboard shows it missing, and the 503 the gateway answered with its incident id', async () => {
  await system.byName('qna-cache').process.stop('SIGTERM', 15_000);
  const refused = await fetch(`${base}/api/qna/faq`);
  expect(refused.status).toBe(503);
  const { incident_id: incidentId } = (await refused.json()) as { incident_id: string };
  const row = page.locator(`table.incidents tr[data-incident="${incidentId}"]`);
  await row.waitFor(WAIT);
  expect(await row.innerText()).toContain('E5002');
  await page.locator('.services li[data-service="qna-cache"][data-state="missing"]').waitFor(WAIT);
  expect(await page.locator('table[data-table="incident-codes"] tbody th', { hasText: 'E5002' }).count()).toBe(1);
  await shot(page, 'dashboard-incident');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);
