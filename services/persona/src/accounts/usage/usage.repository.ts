import type { PrismaClient } from '../../generated/prisma/client';

export interface CountedMessage {
  messageId: string;
  accountId: string;
}

/**
 * Adds each message to its account's usage counter once, ever: the message ids go into
 * `counted_messages` (primary key) and only the ones inserted now are added, in the same
 * transaction. A message of an account that no longer exists is skipped. Answers how many were new.
 */
export async function countMessages(prisma: PrismaClient, messages: CountedMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const ids = messages.map((m) => m.messageId);
  const accounts = messages.map((m) => m.accountId);
  const rows = await prisma.$queryRaw<Array<{ added: number }>>`
    WITH new AS (
      INSERT INTO persona.counted_messages (message_id, account_id)
      SELECT u.message_id, u.account_id
      FROM unnest(${ids}::text[], ${accounts}::uuid[]) AS u(message_id, account_id)
      JOIN persona.accounts a ON a.id = u.account_id
      ON CONFLICT (message_id) DO NOTHING
      RETURNING account_id
    ), per_account AS (
      SELECT account_id, count(*)::int AS n FROM new GROUP BY account_id
    ), counted AS (
      UPDATE persona.accounts a SET usage_count = a.usage_count + p.n
      FROM per_account p WHERE a.id = p.account_id
      RETURNING p.n
    )
    SELECT coalesce(sum(n), 0)::int AS added FROM counted`;
  return rows[0]?.added ?? 0;
}

/**
 * Forgets counted message ids older than `days`, at most `limit` of them (short transactions on a
 * big table); answers how many went. The usage counters keep their totals.
 */
export async function forgetCountedMessages(prisma: PrismaClient, days: number, limit: number): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM persona.counted_messages WHERE message_id IN (
      SELECT message_id FROM persona.counted_messages
      WHERE counted_at < now() - make_interval(days => ${days}::int)
      ORDER BY counted_at LIMIT ${limit}::int)`;
}
