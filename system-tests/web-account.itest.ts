import { Client } from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startOidcProvider, startStubLlm, startSystem, type OidcProviderFixture, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { consoleErrors, launchChromium, screenshots, seriousA11yViolations } from './support/browser';
import { startCuttableLink, type CuttableLink } from './support/tcp-proxy';

/**
 * Signing in on the chat page in a real browser (Debian's Chromium) against the whole system as
 * `npm start` runs it, with a real OpenID provider (oidc-provider) for the OpenID Connect button.
 * The provider must know the page's address before persona starts, so the browser reaches the
 * gateway through a link started first. A phone-sized window (360 px) in Korean.
 */
const FAQ = { question: '신용카드는 어떻게 발급받을 수 있나요?', answerStart: '신용카드는 우리WON카드 앱' };
const USER = { name: '김하늘', email: 'haneul@example.com', password: 'haneul-password-1' };
const JWT_SECRET = 'web-account-itest-jwt-secret-0123456789abcdef';

let stub: StubLlm;
let provider: OidcProviderFixture;
let system: TestSystem;
let link: CuttableLink;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let socketUrls: string[];
let db: Client;
const shot = screenshots('web-account');
const WAIT = { timeout: 60_000 };
const STEP_LIMIT = 180_000;

beforeAll(async () => {
  browser = await launchChromium();
  stub = await startStubLlm();
  stub.setScript(() => ({ text: '답변입니다.', tokenDelayMs: 5 }));
  let gateway = '';
  link = await startCuttableLink(() => gateway);
  const client = { client_id: 'web', client_secret: 'web-client-secret-0123456789abcdef', redirect_uris: [`${link.url}/`] };
  provider = await startOidcProvider([client]);
  system = await startSystem({
    env: {
      LLM_BASE_URL: stub.url,
      LLM_MODEL: 'stub-model',
      JWT_SECRET,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: client.client_id,
      OIDC_CLIENT_SECRET: client.client_secret,
      OIDC_REDIRECT_URL: `${link.url}/`,
    },
  });
  gateway = system.gateways[0]!;
  db = new Client({ connectionString: system.env.databaseUrl });
  await db.connect();
  context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR' });
  page = await context.newPage();
  errors = consoleErrors(page);
  socketUrls = [];
  page.on('websocket', (socket) => socketUrls.push(socket.url()));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await link?.close();
  await db?.end();
  await system?.stop();
  await provider?.stop();
  await stub?.close();
});

const online = () => page.locator('.banner[data-status="online"]').waitFor({ state: 'attached', ...WAIT });
const signedInAs = (name: string) => page.locator('.account .who', { hasText: name }).waitFor(WAIT);
const signInButton = () => page.getByRole('button', { name: '로그인', exact: true }).first();

async function ask(question: string) {
  await page.locator('#message').focus();
  await page.keyboard.type(question);
  await page.keyboard.press('Enter');
}

/** The refresh token the tab keeps for a reload (the access token is in memory only). */
const storedRefreshToken = () => page.evaluate<string | null>(`sessionStorage.getItem('auth.refresh')`);

test('a visitor opens the sign-in panel by keyboard, registers in Korean, and chats on a socket that carries the token', async () => {
  await page.goto(`${link.url}/`);
  await online();
  await signInButton().focus();
  await page.keyboard.press('Enter');
  await page.locator('#sign-in-panel').waitFor(WAIT);
  expect(await page.getByRole('link', { name: 'OpenID Connect로 로그인' }).isVisible()).toBe(true);
  await shot(page, 'sign-in-panel-ko-360px');
  expect(await seriousA11yViolations(page)).toEqual([]);

  await page.getByRole('button', { name: '회원가입' }).click();
  await page.getByLabel('이름').fill(USER.name);
  await page.getByLabel('이메일').fill(USER.email);
  await page.getByLabel('비밀번호').fill(USER.password);
  await shot(page, 'register-filled');
  await page.getByLabel('비밀번호').press('Enter');
  await signedInAs(USER.name);
  await online();
  expect(await page.locator('#sign-in-panel').count()).toBe(0);
  expect(socketUrls.at(-1)).toMatch(/[?&]token=[\w-]+\.[\w-]+\.[\w-]+/);

  await ask(FAQ.question);
  await page.locator('.turn.bot[data-done="true"]').first().waitFor(WAIT);
  expect(await page.locator('.turn.bot .bubble').first().innerText()).toContain(FAQ.answerStart);
  await shot(page, 'signed-in-answered');
  const account = await db.query('SELECT id::text, name FROM persona.accounts WHERE email = $1', [USER.email]);
  expect(account.rows).toEqual([{ id: expect.any(String), name: USER.name }]);
  // the authenticated socket made the conversation the account's own
  const session = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`);
  const owner = await db.query('SELECT owner_id::text FROM chat_log.sessions WHERE id = $1', [session]);
  expect(owner.rows).toEqual([{ owner_id: account.rows[0].id }]);
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('a reload stays signed in with a rotated refresh token and keeps the conversation', async () => {
  const before = await storedRefreshToken();
  const session = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`);
  await page.reload();
  await signedInAs(USER.name);
  await online();
  expect(await storedRefreshToken()).not.toBe(before);
  expect(await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`)).toBe(session);
  expect(await page.locator('.turn.bot').count()).toBe(1);
  // the rotated-out token is spent: presenting it again is a reuse, refused
  const replay = await fetch(`${link.url}/api/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: before }) });
  expect(replay.status).toBe(401);
  await shot(page, 'reloaded-signed-in');
}, STEP_LIMIT);

