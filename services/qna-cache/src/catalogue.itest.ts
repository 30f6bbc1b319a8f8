import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { createLogger } from '@chatbot/runtime';
import { migrate, prismaAdapter } from '@chatbot/store';
import { isolate, startService, type TestEnv } from '@chatbot/testkit';
import { loadCatalogue } from './catalogue.loader';
import { createCatalogueRepository } from './catalogue.repository';
import { DB_SCHEMA } from './config';
import { createCardSearchRepository } from './search/card-search.repository';
import { trigramFunctions } from './search/trigram.functions';
import { PrismaClient } from './generated/prisma/client';
import faqs from '../data/faqs.json';
import terms from '../data/terms.json';
import cards from '../data/cards.json';

const logger = createLogger('qna-cache-test', 'silent');
const migrations = join(__dirname, '..', 'prisma', 'migrations');
let env: TestEnv;
let db: Client;
let prisma: PrismaClient;

beforeAll(async () => {
  env = await isolate();
  db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
  prisma = new PrismaClient({ adapter: prismaAdapter(env.databaseUrl, DB_SCHEMA) });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.end();
  await env.cleanup();
});

const count = async (table: string) =>
  Number((await db.query(`SELECT count(*) AS n FROM qna_cache.${table}`)).rows[0].n);

test('migrates an empty database while another service is installing pg_trgm in the same moment', async () => {
  // Another service's migration holds an uncommitted CREATE EXTENSION while ours runs.
  const other = new Client({ connectionString: env.databaseUrl });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    const ours = migrate({ databaseUrl: env.databaseUrl, schema: DB_SCHEMA, dir: migrations, logger });
    const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    while ((await db.query(waiting)).rows[0].n === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await other.query('COMMIT');
    await expect(ours).resolves.toEqual(['001_catalogue.sql']);
  } finally {
    await other.end();
  }
  const ext = await db.query(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'pg_trgm'`);
  expect(ext.rows).toEqual([{ nspname: 'public' }]);
  const indexes = await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'qna_cache' AND indexdef LIKE '%gin_trgm_ops%' ORDER BY 1`);
  expect(indexes.rows.map((r) => r.indexname)).toEqual(['cards_name_trgm', 'cards_search_trgm', 'faqs_search_trgm', 'terms_search_trgm']);
  await expect(migrate({ databaseUrl: env.databaseUrl, schema: DB_SCHEMA, dir: migrations, logger })).resolves.toEqual([]);
});

