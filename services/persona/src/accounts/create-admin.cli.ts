import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DisplayName, Email, NewPassword } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { migrate } from '@chatbot/store';
import { readConfig } from '../config';
import { createPrisma, DB_SCHEMA } from '../database';
import { accountSettings } from './accounts.app';
import { AccountRepository } from './account.repository';
import { createPasswordHasher } from './passwords/password.hasher';
import { RefreshTokenStore } from './tokens/refresh-token.store';

/**
 * `npm run create-admin -- --email … --password … [--name …]`: creates the admin account, or makes
 * the account with that email an admin with that password, against DATABASE_URL (migrating it
 * first). Sessions of an existing account are revoked, as after any password change.
 */
const Args = z.object({ email: Email, password: NewPassword, name: DisplayName.default('Admin') });

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  const args = Args.safeParse(values);
  if (!args.success) throw new Error(args.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  // OPS_PORT has no default for services; this one-shot script serves nothing.
  const config = readConfig({ OPS_PORT: '0', ...process.env });
  const logger = createLogger('create-admin', 'warn');
  await migrate({ databaseUrl: config.DATABASE_URL, schema: DB_SCHEMA, dir: join(__dirname, '..', '..', 'prisma', 'migrations'), logger });
  const prisma = createPrisma(config.DATABASE_URL);
  try {
    const hasher = await createPasswordHasher(accountSettings(config).argon2);
    const { email, name, password } = args.data;
    const account = await new AccountRepository(prisma).upsertAdmin({ email, name, passwordHash: await hasher.hash(password) });
    await new RefreshTokenStore(prisma, config.REFRESH_TOKEN_TTL_DAYS).revokeAccount(account.id);
    process.stdout.write(`${JSON.stringify({ id: account.id, email: account.email, name: account.name, role: account.role })}\n`);
  } finally {
    await prisma.$disconnect();
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`create-admin: ${(error as Error).message}\n`);
  process.exit(1);
});
