import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { connectionStringOf, ensureDatabase } from './database';

export interface MigrateOptions {
  databaseUrl: string;
  /** The service's own Postgres schema; every table of the service lives in it. */
  schema: string;
  /** Folder of `NNN_name.sql` files, applied in name order. */
  dir: string;
  logger: Logger;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Applies the SQL files not yet applied, each in its own transaction, recording name and checksum.
 * An advisory lock makes concurrent starts (several replicas) apply each file once. A file edited
 * after it was applied stops the start-up: migrations are append-only.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  await ensureDatabase(options.databaseUrl);
  const client = new Client({ connectionString: connectionStringOf(options.databaseUrl) });
  await client.connect();
  const schema = quote(options.schema);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${options.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}._migrations (
         name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Map<string, string>(
      (await client.query(`SELECT name, checksum FROM ${schema}._migrations`)).rows.map((r) => [r.name, r.checksum]),
    );
    const files = (await readdir(options.dir)).filter((f) => f.endsWith('.sql')).sort();
    const done: string[] = [];
    for (const file of files) {
      const sql = await readFile(join(options.dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = applied.get(file);
      if (previous === checksum) continue;
      if (previous) throw new Error(`migration ${file} changed after it was applied (schema ${options.schema})`);
      await applyOne(client, options.schema, file, sql, checksum);
      options.logger.info({ migration: file, schema: options.schema }, 'migration applied');
      done.push(file);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${options.schema}`]).catch(() => {});
    await client.end();
  }
}

async function applyOne(client: Client, schemaName: string, file: string, sql: string, checksum: string) {
  const schema = quote(schemaName);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${schema}, public`);
    await client.query(sql);
    await client.query(`INSERT INTO ${schema}._migrations (name, checksum) VALUES ($1, $2)`, [file, checksum]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
  }
}