/** Migrates, seeds and searches a database of its own, prepared by `prepare` as superuser. */
async function searchInScratchDatabase(prepare: (admin: Client, url: URL) => Promise<URL>) {
  const scratch = await isolate();
  const admin = new Client({ connectionString: scratch.databaseUrl });
  await admin.connect();
  let scratchPrisma: PrismaClient | undefined;
  try {
    const url = (await prepare(admin, new URL(scratch.databaseUrl))).toString();
    await migrate({ databaseUrl: url, schema: DB_SCHEMA, dir: migrations, logger });
    scratchPrisma = new PrismaClient({ adapter: prismaAdapter(url, DB_SCHEMA) });
    await createCatalogueRepository(scratchPrisma).seed(await loadCatalogue(join(__dirname, '..', 'data')));
    // Card recommendations rank with pg_trgm's word_similarity, wherever the extension lives.
    const cards = createCardSearchRepository(scratchPrisma, await trigramFunctions(scratchPrisma));
    const trgm = await admin.query(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'pg_trgm'`);
    return { trgmSchema: trgm.rows[0].nspname as string, best: (await cards.recommend('주유 할인', 1))[0] };
  } finally {
    await scratchPrisma?.$disconnect();
    await admin.end();
    await scratch.cleanup();
  }
}

test('uses pg_trgm where another service installed it into its own schema first', async () => {
  const result = await searchInScratchDatabase(async (admin, url) => {
    await admin.query('CREATE SCHEMA persona; CREATE EXTENSION pg_trgm WITH SCHEMA persona');
    return url;
  });
  expect(result).toEqual({ trgmSchema: 'persona', best: expect.objectContaining({ tags: expect.arrayContaining(['주유']) }) });
});

test('installs pg_trgm into public for a role that may not create objects there', async () => {
  const role = `qna_${randomBytes(4).toString('hex')}`;
  try {
    const result = await searchInScratchDatabase(async (admin, url) => {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'; GRANT CREATE ON DATABASE ${url.pathname.slice(1)} TO ${role};
                         REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      const asRole = new URL(url);
      asRole.username = role;
      asRole.password = 'pw';
      return asRole;
    });
    expect(result).toEqual({ trgmSchema: 'public', best: expect.objectContaining({ tags: expect.arrayContaining(['주유']) }) });
  } finally {
    await db.query(`DROP ROLE IF EXISTS ${role}`);
  }
});

test('every model round-trips through the generated client', async () => {
  await prisma.faq.create({
    data: { faqId: 'FAQ-T1', category: '테스트', question: '질문?', answer: '답변', keywords: ['키워드'], keywordKeys: ['키워드'], searchText: '질문?' },
  });
  await prisma.faq.update({ where: { faqId: 'FAQ-T1' }, data: { views: { increment: 2 } } });
  expect(await prisma.faq.findUniqueOrThrow({ where: { faqId: 'FAQ-T1' } })).toMatchObject({ views: 2, keywords: ['키워드'] });

  await prisma.term.create({
    data: { termId: 'TERM-T1', category: '테스트', term: '용어', definition: '정의', relatedTerms: ['관련'], termKey: '용어', searchText: '용어' },
  });
  expect(await prisma.term.findUniqueOrThrow({ where: { termId: 'TERM-T1' } })).toMatchObject({ english: null, views: 0, relatedTerms: ['관련'] });

  const card = {
    productCode: 'T-1', name: '테스트 카드', type: 'check', annualFeeDomestic: 0, annualFeeOverseas: 5000,
    summary: '요약', benefits: ['혜택'], tags: ['태그'], nameKey: '테스트카드', searchText: '테스트 카드',
  };
  await prisma.card.create({ data: card });
  expect(await prisma.card.findUniqueOrThrow({ where: { name: '테스트 카드' } })).toEqual(card);
  await expect(prisma.card.create({ data: { ...card, productCode: 'T-2', type: 'debit' } })).rejects.toThrow();

  await prisma.faq.delete({ where: { faqId: 'FAQ-T1' } });
  await prisma.term.delete({ where: { termId: 'TERM-T1' } });
  await prisma.card.delete({ where: { productCode: 'T-1' } });
  expect([await count('faqs'), await count('terms'), await count('cards')]).toEqual([0, 0, 0]);
});

test('seeds the data files at start-up, and a second start adds nothing and keeps the views', async () => {
  const first = await startService('qna-cache', env.env);
  await first.process.stop();
  expect([await count('faqs'), await count('terms'), await count('cards')]).toEqual([faqs.length, terms.length, cards.length]);
  const seeded = (await db.query(`SELECT views FROM qna_cache.faqs WHERE faq_id = $1`, [faqs[0].faq_id])).rows[0].views;
  expect(seeded).toBe(faqs[0].views);

  await db.query(`UPDATE qna_cache.faqs SET views = views + 7 WHERE faq_id = $1`, [faqs[0].faq_id]);
  const second = await startService('qna-cache', env.env);
  await second.process.stop();
  const seedLine = second.logs.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'catalogue seeded');
  expect(seedLine.seeded).toEqual({ faqs: 0, terms: 0, cards: 0 });
  expect([await count('faqs'), await count('terms'), await count('cards')]).toEqual([faqs.length, terms.length, cards.length]);
  const kept = (await db.query(`SELECT views FROM qna_cache.faqs WHERE faq_id = $1`, [faqs[0].faq_id])).rows[0].views;
  expect(kept).toBe(faqs[0].views + 7);
});
