import { Client } from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStubLlm, startSystem, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { consoleErrors, launchChromium, screenshots, seriousA11yViolations } from './support/browser';
import { startCuttableLink, type CuttableLink } from './support/tcp-proxy';

/**
 * The chat page in a real browser (Debian's Chromium) against the whole system, every service its
 * own process as `npm start` runs them; the LLM is the OpenAI-compatible stub (the only part
 * replaced). The browser reaches the gateway through a TCP link the test can cut, so a dropped
 * connection is a real one. A phone-sized window (360 px) in Korean, as most users see it.
 */
const FAQ = { question: '신용카드는 어떻게 발급받을 수 있나요?', answerStart: '신용카드는 우리WON카드 앱' };
const CARD_QUESTION = '편의점이랑 카페에서 할인 많이 되는 카드 있어?';
const LONG_QUESTION = '해외에서 쓰기 좋은 카드도 알려줄래?';
const cardAnswer = '편의점과 카페 할인이 큰 카드를 골라 봤어요. 아래 카드들의 혜택을 비교해 보세요.';
// Long and slow enough (about 40 pieces, 150 ms apart) to be cut in the middle on a busy machine.
const longAnswer = Array.from({ length: 40 }, (_, i) => `해외결제${i + 1}`).join(' ') + ' 끝.';

let stub: StubLlm;
let system: TestSystem;
let link: CuttableLink;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let db: Client;
const shot = screenshots('web-chat');
const WAIT = { timeout: 60_000 };
const STEP_LIMIT = 180_000; // a whole test on a busy machine (the product's timeouts are its own)

beforeAll(async () => {
  browser = await launchChromium(); // first: without Chromium, fail before starting anything else
  stub = await startStubLlm();
  stub.setScript((body) => {
    const messages = (body.messages ?? []) as Array<{ role: string; content?: string }>;
    const asked = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
    if (asked === LONG_QUESTION) return { text: longAnswer, tokenDelayMs: 150 };
    return messages.some((m) => m.role === 'tool')
      ? { text: cardAnswer, tokenDelayMs: 20 }
      : { toolCallIncremental: { name: 'get_card_recommendation', arguments: { need: '편의점 카페 할인' } }, argumentFragments: 2 };
  });
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model' } });
  link = await startCuttableLink(system.gateways[0]);
  db = new Client({ connectionString: system.env.databaseUrl });
  await db.connect();
  context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR' });
  page = await context.newPage();
  errors = consoleErrors(page);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await link?.close();
  await db?.end();
  await system?.stop();
  await stub?.close();
});

const online = () => page.locator('.banner[data-status="online"]').waitFor({ state: 'attached', ...WAIT });
const botTurns = () => page.locator('.turn.bot');

async function ask(question: string) {
  await page.locator('#message').focus();
  await page.keyboard.type(question);
  await page.keyboard.press('Enter');
}

/** The answer shown under the last question asked, once it is final. */
async function finalAnswer(count: number) {
  await page.locator('.turn.bot[data-done="true"]').nth(count - 1).waitFor(WAIT);
  return page.locator('.turn.bot').nth(count - 1);
}

