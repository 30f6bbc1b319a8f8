import type { ScenarioResult } from './scenarios';

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The chaos table: one row per scenario, then what each failure and note says. */
export function renderTable(results: Array<ScenarioResult & { durationMs: number }>): string {
  const header = ['scenario', 'sent', 'lost', 'duplicated', 'max recovery', 'took', 'result'];
  const rows = results.map((r) => [
    r.name,
    String(r.sent),
    String(r.lost),
    String(r.duplicated),
    seconds(r.maxRecoveryMs),
    seconds(r.durationMs),
    r.failures.length === 0 ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function renderDetails(results: ScenarioResult[]): string {
  return results
    .map((r) => {
      const lines = [`${r.name}:`];
      for (const failure of r.failures) lines.push(`  FAIL ${failure}`);
      for (const note of r.notes) lines.push(`  - ${note}`);
      return lines.join('\n');
    })
    .join('\n');
}
