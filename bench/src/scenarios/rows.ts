import type { Target } from '../report/rows';
import { OUTSIDE } from '../stats/proc';
import { noiseNote } from './quiet';
import { addRow, type Context, type Measured } from './context';

/** Throughput and latency rows of one load beside a reference load. */
export function loadRows(
  ctx: Context,
  scenario: string,
  label: string,
  m: Measured,
  ref: { m: Measured; name: string } | undefined,
  targets: { throughput?: Target; p99?: Target } = {},
): void {
  const pick = (f: (x: Measured) => number) => ({ value: f(m), reference: ref ? f(ref.m) : undefined, referenceName: ref?.name });
  const prefix = label ? `${label} ` : '';
  addRow(ctx, scenario, {
    metric: `${prefix}round trips/s`,
    unit: '',
    ...pick((x) => x.result.throughput),
    target: targets.throughput,
    note: noiseNote([m, ref?.m]),
  });
  addRow(ctx, scenario, { metric: `${prefix}latency p50`, unit: 'ms', ...pick((x) => x.latency.p50) });
  addRow(ctx, scenario, { metric: `${prefix}latency p99`, unit: 'ms', ...pick((x) => x.latency.p99), target: targets.p99, note: slowNote(m) });
  addRow(ctx, scenario, { metric: `${prefix}latency p99.9`, unit: 'ms', ...pick((x) => x.latency.p999) });
  addRow(ctx, scenario, { metric: `${prefix}server CPU per round trip`, unit: 'µs', ...pick((x) => x.cpuPerRoundTripUs) });
}

/** Replies over a second (warm-up and drain included), with the first one's progress frames. */
export function slowNote(m: Measured): string | undefined {
  const { slowReplies, slowSamples } = m.result;
  if (slowReplies === 0) return undefined;
  return `${slowReplies} replies took over 1 s (warm-up and drain included); the first: ${slowSamples[0] ?? ''}`.slice(0, 400);
}

/** Errors (error frames, unexpected replies, timeouts, closed sockets, failed connects): zero expected. */
export function errorRow(ctx: Context, scenario: string, m: Measured, label = ''): void {
  const errors = m.result.errors + m.result.connectFailures;
  addRow(ctx, scenario, {
    metric: `${label ? `${label} ` : ''}errors`,
    unit: '',
    value: errors,
    target: { of: 'value', op: '<=', bound: 0 },
    note: errors > 0 ? m.result.errorSamples.join(' | ').slice(0, 400) : undefined,
  });
}

/** CPU of each process over the window, in % of one core (this machine has two). */
export function cpuRows(ctx: Context, scenario: string, m: Measured, names: string[]): void {
  for (const name of [...names, OUTSIDE]) {
    const readings = m.cpu.filter((c) => c.name === name || c.name.startsWith(`${name}#`));
    if (readings.length === 0) continue;
    const value = readings.reduce((sum, c) => sum + c.cpuPercent, 0);
    addRow(ctx, scenario, { metric: `CPU ${name}`, unit: '% core', value });
  }
}
