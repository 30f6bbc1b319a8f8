import { resolveInfra, type Infra } from './infra';

declare global {
  // eslint-disable-next-line no-var
  var __chatbotInfra: Infra | undefined;
}

/** Jest global setup: one NATS and one Postgres for the whole run, shared by isolated files. */
export default async function globalSetup(): Promise<void> {
  let infra: Infra;
  process.stdout.write('\n');
  try {
    infra = await resolveInfra((line) => process.stdout.write(`test infrastructure: ${line}\n`));
  } catch (error) {
    throw new Error(`Test infrastructure unavailable: ${(error as Error).message}`);
  }
  globalThis.__chatbotInfra = infra;
  process.env.TEST_NATS_URL = infra.natsUrl;
  process.env.TEST_DATABASE_URL = infra.adminDatabaseUrl;
  process.stdout.write(`test infrastructure: ${infra.source}\n`);
}
