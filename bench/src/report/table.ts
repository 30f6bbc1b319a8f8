import type { Row, Target } from './rows';

/** The results as a fixed-width text table (scenario, metric, value, reference, ratio, target, result). */
export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'metric', 'value', 'reference', 'ratio', 'target', 'result'];
  const lines = rows.map((row) => [
    row.scenario,
    row.unit ? `${row.metric} (${row.unit})` : row.metric,
    formatNumber(row.value),
    row.reference === undefined ? '' : `${formatNumber(row.reference)}${row.referenceName ? ` ${row.referenceName}` : ''}`,
    row.ratio === undefined ? '' : formatNumber(row.ratio),
    row.target ? targetText(row.target, row.unit) : '',
    resultText(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i]!, i >= 2 && i <= 4)).join('  ').trimEnd();
  const notes = rows.filter((row) => row.note).map((row) => `  ${row.scenario} / ${row.metric}: ${row.note}`);
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** The same table in Markdown (for docs/benchmarks.md), notes as a list below it. */
export function formatMarkdown(rows: Row[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = rows.map((row) =>
    [
      row.scenario,
      row.unit ? `${row.metric} (${row.unit})` : row.metric,
      formatNumber(row.value),
      row.reference === undefined ? '' : `${formatNumber(row.reference)}${row.referenceName ? ` ${row.referenceName}` : ''}`,
      row.ratio === undefined ? '' : formatNumber(row.ratio),
      row.target ? targetText(row.target, row.unit) : '',
      resultText(row) === 'pass' ? 'pass' : resultText(row) ? `**${resultText(row)}**` : '',
    ].map(cell).join(' | '),
  );
  const notes = rows.filter((row) => row.note).map((row) => `- ${row.scenario} / ${row.metric}: ${cell(row.note!)}`);
  return [
    '| scenario | metric | value | reference | ratio | target | result |',
    '|---|---|---:|---:|---:|---|---|',
    ...lines.map((line) => `| ${line} |`),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

function resultText(row: Row): string {
  if (row.pass === undefined) return '';
  if (!Number.isFinite(row.value)) return 'MISS (not measured)';
  return row.pass ? 'pass' : 'MISS';
}

export function targetText(target: Target, unit: string): string {
  const op = target.op === '>=' ? '≥' : '≤';
  return target.of === 'ratio' ? `ratio ${op} ${target.bound}` : `${op} ${target.bound}${unit ? ` ${unit}` : ''}`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** Strings are padded by code points (the table holds ≥ and ≤). */
function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - [...text].length));
  return right ? fill + text : text + fill;
}
