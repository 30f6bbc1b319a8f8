import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FALLBACK_CLUSTER_ID } from './cluster.classifier';
import { RecommendedCard, SpendingCategory, SpendingR3m, type ClusterProfile, type PersonaProfile } from './spending.model';

/** From dist/ or src/ alike, the data files sit one level up. */
export const DATA_DIR = join(__dirname, '..', 'data');

const PersonaFile = z.array(
  z.object({
    id: z.number().int(),
    name: z.string().min(1),
    description: z.string().nullable(),
    cluster_id: z.number().int(),
    spending_r3m: SpendingR3m,
  }),
);

const ClusterFile = z.array(
  z.object({
    cluster_id: z.number().int(),
    label: z.string().min(1),
    dominant_categories: z.array(SpendingCategory),
    cards: z.array(RecommendedCard).length(2),
  }),
);

export interface SeedData {
  personas: PersonaProfile[];
  clusters: ClusterProfile[];
}

async function readJson<S extends z.ZodTypeAny>(dir: string, file: string, schema: S): Promise<z.infer<S>> {
  const path = join(dir, file);
  const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Reads and validates personas.json and clusters.json; a broken file stops the start-up. */
export async function loadSeedData(dir = DATA_DIR): Promise<SeedData> {
  const [personas, clusters] = await Promise.all([
    readJson(dir, 'personas.json', PersonaFile),
    readJson(dir, 'clusters.json', ClusterFile),
  ]);
  const clusterIds = new Set(clusters.map((c) => c.cluster_id));
  if (!clusterIds.has(FALLBACK_CLUSTER_ID)) throw new Error(`clusters.json lacks the fallback cluster ${FALLBACK_CLUSTER_ID}`);
  const orphan = personas.find((p) => !clusterIds.has(p.cluster_id));
  if (orphan) throw new Error(`persona ${orphan.id} declares unknown cluster ${orphan.cluster_id}`);
  return {
    personas: personas.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      clusterId: p.cluster_id,
      spending: p.spending_r3m,
    })),
    clusters: clusters.map((c) => ({
      clusterId: c.cluster_id,
      label: c.label,
      dominantCategories: c.dominant_categories,
      cards: c.cards,
    })),
  };
}