test('signing out revokes the session at the server and starts an anonymous conversation; a wrong password is refused in words', async () => {
  // the reuse above revoked the family (RFC 9700): sign in afresh first
  await page.reload();
  await signInButton().waitFor(WAIT);
  await signInButton().click();
  await page.getByLabel('이메일').fill(USER.email);
  await page.getByLabel('비밀번호').fill('not-the-password');
  await page.getByLabel('비밀번호').press('Enter');
  await page.getByRole('alert').filter({ hasText: '이메일 또는 비밀번호가 올바르지 않습니다.' }).waitFor(WAIT);
  await shot(page, 'wrong-password');
  await page.getByLabel('비밀번호').fill(USER.password);
  await page.getByLabel('비밀번호').press('Enter');
  await signedInAs(USER.name);
  const refreshToken = await storedRefreshToken();

  await page.getByRole('button', { name: '로그아웃' }).click();
  await signInButton().waitFor(WAIT);
  await online();
  expect(await storedRefreshToken()).toBeNull();
  expect(socketUrls.at(-1)).not.toContain('token=');
  expect(await page.locator('.turn').count()).toBe(0);
  const refused = await fetch(`${link.url}/api/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: refreshToken }) });
  expect(refused.status).toBe(401);
  await shot(page, 'signed-out');
  errors.length = 0; // the revoked session's failed refresh logged a 401 on purpose
}, STEP_LIMIT);

test('the OpenID Connect button signs in with the provider and comes back to the chat signed in', async () => {
  await provider.signInAs({ sub: 'provider-user-7', email: 'sora@example.com', email_verified: true, name: 'Sora Provider' });
  await signInButton().click();
  await page.getByRole('link', { name: 'OpenID Connect로 로그인' }).click();
  await signedInAs('Sora Provider');
  await online();
  expect(new URL(page.url()).search).toBe('');
  await shot(page, 'oidc-signed-in');
  await page.getByLabel('언어').selectOption('en');
  await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
  await shot(page, 'oidc-signed-in-english');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);

const finalAnswers = () => page.locator('.turn.bot[data-done="true"]');

async function askAndWait(question: string) {
  const before = await finalAnswers().count();
  await ask(question);
  await finalAnswers().nth(before).waitFor(WAIT);
}

const messagesOf = async (session: string) =>
  (await db.query('SELECT count(*)::int AS n FROM chat_log.messages WHERE session_id = $1', [session])).rows[0].n as number;
const currentSession = () => page.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection')).sessionId`);

test('the page fits a 360-pixel screen with every control of a signed-in person', async () => {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
});

test('signed in, the conversation list shows titles newest first; a conversation opens with its history a page at a time, is renamed and deleted', async () => {
  // conversation A: eleven questions (22 entries: more than one history page of 20)
  for (let i = 1; i <= 11; i++) await askAndWait(`질문 ${i}`);
  const first = await currentSession();
  // conversation B: one question
  await page.getByRole('button', { name: 'New conversation' }).click();
  await online();
  await askAndWait(FAQ.question);
  const second = await currentSession();
  expect(second).not.toBe(first);

  await page.getByRole('button', { name: 'Conversations' }).click();
  const rows = page.locator('#conversations-panel .conversation');
  await rows.nth(1).waitFor(WAIT);
  expect(await rows.locator('.conversation-title').allInnerTexts()).toEqual([expect.stringContaining('신용카드는'), expect.stringContaining('질문 1')]);
  expect(await rows.first().getAttribute('aria-current')).toBe('true');
  await shot(page, 'conversation-list');
  expect(await seriousA11yViolations(page)).toEqual([]);

  await page.getByRole('button', { name: /^Rename: 질문 1/ }).click();
  await page.getByLabel('Title').fill('해외 카드 상담');
  await page.getByLabel('Title').press('Enter');
  await rows.locator('.conversation-title', { hasText: '해외 카드 상담' }).waitFor(WAIT);
  expect((await db.query('SELECT title FROM chat_log.sessions WHERE id = $1', [first])).rows).toEqual([{ title: '해외 카드 상담' }]);

  await page.getByRole('button', { name: /해외 카드 상담/ }).first().click();
  await page.locator('.turn.user .bubble', { hasText: '질문 11' }).waitFor(WAIT);
  expect(await page.locator('.turn').count()).toBe(20);
  expect(await currentSession()).toBe(first);
  await shot(page, 'conversation-opened-latest-page');
  await page.getByRole('button', { name: 'Show earlier messages' }).click();
  await page.locator('.turn.user .bubble', { hasText: /^질문 1$/ }).waitFor(WAIT);
  expect(await page.locator('.turn').count()).toBe(22);
  expect(await page.getByRole('button', { name: 'Show earlier messages' }).count()).toBe(0);
  await online();
  await askAndWait('질문 12');
  // every answer under its question, in order, none twice
  expect(await page.evaluate<string>(`[...document.querySelectorAll('.turn')].map((e) => e.classList.contains('user') ? 'u' : 'b').join('')`)).toBe('ub'.repeat(12));
  expect(await page.locator('.turn.user .bubble').allInnerTexts()).toEqual(Array.from({ length: 12 }, (_, i) => `질문 ${i + 1}`));
  expect(await messagesOf(first)).toBe(12);
  await shot(page, 'conversation-continued');

  await page.getByRole('button', { name: 'Conversations' }).click();
  await page.getByRole('button', { name: /^Delete: 신용카드는/ }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await rows.nth(1).waitFor({ state: 'detached', ...WAIT });
  expect(await messagesOf(second)).toBe(0);
  await shot(page, 'conversation-deleted');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);
