-- Agents' live events (agent.event.v1) committed and not yet published: a user message stored, a
-- frame released, an unread count changed, a conversation erased. A row is written by the
-- transaction that commits what it tells (in the same statement as the message or frame it
-- tells of, so the hot path gains no round trip) and deleted once the broker took the event; the
-- rows a crash left behind are published by a sweep, with the same Msg-Id, which the broker drops
-- when it already holds it. No foreign key, as for `outbox`: it would cost a lookup per insert.
CREATE TABLE agent_outbox (
  -- the event's Nats-Msg-Id, derived from what it tells
  msg_id     text        PRIMARY KEY,
  session_id uuid        NOT NULL,
  event      jsonb       NOT NULL,
  -- per row, so the sweep publishes a transaction's events in the order they were queued
  queued_at  timestamptz(6) NOT NULL DEFAULT clock_timestamp()
);
