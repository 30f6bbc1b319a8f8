import fc from 'fast-check';
import { classifySpending, FALLBACK_CLUSTER_ID } from './cluster.classifier';
import { loadSeedData, type SeedData } from './seed-data.loader';
import { spendingCategories, type SpendingCategory, type SpendingR3m } from './spending.model';

let seed: SeedData;
beforeAll(async () => {
  seed = await loadSeedData();
});

function spendingOf(amounts: Partial<Record<SpendingCategory, number>>): SpendingR3m {
  const categories = Object.fromEntries(spendingCategories.map((c) => [c, amounts[c] ?? 0])) as Record<SpendingCategory, number>;
  const total = Object.values(categories).reduce((sum, n) => sum + n, 0);
  return { usage_count_r3m: 10, usage_amount_r3m: total, ...categories };
}

test('every seeded persona falls into the cluster its data file declares', () => {
  expect(seed.personas).toHaveLength(7);
  for (const persona of seed.personas) {
    const { clusterId } = classifySpending(persona.spending, seed.clusters);
    expect({ persona: persona.id, clusterId }).toEqual({ persona: persona.id, clusterId: persona.clusterId });
  }
});

test("each cluster's own even profile is classified as that cluster", () => {
  for (const cluster of seed.clusters.filter((c) => c.clusterId !== FALLBACK_CLUSTER_ID)) {
    const even = spendingOf(Object.fromEntries(cluster.dominantCategories.map((c) => [c, 100_000])));
    expect(classifySpending(even, seed.clusters)).toEqual({ clusterId: cluster.clusterId, similarity: expect.closeTo(1, 9) });
  }
});

test('no spending at all falls back to the general cluster', () => {
  expect(classifySpending(spendingOf({}), seed.clusters).clusterId).toBe(FALLBACK_CLUSTER_ID);
});

test('spending only where no cluster is built (medical, social) falls back to the general cluster', () => {
  const spending = spendingOf({ amount_medical: 900_000, amount_social: 700_000, amount_food: 50_000 });
  expect(classifySpending(spending, seed.clusters).clusterId).toBe(FALLBACK_CLUSTER_ID);
});

test('the cluster depends on the spending mix, not on how much is spent', () => {
  const amount = fc.integer({ min: 0, max: 5_000_000 });
  const profile = fc.record(Object.fromEntries(spendingCategories.map((c) => [c, amount])) as Record<SpendingCategory, typeof amount>);
  fc.assert(
    fc.property(profile, fc.integer({ min: 2, max: 50 }), (amounts, factor) => {
      const scaled = Object.fromEntries(Object.entries(amounts).map(([c, n]) => [c, n * factor]));
      const one = classifySpending(spendingOf(amounts), seed.clusters).clusterId;
      expect(classifySpending(spendingOf(scaled), seed.clusters).clusterId).toBe(one);
    }),
  );
});
