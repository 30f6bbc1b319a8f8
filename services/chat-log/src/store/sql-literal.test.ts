import { Prisma } from '../generated/prisma/client';
import { inlined } from './sql-literal';

test('values are written in as quoted literals, nested fragments as SQL', () => {
  const columns = Prisma.raw('id, turn');
  const statement = Prisma.sql`SELECT ${columns} FROM t WHERE id = ANY(${['a', null, 'b"c\\d']}::text[]) AND n = ${3}::int AND ok = ${true} AND x IS ${null}`;
  expect(inlined(statement)).toBe(
    `SELECT id, turn FROM t WHERE id = ANY( E'{"a",NULL,"b\\\\"c\\\\\\\\d"}'::text[]) AND n = '3'::int AND ok = TRUE AND x IS NULL`,
  );
});

test('a quote in user text cannot end the literal', () => {
  expect(inlined(Prisma.sql`INSERT INTO t VALUES (${"it's'); DROP TABLE t; --"})`)).toBe(`INSERT INTO t VALUES ('it''s''); DROP TABLE t; --')`);
  expect(inlined(Prisma.sql`SELECT ${new Date('2026-12-08T00:00:00Z')}::timestamptz, ${JSON.stringify({ a: "x'y" })}::jsonb`)).toBe(
    `SELECT '2026-12-08T00:00:00.000Z'::timestamptz, '{"a":"x''y"}'::jsonb`,
  );
});
