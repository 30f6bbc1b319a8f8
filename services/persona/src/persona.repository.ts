import { z } from 'zod';
import type { Persona, PrismaClient } from './generated/prisma/client';
import {
  RecommendedCard,
  SpendingCategory,
  spendingCategories,
  type ClusterProfile,
  type PersonaProfile,
  type SpendingCategory as Category,
  type SpendingR3m,
} from './spending.model';

const Cards = z.array(RecommendedCard);
const Categories = z.array(SpendingCategory);

export interface PersonaSummary {
  id: number;
  name: string;
  description: string | null;
}

function toProfile(row: Persona): PersonaProfile {
  const amounts = Object.fromEntries(spendingCategories.map((c) => [c, Number(row[c])])) as Record<Category, number>;
  const spending: SpendingR3m = {
    usage_count_r3m: row.usage_count_r3m,
    usage_amount_r3m: Number(row.usage_amount_r3m),
    ...amounts,
  };
  return { id: row.id, name: row.name, description: row.description, clusterId: row.clusterId, spending };
}

/** Personas, clusters and session bindings in the `persona` schema. */
export class PersonaRepository {
  constructor(private readonly prisma: PrismaClient) {}

  listPersonas(): Promise<PersonaSummary[]> {
    return this.prisma.persona.findMany({ select: { id: true, name: true, description: true }, orderBy: { id: 'asc' } });
  }

  async findPersona(id: number): Promise<PersonaProfile | null> {
    const row = await this.prisma.persona.findUnique({ where: { id } });
    return row ? toProfile(row) : null;
  }

  /** Every cluster; the rows were validated when seeded, parsing here guards hand edits. */
  async listClusters(): Promise<ClusterProfile[]> {
    const rows = await this.prisma.cluster.findMany({ orderBy: { clusterId: 'asc' } });
    return rows.map((row) => ({
      clusterId: row.clusterId,
      label: row.label,
      dominantCategories: Categories.parse(row.dominantCategories),
      cards: Cards.parse(row.cards),
    }));
  }

  /** Binds a session to a persona, replacing an earlier login on the same session. */
  async bind(sessionId: string, personaId: number): Promise<void> {
    await this.prisma.sessionBinding.upsert({
      where: { sessionId },
      create: { sessionId, personaId },
      update: { personaId, updatedAt: new Date() },
    });
  }

  async boundPersonaId(sessionId: string): Promise<number | null> {
    const row = await this.prisma.sessionBinding.findUnique({ where: { sessionId }, select: { personaId: true } });
    return row?.personaId ?? null;
  }

  async ping(): Promise<string> {
    await this.prisma.$queryRaw`SELECT 1`;
    return 'up';
  }
}
