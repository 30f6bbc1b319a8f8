import { randomUUID } from 'node:crypto';
import type { ChatUsageV1 } from '@chatbot/proto';
import { eventually } from '@chatbot/testkit';
import { startPersona, type PersonaHarness } from '../../../test/harness';
import { createPrisma } from '../../database';
import { forgetCountedMessages } from './usage.repository';

/**
 * The usage counter per message: chat.usage.v1 events on the real bus into the real persona and
 * database. Each message id counts once, whatever number of copies arrive.
 */
let h: PersonaHarness;
beforeAll(async () => {
  h = await startPersona();
});
afterAll(async () => {
  await h?.close();
});

const usage = (userId: string, messageId: string): ChatUsageV1 => ({ message_id: messageId, session_id: randomUUID(), user_id: userId, received_at: new Date().toISOString() });
/** Published with a dedupe id of its own each time: a copy the broker does not recognise. */
const publish = (event: ChatUsageV1) => h.bus.publish('chatUsage', '', event, { msgId: `${event.message_id}:${randomUUID()}` });
const usageCount = async (id: string) => (await h.bus.request('accountGet', { account_id: id })).usage_count;

test('each message id adds one to its account, once, whatever copies arrive; unknown accounts do not stop the rest', async () => {
  const account = await h.bus.request('accountRegister', { email: 'counted@example.com', password: 'counted-password-1', name: 'Counted' });
  const other = await h.bus.request('accountRegister', { email: 'other-counted@example.com', password: 'counted-password-1', name: 'Other' });
  const ids = ['u-1', 'u-2', 'u-3'];
  for (const id of ids) await publish(usage(account.id, id));
  await publish(usage(randomUUID(), 'u-nobody')); // an account deleted meanwhile
  await publish(usage(other.id, 'u-other'));
  await eventually(async () => expect(await usageCount(account.id)).toBe(3));
  await eventually(async () => expect(await usageCount(other.id)).toBe(1));

  // copies past the broker's de-duplication, and the manual increment beside them
  for (const id of ids) await publish(usage(account.id, id));
  expect(await h.bus.request('accountUsage', { account_id: account.id })).toEqual({ usage_count: 4 });
  // counted in stream order: once u-4 is in, every copy before it was seen
  await publish(usage(account.id, 'u-4'));
  await eventually(async () => expect(await usageCount(account.id)).toBe(5));

  const prisma = createPrisma(h.env.databaseUrl);
  try {
    const counted = await prisma.countedMessage.findMany({ where: { accountId: account.id }, orderBy: { messageId: 'asc' } });
    expect(counted.map((m) => m.messageId)).toEqual(['u-1', 'u-2', 'u-3', 'u-4']);
    expect(await prisma.countedMessage.count({ where: { messageId: 'u-nobody' } })).toBe(0);
  } finally {
    await prisma.$disconnect();
  }
});

test('ids counted longer ago than the de-duplication window are forgotten in batches; the counters keep their totals', async () => {
  const account = await h.bus.request('accountRegister', { email: 'pruned@example.com', password: 'counted-password-1', name: 'Pruned' });
  for (const id of ['p-1', 'p-2', 'p-3', 'p-new']) await publish(usage(account.id, id));
  await eventually(async () => expect(await usageCount(account.id)).toBe(4));
  const prisma = createPrisma(h.env.databaseUrl);
  try {
    await prisma.$executeRaw`UPDATE persona.counted_messages SET counted_at = now() - interval '9 days' WHERE message_id IN ('p-1', 'p-2', 'p-3')`;
    expect(await forgetCountedMessages(prisma, 8, 2)).toBe(2);
    expect(await forgetCountedMessages(prisma, 8, 2)).toBe(1);
    expect(await forgetCountedMessages(prisma, 8, 2)).toBe(0);
    const left = await prisma.countedMessage.findMany({ where: { accountId: account.id } });
    expect(left.map((m) => m.messageId)).toEqual(['p-new']);
    expect(await usageCount(account.id)).toBe(4);
  } finally {
    await prisma.$disconnect();
  }
});
