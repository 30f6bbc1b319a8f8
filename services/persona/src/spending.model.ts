import { z } from 'zod';

/** The spending categories of the seed's clustering model, with the Korean names users see. */
export const categoryLabels = {
  amount_shopping: '쇼핑',
  amount_food: '요식',
  amount_transport: '교통',
  amount_medical: '의료',
  amount_payment: '납부',
  amount_education: '교육',
  amount_leisure: '여유생활',
  amount_social: '사교활동',
  amount_daily: '일상생활',
  amount_overseas: '해외',
} as const;

export type SpendingCategory = keyof typeof categoryLabels;
export const spendingCategories = Object.keys(categoryLabels) as SpendingCategory[];
export const SpendingCategory = z.enum(spendingCategories as [SpendingCategory, ...SpendingCategory[]]);

const won = z.number().int().nonnegative();

/** Last-3-months card usage: a count, a total and one amount (won) per category. */
export const SpendingR3m = z.object({
  usage_count_r3m: z.number().int().nonnegative(),
  usage_amount_r3m: won,
  ...(Object.fromEntries(spendingCategories.map((key) => [key, won])) as Record<SpendingCategory, typeof won>),
});
export type SpendingR3m = z.infer<typeof SpendingR3m>;

export const RecommendedCard = z.object({ name: z.string().min(1), reason: z.string().min(1) });
export type RecommendedCard = z.infer<typeof RecommendedCard>;

/** A persona as the service works with it (from the data files or the database). */
export interface PersonaProfile {
  id: number;
  name: string;
  description: string | null;
  clusterId: number;
  spending: SpendingR3m;
}

export interface ClusterProfile {
  clusterId: number;
  label: string;
  dominantCategories: SpendingCategory[];
  cards: RecommendedCard[];
}

/** `{ category, amount }` sorted by amount, largest first, categories with no spending left out. */
export function rankedCategories(spending: SpendingR3m): { category: SpendingCategory; amount: number }[] {
  return spendingCategories
    .map((category) => ({ category, amount: spending[category] }))
    .filter((entry) => entry.amount > 0)
    .sort((a, b) => b.amount - a.amount || spendingCategories.indexOf(a.category) - spendingCategories.indexOf(b.category));
}