test('a visitor asks an FAQ question in Korean and gets the answer, with no CSP refusal and no serious accessibility finding', async () => {
  await page.goto(`${link.url}/`);
  await online();
  await heading('카드 상담 챗봇');
  await shot(page, 'empty-ko-360px');

  await ask(FAQ.question);
  const answer = await finalAnswer(1);
  expect(await answer.locator('.bubble').innerText()).toContain(FAQ.answerStart);
  expect(await page.locator('.turn.user').first().getAttribute('data-state')).toBe('stored');
  await shot(page, 'faq-answered');

  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('a card question streams with the typing indicator, ends as cards, and takes feedback', async () => {
  await ask(CARD_QUESTION);
  const streaming = page.locator('.turn.bot').nth(1);
  await streaming.locator('.typing').waitFor(WAIT);
  await shot(page, 'card-question-typing');
  const answer = await finalAnswer(2);
  expect(await answer.locator('.bubble').innerText()).toBe(cardAnswer);
  const cards = await answer.locator('.card').allInnerTexts();
  expect(cards.length).toBeGreaterThan(0);
  await shot(page, 'card-answer-with-cards');

  // Feedback by keyboard: the reply's 👍 button, then the row chat-log keeps.
  const messageId = await answer.getAttribute('data-message-id');
  await answer.getByRole('button', { name: '도움이 됐어요' }).focus();
  await page.keyboard.press('Enter');
  await answer.locator('button[aria-label="도움이 됐어요"][aria-pressed="true"]').waitFor(WAIT);
  await waitForRow(`SELECT is_helpful FROM chat_log.replies WHERE frame_message_id = $1 AND is_helpful IS NOT NULL`, [messageId]);
  expect(await seriousA11yViolations(page)).toEqual([]);
}, STEP_LIMIT);

test('after a reload the conversation is still there and goes on in the same session', async () => {
  const sessionBefore = await sessionId();
  await page.reload();
  await online();
  expect(await botTurns().count()).toBe(2);
  expect(await page.locator('.card').count()).toBeGreaterThan(0);
  expect(await sessionId()).toBe(sessionBefore);
  await shot(page, 'reloaded');

  await ask('편의점에서 할인받을 수 있는 카드가 있나요?'); // another FAQ
  await finalAnswer(3);
  const sessions = await db.query('SELECT DISTINCT session_id::text FROM chat_log.messages');
  expect(sessions.rows.map((r) => r.session_id)).toEqual([sessionBefore]);
}, STEP_LIMIT);

test('the connection cut in the middle of a streamed answer comes back: the banner shows, then the whole answer once, and what was written offline is sent', async () => {
  await ask(LONG_QUESTION);
  const streaming = page.locator('.turn.bot').nth(3);
  await streaming.locator('.bubble').waitFor(WAIT); // the first pieces are on screen
  expect(await streaming.getAttribute('data-done')).toBe('false');
  link.cut();
  await page.locator('.banner[data-status="offline"]').waitFor(WAIT);
  // Written while offline: kept, then sent once the connection is back.
  await ask(FAQ.question);
  expect(await page.locator('.turn.user').last().getAttribute('data-state')).toBe('sending');
  await shot(page, 'connection-lost-banner');
  link.restore();

  const answer = await finalAnswer(4);
  await online();
  expect(await answer.locator('.bubble').innerText()).toBe(longAnswer);
  const afterwards = await finalAnswer(5);
  expect(await afterwards.locator('.bubble').innerText()).toContain(FAQ.answerStart);
  expect(await botTurns().count()).toBe(5);
  expect(await page.locator('.turn.user').count()).toBe(5);
  for (const turn of [answer, afterwards]) {
    const id = await turn.getAttribute('data-message-id');
    const stored = await db.query(
      `SELECT (SELECT count(*)::int FROM chat_log.messages WHERE message_id = $1) AS messages,
              (SELECT count(*)::int FROM chat_log.replies WHERE prompt_message_id = $1 AND seq IS NOT NULL) AS replies`,
      [id],
    );
    expect(stored.rows[0]).toEqual({ messages: 1, replies: 1 });
  }
  await shot(page, 'answers-complete-after-reconnect');
}, STEP_LIMIT);

test('English is one switch away, and the console page says agents sign in there', async () => {
  errors.length = 0; // the cut above may have logged failed reconnects; from here on nothing may fail
  await page.getByLabel('언어').selectOption('en');
  await heading('Card help chat');
  await shot(page, 'english');
  await page.getByRole('link', { name: 'Console' }).click();
  await heading("Agents' console");
  await shot(page, 'console');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, STEP_LIMIT);

test('/docs is Swagger UI listing the API, from the gateway alone', async () => {
  const docs = await context.newPage();
  const docErrors = consoleErrors(docs);
  const outside: string[] = [];
  docs.on('request', (request) => {
    if (!request.url().startsWith(link.url)) outside.push(request.url());
  });
  await docs.goto(`${link.url}/docs`);
  await docs.locator('.opblock-summary-path', { hasText: '/api/chat/feedback' }).waitFor(WAIT);
  expect(await docs.locator('.opblock').count()).toBeGreaterThanOrEqual(8);
  await shot(docs, 'docs-swagger-ui');
  // Opened, an operation shows its request body schema (rendered under the same strict CSP).
  await docs.locator('.opblock-summary', { hasText: '/api/chat/feedback' }).click();
  await docs.locator('.opblock.is-open .body-param__example, .opblock.is-open .model-example').first().waitFor(WAIT);
  await shot(docs, 'docs-operation-open');
  expect(outside).toEqual([]);
  expect(docErrors).toEqual([]);
  await docs.close();
}, STEP_LIMIT);

const heading = (text: string) => page.locator('h1', { hasText: new RegExp(`^${text}$`) }).waitFor(WAIT);

async function sessionId(): Promise<string> {
  return page.evaluate<string>(`JSON.parse(sessionStorage.getItem('chat.connection') ?? '{}').sessionId`);
}

async function waitForRow(sql: string, params: unknown[]) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await db.query(sql, params)).rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no row for ${sql} ${JSON.stringify(params)} within 30 s`);
}
