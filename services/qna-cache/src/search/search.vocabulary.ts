import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { normalise } from '../text.normaliser';

/**
 * The words search knows beside the catalogue (data/synonyms.json, data/faq-phrasings.json,
 * data/name-readings.json): what customers type for the catalogue's words, how they ask each FAQ,
 * how the Latin words of card names are read in Hangul. Keys starting with "_" are comments.
 */
export interface SearchVocabulary {
  /** [what customers type, the catalogue's word], longest first so a phrase wins over its words. */
  synonyms: Array<[string, string]>;
  faqPhrasings: Map<string, string[]>;
  readings: Map<string, string>;
}

const Dictionary = <T extends z.ZodType>(value: T) => z.record(z.string(), z.union([value, z.string()]));

const withoutComments = <T>(record: Record<string, T | string>): Array<[string, T]> =>
  Object.entries(record).filter(([key]) => !key.startsWith('_')) as Array<[string, T]>;

async function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): Promise<T> {
  const path = join(dir, file);
  const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function vocabularyOf(data: {
  synonyms: Record<string, string[] | string>;
  faqPhrasings: Record<string, string[] | string>;
  readings: Record<string, string>;
}): SearchVocabulary {
  const synonyms = withoutComments(data.synonyms)
    .flatMap(([word, variants]) => variants.map((variant): [string, string] => [normalise(variant), normalise(word)]))
    .sort(([a], [b]) => b.length - a.length);
  return {
    synonyms,
    faqPhrasings: new Map(withoutComments(data.faqPhrasings)),
    readings: new Map(withoutComments<string>(data.readings).map(([latin, hangul]) => [normalise(latin), normalise(hangul)])),
  };
}

export async function loadSearchVocabulary(dir: string): Promise<SearchVocabulary> {
  const [synonyms, faqPhrasings, readings] = await Promise.all([
    readJson(dir, 'synonyms.json', Dictionary(z.array(z.string().min(1)))),
    readJson(dir, 'faq-phrasings.json', Dictionary(z.array(z.string().min(1)))),
    readJson(dir, 'name-readings.json', z.record(z.string(), z.string())),
  ]);
  return vocabularyOf({ synonyms, faqPhrasings, readings });
}

export const emptyVocabulary: SearchVocabulary = { synonyms: [], faqPhrasings: new Map(), readings: new Map() };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text with customers' words replaced by the catalogue's. A variant of two characters or more
 * is replaced wherever it is (spaces are often missing: "한도올리고싶어요"); a one-character variant
 * only where a word starts ("락" in "카드 락", not in "연락처").
 */
export function canonical(text: string, vocabulary: SearchVocabulary): string {
  let result = ` ${normalise(text)}`;
  for (const [variant, word] of vocabulary.synonyms) {
    if (!result.includes(variant)) continue;
    const pattern = [...variant].length >= 2 ? escape(variant) : `(?<= )${escape(variant)}`;
    result = result.replace(new RegExp(pattern, 'gu'), word);
  }
  return result.trim();
}
