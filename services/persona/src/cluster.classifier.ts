import { spendingCategories, type SpendingCategory, type SpendingR3m } from './spending.model';

/** The "일반 소비형" cluster: used when no cluster's profile resembles the spending. */
export const FALLBACK_CLUSTER_ID = -1;

/**
 * Below this similarity no cluster stands out. An even spread over all ten categories still
 * scores about 0.63 against the balanced clusters, while spending concentrated in categories no
 * cluster is built on (medical, social) scores near 0.
 */
export const MIN_SIMILARITY = 0.5;

export interface ClusterShape {
  clusterId: number;
  dominantCategories: SpendingCategory[];
}

export interface Classification {
  clusterId: number;
  /** Cosine similarity to the chosen cluster's profile (0 for the fallback with no spending). */
  similarity: number;
}

/**
 * Nearest cluster by spending mix. Each cluster's profile is an even split of spending over its
 * dominant categories; the persona's category amounts are compared with each profile by cosine
 * similarity, which looks at the mix and not the size, so a frugal and a lavish spender with the
 * same habits land in the same cluster. Ties go to the lower cluster id, for a stable answer.
 */
export function classifySpending(spending: SpendingR3m, clusters: ClusterShape[]): Classification {
  const amounts = spendingCategories.map((category) => spending[category]);
  const norm = Math.hypot(...amounts);
  let best: Classification = { clusterId: FALLBACK_CLUSTER_ID, similarity: 0 };
  if (norm === 0) return best;
  const candidates = clusters
    .filter((c) => c.clusterId !== FALLBACK_CLUSTER_ID && c.dominantCategories.length > 0)
    .sort((a, b) => a.clusterId - b.clusterId);
  for (const cluster of candidates) {
    const similarity = cosineToProfile(spending, norm, cluster.dominantCategories);
    if (similarity > best.similarity) best = { clusterId: cluster.clusterId, similarity };
  }
  return best.similarity >= MIN_SIMILARITY ? best : { clusterId: FALLBACK_CLUSTER_ID, similarity: best.similarity };
}

/** cos(spending, profile) where the profile puts equal weight on each dominant category. */
function cosineToProfile(spending: SpendingR3m, norm: number, dominant: SpendingCategory[]): number {
  const categories = new Set(dominant);
  let dot = 0;
  for (const category of categories) dot += spending[category];
  return dot / (norm * Math.sqrt(categories.size));
}
