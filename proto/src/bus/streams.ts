import { events, patternOf, type StreamName } from './subjects';

/** JetStream topology; created or updated idempotently at start-up by the services that use it. */
export interface StreamSpec {
  name: StreamName;
  subjects: string[];
  retention: 'limits' | 'workqueue';
  maxAgeMs: number;
  /** Window in which a repeated Nats-Msg-Id is dropped by the broker. */
  duplicateWindowMs: number;
  description: string;
}

const HOUR = 3_600_000;

export const streams: Record<StreamName, StreamSpec> = {
  CHAT_INBOUND: {
    name: 'CHAT_INBOUND',
    subjects: [patternOf(events.chatInbound)],
    retention: 'limits',
    maxAgeMs: 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'User messages, read by chat-log alone (store). Kept 24 h.',
  },
  CHAT_STORED: {
    name: 'CHAT_STORED',
    subjects: [patternOf(events.chatStored)],
    retention: 'workqueue',
    maxAgeMs: 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Messages chat-log stored, until qna-cache has routed them (cache reply or LLM job).',
  },
  CHAT_REPLIES: {
    name: 'CHAT_REPLIES',
    subjects: [patternOf(events.chatReply)],
    retention: 'workqueue',
    maxAgeMs: 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Candidate bot replies until chat-log commits them.',
  },
  LLM_JOBS: {
    name: 'LLM_JOBS',
    subjects: [patternOf(events.llmJob)],
    retention: 'workqueue',
    maxAgeMs: 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Work for the llm-dispatch pool; one durable consumer shared by every replica.',
  },
  CHAT_USAGE: {
    name: 'CHAT_USAGE',
    subjects: [patternOf(events.chatUsage)],
    retention: 'workqueue',
    maxAgeMs: 7 * 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Stored messages of signed-in users until persona has counted them (kept 7 days while persona is away).',
  },
  CHAT_STATUS: {
    name: 'CHAT_STATUS',
    subjects: [patternOf(events.chatStatusChanged)],
    retention: 'limits',
    maxAgeMs: 7 * 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Conversation status changes, read by several consumers (summary trigger, agents\' live events). Kept 7 days.',
  },
  AGENT_EVENTS: {
    name: 'AGENT_EVENTS',
    subjects: [patternOf(events.agentEvent)],
    retention: 'limits',
    maxAgeMs: 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Agents\' live events; its sequence is where an agents\' socket resumes. Kept 24 h: an agent away longer reloads the lists.',
  },
  LLM_SUMMARIES: {
    name: 'LLM_SUMMARIES',
    subjects: [patternOf(events.summaryJob)],
    retention: 'workqueue',
    maxAgeMs: 24 * HOUR,
    duplicateWindowMs: 120_000,
    description: 'Summary jobs for the llm-dispatch pool; one durable consumer shared by every replica.',
  },
};

/** Durable consumer names: part of the contract, because operators (KEDA) watch them. */
export const consumers = {
  chatLogInbound: { stream: 'CHAT_INBOUND', durable: 'chat-log-inbound' },
  chatLogReplies: { stream: 'CHAT_REPLIES', durable: 'chat-log-replies' },
  qnaRouter: { stream: 'CHAT_STORED', durable: 'qna-cache-router' },
  llmDispatch: { stream: 'LLM_JOBS', durable: 'llm-dispatch' },
  personaUsage: { stream: 'CHAT_USAGE', durable: 'persona-usage' },
  chatLogSummaryTrigger: { stream: 'CHAT_STATUS', durable: 'chat-log-summary-trigger' },
  llmSummaries: { stream: 'LLM_SUMMARIES', durable: 'llm-dispatch-summaries' },
} as const satisfies Record<string, { stream: StreamName; durable: string }>;

/**
 * JetStream object-store buckets: `ATTACHMENTS` holds uploaded files under their attachment id
 * (stream `OBJ_ATTACHMENTS`); the gateway writes and reads them, chat-log sweeps cut-off uploads.
 */
export const objectBuckets = { attachments: 'ATTACHMENTS' } as const;
