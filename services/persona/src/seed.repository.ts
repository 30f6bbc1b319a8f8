import type { PrismaClient } from './generated/prisma/client';
import type { SeedData } from './seed-data.loader';

export interface SeedResult {
  /** Rows inserted or changed; 0 when the tables already match the data files. */
  clusters: number;
  personas: number;
}

/**
 * Loads the data files into the tables in one transaction, one statement per table. Existing
 * rows are updated only when the files changed, so a restart writes nothing, and rows the files
 * no longer list are kept (sessions may still be bound to them).
 */
export function seedReferenceData(prisma: PrismaClient, data: SeedData): Promise<SeedResult> {
  return prisma.$transaction(async (tx) => ({
    clusters: await seedClusters(tx, data),
    personas: await seedPersonas(tx, data),
  }));
}

type Tx = Pick<PrismaClient, '$executeRaw'>;

function seedClusters(tx: Tx, data: SeedData): Promise<number> {
  const rows = data.clusters.map((c) => ({
    cluster_id: c.clusterId,
    label: c.label,
    dominant_categories: c.dominantCategories,
    cards: c.cards,
  }));
  return tx.$executeRaw`
    INSERT INTO persona.clusters AS c (cluster_id, label, dominant_categories, cards)
    SELECT x.cluster_id, x.label, x.dominant_categories, x.cards
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x(cluster_id int, label text, dominant_categories text[], cards jsonb)
    ON CONFLICT (cluster_id) DO UPDATE
      SET label = EXCLUDED.label, dominant_categories = EXCLUDED.dominant_categories, cards = EXCLUDED.cards
      WHERE c IS DISTINCT FROM EXCLUDED`;
}

function seedPersonas(tx: Tx, data: SeedData): Promise<number> {
  const rows = data.personas.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    cluster_id: p.clusterId,
    ...p.spending,
  }));
  return tx.$executeRaw`
    INSERT INTO persona.personas AS p (id, name, description, cluster_id, usage_count_r3m, usage_amount_r3m,
      amount_shopping, amount_food, amount_transport, amount_medical, amount_payment,
      amount_education, amount_leisure, amount_social, amount_daily, amount_overseas)
    SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x(id int, name text, description text, cluster_id int, usage_count_r3m int, usage_amount_r3m bigint,
        amount_shopping bigint, amount_food bigint, amount_transport bigint, amount_medical bigint, amount_payment bigint,
        amount_education bigint, amount_leisure bigint, amount_social bigint, amount_daily bigint, amount_overseas bigint)
    ON CONFLICT (id) DO UPDATE SET
      (name, description, cluster_id, usage_count_r3m, usage_amount_r3m,
       amount_shopping, amount_food, amount_transport, amount_medical, amount_payment,
       amount_education, amount_leisure, amount_social, amount_daily, amount_overseas)
      = (EXCLUDED.name, EXCLUDED.description, EXCLUDED.cluster_id, EXCLUDED.usage_count_r3m, EXCLUDED.usage_amount_r3m,
         EXCLUDED.amount_shopping, EXCLUDED.amount_food, EXCLUDED.amount_transport, EXCLUDED.amount_medical,
         EXCLUDED.amount_payment, EXCLUDED.amount_education, EXCLUDED.amount_leisure, EXCLUDED.amount_social,
         EXCLUDED.amount_daily, EXCLUDED.amount_overseas)
      WHERE p IS DISTINCT FROM EXCLUDED`;
}
