/** One line of the results table: a figure beside its reference, checked against its target. */
export interface Target {
  /** Checks the ratio (value / reference) or the value itself. */
  of: 'ratio' | 'value';
  op: '>=' | '<=';
  bound: number;
}

export interface Row {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  reference?: number;
  /** What the reference column holds, e.g. "ideal relay". */
  referenceName?: string;
  ratio?: number;
  target?: Target;
  /** undefined without a target; false also when the figure could not be measured. */
  pass?: boolean;
  note?: string;
}

export interface RowInput {
  metric: string;
  unit: string;
  value: number;
  reference?: number;
  referenceName?: string;
  target?: Target;
  note?: string;
}

export function makeRow(scenario: string, input: RowInput): Row {
  const ratio = input.reference === undefined ? undefined : input.value / input.reference;
  const checked = input.target?.of === 'ratio' ? ratio : input.value;
  const pass = input.target ? compare(checked, input.target) : undefined;
  return { scenario, ...input, ratio, pass };
}

function compare(value: number | undefined, target: Target): boolean {
  if (value === undefined || !Number.isFinite(value)) return false;
  return target.op === '>=' ? value >= target.bound : value <= target.bound;
}

/** A row for a scenario that could not run, so the table still lists its targets. */
export function skippedRow(scenario: string, metric: string, why: string, target?: Target): Row {
  return { scenario, metric, unit: '', value: NaN, target, pass: target ? false : undefined, note: `not run: ${why}` };
}

export const atLeast = (bound: number, of: Target['of'] = 'ratio'): Target => ({ of, op: '>=', bound });
export const atMost = (bound: number, of: Target['of'] = 'ratio'): Target => ({ of, op: '<=', bound });
