import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * One rewording: what a customer typed, the catalogue ids it means (FAQ-xxx, TERM-xxx or a card's
 * product code), and its writing style. Several ids mean the answer must cover all of them: a
 * comparison of two terms or two cards.
 */
const Question = z.object({
  q: z.string().min(1),
  expect: z.array(z.string().min(1)).min(1),
  category: z.string().min(1),
});
export type Question = z.infer<typeof Question> & { part: Part };

/** dev: looked at while tuning; heldout: only its figures are read, never its questions' failures. */
export type Part = 'dev' | 'heldout';

/** Every third question (the 3rd, 6th, …) is held out, fixed before any tuning was done. */
export function partOf(index: number): Part {
  return index % 3 === 2 ? 'heldout' : 'dev';
}

export async function loadQuestions(path: string): Promise<Question[]> {
  const parsed = z.array(Question).safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data.map((question, index) => ({ ...question, part: partOf(index) }));
}
