import { readAnswer } from './answer.reader';
import type { CatalogueIndex } from './catalogue.index';
import type { Question } from './question.set';
import { score, type Scored } from './scoring';
import type { AnsweringSystem } from './system.runner';

/** A label naming no row of the catalogue would count as a miss forever: refuse the set instead. */
export function checkLabels(questions: Question[], index: CatalogueIndex): void {
  const unknown = questions.flatMap((q) => q.expect.filter((id) => !index.ids.has(id)).map((id) => `"${q.q}": ${id}`));
  if (unknown.length > 0) throw new Error(`labels naming nothing in the catalogue:\n${unknown.join('\n')}`);
}

export async function evaluate(system: AnsweringSystem, questions: Question[], index: CatalogueIndex): Promise<Scored[]> {
  checkLabels(questions, index);
  const answers = await system.ask(questions.map((q) => q.q));
  return questions.map((question, i) => score(question, readAnswer(answers[i]!, index)));
}
