import { bigrams, jamoTrigrams, topicWords } from './korean.text';
import { canonical, type SearchVocabulary } from './search.vocabulary';

/**
 * BM25 over the FAQs, on units that survive how customers write: syllable pairs of the topic
 * words run together (spaces and particles do not matter) and letter triples per word (a typo
 * costs a few). Fields are weighted: the question with its keywords and the phrasings customers use
 * (data/faq-phrasings.json) count most, the category a little, the answer text least.
 */
export interface FaqRow {
  faq_id: string;
  category: string;
  question: string;
  answer: string;
  keywords: string[];
}

const K1 = 1.2;
const B = 0.75;
const FIELD_WEIGHTS = { head: 1, category: 0.3, body: 0.15 } as const;
/** Letter triples are a fallback for typos: they count less than syllable pairs. */
const JAMO_WEIGHT = 0.35;
/** How much what no FAQ holds weighs in the scale of a score (see rank). */
const UNHELD_SHARE = 0.5;

type Field = keyof typeof FIELD_WEIGHTS;
type Counts = Map<string, number>;

function count(units: string[]): Counts {
  const counts: Counts = new Map();
  for (const unit of units) counts.set(unit, (counts.get(unit) ?? 0) + 1);
  return counts;
}

/** The units of a text, syllable pairs and letter triples kept apart by a prefix. */
export function unitsOf(text: string, vocabulary: SearchVocabulary): string[] {
  const words = topicWords(canonical(text, vocabulary));
  return [...bigrams(words.join('')).map((u) => `s:${u}`), ...jamoTrigrams(words).map((u) => `j:${u}`)];
}

const unitWeight = (unit: string) => (unit.startsWith('j:') ? JAMO_WEIGHT : 1);

export interface RankedFaq {
  row: FaqRow;
  /** BM25 over the best reachable for this query: about 1 when the question holds all of it. */
  score: number;
}

export class FaqRanker {
  private readonly docs: Array<{ row: FaqRow; fields: Record<Field, Counts>; lengths: Record<Field, number> }>;
  private readonly df = new Map<string, number>();
  private readonly average: Record<Field, number>;
  /** unit → [FAQ index, what the unit adds to that FAQ's score], for the FAQs that hold it. */
  private readonly postings: Map<string, Array<[number, number]>>;

  constructor(rows: FaqRow[], private readonly vocabulary: SearchVocabulary) {
    this.docs = rows.map((row) => {
      const head = [row.question, ...row.keywords, ...(vocabulary.faqPhrasings.get(row.faq_id) ?? [])]
        .flatMap((text) => unitsOf(text, vocabulary));
      const fields = { head: count(head), category: count(unitsOf(row.category.replace('/', ' '), vocabulary)), body: count(unitsOf(row.answer, vocabulary)) };
      const lengths = { head: head.length, category: fields.category.size, body: fields.body.size };
      return { row, fields, lengths };
    });
    for (const doc of this.docs) {
      const seen = new Set([...doc.fields.head.keys(), ...doc.fields.category.keys(), ...doc.fields.body.keys()]);
      for (const unit of seen) this.df.set(unit, (this.df.get(unit) ?? 0) + 1);
    }
    const mean = (field: Field) => this.docs.reduce((sum, d) => sum + d.lengths[field], 0) / Math.max(this.docs.length, 1);
    this.average = { head: mean('head'), category: mean('category'), body: mean('body') };
    this.postings = this.buildPostings();
  }

  /** What each unit adds to each FAQ's score does not depend on the query: computed once per catalogue. */
  private buildPostings(): Map<string, Array<[number, number]>> {
    const postings = new Map<string, Array<[number, number]>>();
    for (const unit of this.df.keys()) postings.set(unit, []);
    this.docs.forEach((doc, index) => {
      const units = new Set([...doc.fields.head.keys(), ...doc.fields.category.keys(), ...doc.fields.body.keys()]);
      for (const unit of units) postings.get(unit)!.push([index, this.idf(unit) * unitWeight(unit) * this.fieldScore(doc, unit)]);
    });
    return postings;
  }

  private fieldScore(doc: (typeof this.docs)[number], unit: string): number {
    let fieldScore = 0;
    for (const field of Object.keys(FIELD_WEIGHTS) as Field[]) {
      const tf = doc.fields[field].get(unit) ?? 0;
      if (tf === 0) continue;
      const norm = 1 - B + (B * doc.lengths[field]) / Math.max(this.average[field], 1);
      fieldScore += (FIELD_WEIGHTS[field] * tf * (K1 + 1)) / (tf + K1 * norm);
    }
    return fieldScore;
  }

  private idf(unit: string): number {
    const df = this.df.get(unit) ?? 0;
    return Math.log(1 + (this.docs.length - df + 0.5) / (df + 0.5));
  }

  rank(query: string, limit: number, minScore: number): RankedFaq[] {
    // What the query says that no FAQ holds counts in the scale too: a query sharing one syllable
    // pair with an FAQ ("오늘 날씨 어때" and 날짜) must not look like a confident match.
    // Half weight, as much of it is particles and endings glued to words.
    const all = [...new Set(unitsOf(query, this.vocabulary))];
    const units = all.filter((u) => this.df.has(u));
    if (units.length === 0) return [];
    const reach = (u: string) => this.idf(u) * unitWeight(u) * (K1 + 1);
    const best = all.reduce((sum, u) => sum + (this.df.has(u) ? reach(u) : UNHELD_SHARE * reach(u)), 0);
    const scores = new Float64Array(this.docs.length);
    for (const unit of units) for (const [index, part] of this.postings.get(unit)!) scores[index] += part;
    return this.docs
      .map((doc, index) => ({ row: doc.row, score: scores[index]! / best }))
      .filter((hit) => hit.score >= minScore)
      .sort((x, y) => y.score - x.score || x.row.faq_id.localeCompare(y.row.faq_id))
      .slice(0, limit);
  }
}
