import { resolve } from 'node:path';
import pino from 'pino';
import { migrate } from './migrate';

/**
 * One-shot migrations, for a deploy job that runs before the services roll out:
 *   DATABASE_URL=… node libs/store/dist/migrate-cli.js <schema>=<migrations dir> [...]
 * e.g. chat_log=services/chat-log/prisma/migrations. Exits non-zero on the first failure.
 */
async function main(args: string[]) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  if (args.length === 0) throw new Error('usage: migrate-cli <schema>=<migrations dir> [...]');
  const logger = pino({ base: { service: 'migrate' } });
  for (const arg of args) {
    const [schema, dir] = arg.split('=');
    if (!schema || !dir) throw new Error(`expected <schema>=<dir>, got "${arg}"`);
    const applied = await migrate({ databaseUrl, schema, dir: resolve(dir), logger });
    logger.info({ schema, applied: applied.length }, 'schema up to date');
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`migrate: ${(error as Error).message}\n`);
  process.exit(1);
});
