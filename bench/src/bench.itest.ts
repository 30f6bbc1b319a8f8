import { quickProfile, type Profile } from './options';
import type { Row } from './report/rows';
import { runBench } from './run';

/**
 * The harness works at all: a smoke run of the reference pipelines, the cache-hit scenario and
 * the LLM path against the test infrastructure. Benchmarks measure speed; this only checks that figures come out.
 */
const profile: Profile = { ...quickProfile, warmupMs: 300, measureMs: 1_000, cacheClients: [10] };
const infra = () => ({ natsUrl: process.env.TEST_NATS_URL, adminDatabaseUrl: process.env.TEST_DATABASE_URL });

const figure = (rows: Row[], scenario: string, metric: string) =>
  rows.find((row) => row.scenario === scenario && row.metric === metric)?.value;

describe('npm run bench --quick', () => {
  it('measures the echo, ideal relay and durable relay references', async () => {
    const result = await runBench({ profile, only: ['reference'], infra: infra(), retries: 0 });
    for (const metric of ['echo round trips/s', 'relay round trips/s', 'relay latency p99', 'durable relay round trips/s']) {
      expect(figure(result.rows, 'reference @10', metric)).toBeGreaterThan(0);
    }
    expect(figure(result.rows, 'reference @10', 'relay errors')).toBe(0);
    expect(figure(result.rows, 'reference @10', 'durable relay errors')).toBe(0);
    const stored = result.rows.find((row) => row.scenario === 'reference @10' && row.metric === 'durable relay messages stored');
    expect(stored?.reference).toBeGreaterThan(0);
    expect(stored?.value).toBe(stored?.reference); // every message the clients sent is a row
  });

  it('measures the cache-hit path beside the relay and counts the stored messages', async () => {
    const result = await runBench({ profile, only: ['cache-hit'], infra: infra(), retries: 0 });
    const throughput = result.rows.find((row) => row.scenario === 'cache-hit @10' && row.metric === 'round trips/s');
    expect(throughput?.value).toBeGreaterThan(0);
    expect(throughput?.reference).toBeGreaterThan(0);
    expect(throughput?.target).toEqual({ of: 'ratio', op: '>=', bound: 0.5 });
    const durable = result.rows.find((row) => row.scenario === 'cache-hit @10' && row.metric === 'round trips/s vs durable relay');
    expect(durable?.reference).toBeGreaterThan(0);
    const stored = result.rows.find((row) => row.scenario === 'cache-hit @10' && row.metric === 'messages stored');
    expect(stored?.reference).toBeGreaterThan(0);
    expect(figure(result.rows, 'persistence @10', 'stored/s vs accepted/s')).toBeGreaterThan(0);
  });

  it('measures the LLM path beside the stub alone and the LLM relay', async () => {
    const result = await runBench({ profile, only: ['llm'], infra: infra(), retries: 0 });
    const row = (scenario: string, metric: string) => result.rows.find((r) => r.scenario === scenario && r.metric === metric);
    expect(row('llm time to first token', 'TTFT p50')?.reference).toBeGreaterThan(0); // the stub called directly
    const added = row('llm time to first token', 'added TTFT p50');
    expect(added?.target).toEqual({ of: 'value', op: '<=', bound: 3 });
    expect(added?.referenceName).toBe('LLM relay');
    expect(Number.isFinite(added?.value) && Number.isFinite(added?.reference)).toBe(true);
    expect(figure(result.rows, 'llm time to first token', 'LLM relay errors')).toBe(0);
    expect(figure(result.rows, 'llm time to first token', 'errors')).toBe(0);
    // Characters on both sides: the workers join tokens into fewer deltas, the text is the same.
    const streamed = row('llm token relay', 'text streamed (chars/s)');
    expect(streamed?.value).toBeGreaterThan(0);
    expect(streamed?.reference).toBeGreaterThan(0);
    expect(figure(result.rows, 'llm bound', 'round trips/s, 2 workers')).toBeGreaterThan(0);
  });
});
