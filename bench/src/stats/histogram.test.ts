import { Histogram } from './histogram';

describe('Histogram', () => {
  it('reports percentiles within about one percent of the exact value', () => {
    const histogram = new Histogram();
    for (let i = 1; i <= 10_000; i += 1) histogram.record(i / 100);
    expect(histogram.percentile(50)).toBeGreaterThan(50 * 0.99);
    expect(histogram.percentile(50)).toBeLessThan(50 * 1.01);
    expect(histogram.percentile(99)).toBeGreaterThan(99 * 0.99);
    expect(histogram.percentile(99)).toBeLessThan(99 * 1.01);
    expect(histogram.percentile(100)).toBe(100);
  });

  it('merges the JSON form of another histogram as if the samples were recorded here', () => {
    const a = new Histogram();
    const b = new Histogram();
    const both = new Histogram();
    for (let i = 0; i < 500; i += 1) {
      a.record(i);
      both.record(i);
      b.record(1000 + i);
      both.record(1000 + i);
    }
    const merged = Histogram.from(JSON.parse(JSON.stringify(a.toJSON())) as ReturnType<Histogram['toJSON']>).merge(b);
    expect(merged.count).toBe(1000);
    expect(merged.percentile(75)).toBe(both.percentile(75));
    expect(merged.maxMs).toBe(1499);
  });

  it('has no percentiles when empty', () => {
    expect(new Histogram().percentile(50)).toBeNaN();
  });
});
