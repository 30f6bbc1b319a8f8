import { counter, gauge, histogram, type GaugeOptions, type Registry } from '@chatbot/runtime';

export type ChatLogMetrics = ReturnType<typeof createChatLogMetrics>;

export function createChatLogMetrics(registry: Registry) {
  return {
    messagesStored: counter(registry, 'chatbot_chatlog_messages_stored_total', 'User messages stored (re-sends not counted)'),
    messagesRejected: counter(registry, 'chatbot_chatlog_messages_rejected_total', 'Messages refused, not stored: another session owns their message_id, or the sender may not write to the session'),
    repliesCommitted: counter(registry, 'chatbot_chatlog_replies_committed_total', 'Reply candidates committed', ['kind', 'source']),
    repliesDropped: counter(registry, 'chatbot_chatlog_replies_dropped_total', 'Reply candidates dropped (duplicate = exactly-once fence)', ['reason']),
    releaseLag: histogram(registry, 'chatbot_chatlog_release_lag_seconds', 'Time from commit to release of a reply (waiting for earlier turns)'),
    framesPublished: counter(registry, 'chatbot_chatlog_frames_published_total', 'Released frames published to the gateways', ['path']),
    deadlineFailures: counter(registry, 'chatbot_chatlog_deadline_failures_total', 'Failure replies committed for turns left unanswered past the release deadline'),
    redrives: counter(registry, 'chatbot_chatlog_redrives_total', 'Stored turns with no reply published again on chat.stored (a job or candidate the broker lost)'),
    dbErrors: counter(registry, 'chatbot_chatlog_db_errors_total', 'Failed database operations', ['operation']),
    // Uses the shared latency buckets (…, 1, 2.5, 5, 10, 30, 60, 120): coarse for counts, but the
    // runtime helper has no bucket parameter yet.
    batchSize: histogram(registry, 'chatbot_chatlog_batch_size', 'Deliveries per consumer batch', ['consumer']),
  };
}

/** What the backlog gauges read when the registry is read (a scrape or a dashboard request). */
export interface BacklogReaders {
  inboundPending(): Promise<number>;
  sessionsAwaitingReply(): Promise<number>;
  waitingForAgent(): Promise<number>;
}

/**
 * Figures every instance reads from the same stream or table, so instances are merged with `max`
 * (adding them up would count the one backlog once per instance).
 */
export function registerBacklogGauges(registry: Registry, readers: BacklogReaders): void {
  const readingOf = (read: () => Promise<number>): GaugeOptions => ({
    aggregator: 'max',
    async collect() {
      // a broker or database outage must not fail the whole scrape: the last reading stays
      await read().then((value) => this.set(value), () => undefined);
    },
  });
  gauge(registry, 'chatbot_chatlog_inbound_pending', 'Messages in the inbound stream not yet delivered to chat-log', [], readingOf(readers.inboundPending));
  gauge(registry, 'chatbot_chatlog_sessions_awaiting_reply', 'Sessions with a stored message not answered yet', [], readingOf(readers.sessionsAwaitingReply));
  gauge(registry, 'chatbot_chatlog_waiting_for_agent', 'Conversations waiting for an agent (status waiting)', [], readingOf(readers.waitingForAgent));
}
