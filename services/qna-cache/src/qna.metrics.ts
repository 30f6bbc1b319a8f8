import { counter, histogram, type Registry } from '@chatbot/runtime';

export interface QnaMetrics {
  registry: Registry;
  cacheHits: ReturnType<typeof counter>;
  cacheMisses: ReturnType<typeof counter>;
  jobsForwarded: ReturnType<typeof counter>;
  escalations: ReturnType<typeof counter>;
  viewWriteFailures: ReturnType<typeof counter>;
  requestSeconds: ReturnType<typeof histogram>;
}

export function createQnaMetrics(registry: Registry): QnaMetrics {
  return {
    registry,
    cacheHits: counter(registry, 'chatbot_qna_cache_hits_total', 'Messages answered from the exact-match cache', ['kind']),
    cacheMisses: counter(registry, 'chatbot_qna_cache_misses_total', 'Messages that matched no FAQ question or term'),
    jobsForwarded: counter(registry, 'chatbot_qna_llm_jobs_forwarded_total', 'Messages published to the LLM job queue'),
    escalations: counter(registry, 'chatbot_qna_escalations_total', 'FAQ answers whose category handed the conversation to a person, by handoff outcome', ['outcome']),
    viewWriteFailures: counter(registry, 'chatbot_qna_view_write_failures_total', 'View-count updates that failed and were carried over'),
    requestSeconds: histogram(registry, 'chatbot_qna_request_duration_seconds', 'Time to answer a qna request', ['request', 'outcome']),
  };
}
