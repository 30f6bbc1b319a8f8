import { quickProfile, type Profile } from './options';
import type { Row } from './report/rows';
import { runBench } from './run';

/**
 * The harness works at all: a smoke run of the reference pipelines and the cache-hit scenario
 * against the test infrastructure. Benchmarks measure speed; this only checks that figures come out.
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
});
