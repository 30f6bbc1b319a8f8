import { AppError } from '@chatbot/runtime';
import { classifySpending, FALLBACK_CLUSTER_ID } from './cluster.classifier';
import type { PersonaRepository } from './persona.repository';
import { recommendationMessage } from './recommendation.message';
import type { PersonaProfile, RecommendedCard } from './spending.model';

export interface Recommendation {
  personaId: number;
  clusterId: number;
  /** Cosine similarity of the spending to the cluster profile, for the logs. */
  similarity: number;
  clusterLabel: string;
  cards: RecommendedCard[];
  /** Markdown for the chat client. */
  message: string;
}

/** The spending-based recommendation (tool `consumption_recommend`) for one persona. */
export class RecommendationService {
  constructor(private readonly repository: PersonaRepository) {}

  async forPersona(persona: PersonaProfile): Promise<Recommendation> {
    const clusters = await this.repository.listClusters();
    const { clusterId, similarity } = classifySpending(persona.spending, clusters);
    const cluster =
      clusters.find((c) => c.clusterId === clusterId) ?? clusters.find((c) => c.clusterId === FALLBACK_CLUSTER_ID);
    if (!cluster) throw new AppError('E5005', `cluster ${clusterId} and the fallback cluster are missing`);
    return {
      personaId: persona.id,
      clusterId: cluster.clusterId,
      similarity,
      clusterLabel: cluster.label,
      cards: cluster.cards,
      message: recommendationMessage({
        personaName: persona.name,
        clusterLabel: cluster.label,
        spending: persona.spending,
        cards: cluster.cards,
      }),
    };
  }
}
