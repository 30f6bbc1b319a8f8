import type { SqlPool } from '@chatbot/store';
import { Prisma } from '../generated/prisma/client';
import { inlined } from './sql-literal';

/**
 * Tagged-template SQL sent straight to the driver, for the statements of every message and reply:
 * a Prisma interactive transaction costs about 2 ms of CPU in chat-log against 0.5 ms here
 * (docs/benchmarks.md, finding 15). `${value}` becomes a parameter; a `Prisma.raw` fragment
 * (RELEASED_COLUMNS) is spliced in as SQL. Prisma keeps the schema and the other queries.
 */
export interface Sql {
  /** Resolves with the rows, typed as `T` (an array type, as with Prisma's `$queryRaw<T>`). */
  query<T extends unknown[]>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  /** Runs a statement and returns the number of rows it touched. */
  execute(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  /**
   * `query` as the named statement `name` (one name per statement text): each connection parses
   * it once, and after five runs Postgres keeps a generic plan when it costs no more than the
   * plans made for the values. Only for a read whose best plan does not depend on its values:
   * the conversation history (`chatlog.history.v1`) cost 1.5 ms of planning per call against
   * 0.5 ms of execution when every LLM job read it (docs/benchmarks.md, finding 21).
   */
  named(name: string): Pick<Sql, 'query'>;
}

/** A transaction's Sql, which can also send several statements in one round trip. */
export interface Tx extends Sql {
  /**
   * Runs `statements` in order in one round trip (one simple-protocol query, values written in
   * as literals) and resolves with each one's rows. The first statements of a transaction also
   * carry its BEGIN, and `commit` adds its COMMIT: a transaction that reads under its locks,
   * decides, then writes costs two round trips (docs/benchmarks.md, finding 23). Each statement
   * still sees what the ones before it did, as when sent one by one.
   */
  batch(statements: Prisma.Sql[], options?: { commit?: boolean }): Promise<unknown[][]>;
}

interface Result {
  rows: unknown[];
  rowCount: number | null;
}

interface Runner {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<Result>;
}

interface Connection extends Runner {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<Result>;
  query(text: string): Promise<Result | Result[]>;
}

/** Sql on a pooled connection (a transaction's) or on the pool itself (one statement each). */
export function sqlOn(runner: Runner, name?: string): Sql {
  const run = (strings: TemplateStringsArray, values: unknown[]) => {
    // Prisma's own template compiler: parameters numbered $1…, fragments (Prisma.raw, nested
    // Prisma.sql) spliced in. Unnamed unless asked, so planned for its values each time: with
    // every statement named, the writes got generic plans that cost Postgres twice the CPU per
    // message (finding 16).
    const statement = new Prisma.Sql(strings, values);
    return runner.query({ text: statement.text, values: statement.values, ...(name ? { name } : {}) });
  };
  return {
    async query<T extends unknown[]>(strings: TemplateStringsArray, ...values: unknown[]) {
      return (await run(strings, values)).rows as T;
    },
    async execute(strings: TemplateStringsArray, ...values: unknown[]) {
      return (await run(strings, values)).rowCount ?? 0;
    },
    named: (statementName) => sqlOn(runner, statementName),
  };
}

/** How long a transaction may take. */
const TRANSACTION_TIMEOUT_MS = 20_000;

/**
 * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled
 * back when it throws. A transaction still running after `timeoutMs` loses its connection
 * (Postgres rolls it back) and fails, so a hung database cannot hold a batch forever.
 */
export async function transaction<T>(pool: SqlPool, work: (tx: Tx) => Promise<T>, timeoutMs = TRANSACTION_TIMEOUT_MS): Promise<T> {
  // The pool's connectWaitMs (createDb) bounds the wait for a connection.
  const client = await pool.connect();
  let released = false;
  const release = (destroy?: Error) => {
    if (released) return;
    released = true;
    client.off('error', ignore);
    client.release(destroy);
  };
  // A connection Postgres drops while checked out emits 'error'; the failing query reports it.
  const ignore = () => undefined;
  client.on('error', ignore);
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`transaction exceeded ${timeoutMs} ms`);
      release(error); // closes the connection: Postgres rolls the transaction back
      reject(error);
    }, timeoutMs);
  });
  const tx = transactionOn(client);
  const running = (async () => {
    const result = await work(tx);
    await tx.end();
    return result;
  })();
  running.catch(() => undefined); // after a timeout, its failure is only the closed connection
  try {
    return await Promise.race([running, overdue]);
  } catch (error) {
    if (!released && tx.begun()) await client.query('ROLLBACK').catch((rollbackError: Error) => release(rollbackError));
    throw error;
  } finally {
    clearTimeout(timer);
    release();
  }
}

/**
 * The transaction's statements on its connection. BEGIN goes with the first statement (alone
 * before a parameterised one, inside a batch), COMMIT with a committing batch or at the end; a
 * transaction that sent nothing sends neither.
 */
function transactionOn(client: Connection): Tx & { begun(): boolean; end(): Promise<void> } {
  let state: 'idle' | 'open' | 'committed' = 'idle';
  const plain = sqlOn(client);
  const open = async () => {
    if (state === 'committed') throw new Error('statement after the transaction committed');
    if (state === 'idle') {
      state = 'open';
      await client.query('BEGIN');
    }
  };
  const inTx = (sql: Pick<Sql, 'query'>): Pick<Sql, 'query'> => ({
    async query<T extends unknown[]>(strings: TemplateStringsArray, ...values: unknown[]) {
      await open();
      return sql.query<T>(strings, ...values);
    },
  });
  return {
    ...inTx(plain),
    async execute(strings, ...values) {
      await open();
      return plain.execute(strings, ...values);
    },
    named: (name) => inTx(plain.named(name)),
    async batch(statements, { commit = false } = {}) {
      if (state === 'committed') throw new Error('statement after the transaction committed');
      const begin = state === 'idle';
      state = 'open';
      const text = [...(begin ? ['BEGIN'] : []), ...statements.map(inlined), ...(commit ? ['COMMIT'] : [])].join(';\n');
      const results = await client.query(text);
      if (commit) state = 'committed';
      const all = Array.isArray(results) ? results : [results];
      return all.slice(begin ? 1 : 0, begin ? statements.length + 1 : statements.length).map((r) => r.rows);
    },
    begun: () => state === 'open',
    async end() {
      if (state === 'open') await client.query('COMMIT');
      state = 'committed';
    },
  };
}
