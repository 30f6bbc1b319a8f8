import type { Scored, Figures } from './scoring';
import { figures, groupBy, kindOf } from './scoring';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);

function row(label: string, f: Figures): string {
  return `| ${label.padEnd(18)} | ${String(f.n).padStart(4)} | ${pct(f.top1)} | ${pct(f.top3)} | ${f.mrr.toFixed(3)} |`;
}

function table(title: string, scored: Scored[]): string[] {
  const lines = [`### ${title}`, '', '| group              |    n |  top-1 |  top-3 |   MRR |', '| --- | ---: | ---: | ---: | ---: |'];
  lines.push(row('all', figures(scored)));
  for (const [kind, f] of groupBy(scored, (s) => `kind: ${kindOf(s.question)}`)) lines.push(row(kind, f));
  for (const [category, f] of groupBy(scored, (s) => s.question.category)) lines.push(row(category, f));
  return [...lines, ''];
}

function miss(s: Scored): string {
  const got = s.read.answer.length > 0 ? s.read.answer.join(', ') : '(no answer)';
  const offered = s.read.offered.length > 0 ? ` · offered ${s.read.offered.join(', ')}` : '';
  return `- [${s.question.category}] "${s.question.q}" → expected ${s.question.expect.join(' + ')}, got ${got}${offered} (rank ${s.rank ?? '-'})`;
}

/**
 * Figures for the whole set, the dev part and the held-out part (overall, by kind of answer and by
 * writing style), then the questions answered wrong: the dev part's only, unless asked for the
 * held-out part too, so tuning cannot look at the held-out questions by accident.
 */
export function renderReport(scored: Scored[], options: { showHeldout: boolean }): string {
  const dev = scored.filter((s) => s.question.part === 'dev');
  const heldout = scored.filter((s) => s.question.part === 'heldout');
  const wrong = scored.filter((s) => !s.top1 && (options.showHeldout || s.question.part === 'dev'));
  const lines = [
    ...table('all questions', scored),
    ...table('dev part (tuned on)', dev),
    ...table('held-out part (every third question, never tuned on)', heldout),
    `### wrong at top-1 (${options.showHeldout ? 'all parts' : 'dev part; --show-heldout for the rest'}): ${wrong.length}`,
    '',
    ...wrong.map(miss),
  ];
  return lines.join('\n');
}
