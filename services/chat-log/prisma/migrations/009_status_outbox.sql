-- Status changes committed and not yet published as chat.status.changed.v1. A row is written by
-- the transaction that changes the status and deleted once the broker took the event; the rows a
-- crash left behind are published again by a sweep (the event's Msg-Id `<sid>:status:<version>`
-- makes a second publish a no-op). One row per transition: a batch that reopens a conversation
-- and escalates it again leaves two, so no summary trigger is skipped.
CREATE TABLE status_outbox (
  session_id  uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- the status version after the transition
  version     integer     NOT NULL CHECK (version > 0),
  from_status text        NOT NULL,
  to_status   text        NOT NULL,
  -- the account that made the change (an agent, or the user asking for a person); null for a rule
  actor_id    uuid,
  changed_at  timestamptz(6) NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, version)
);
