-- Conversations as a resource: a session may belong to an account (owner_id, from persona), has a
-- title the user chose (null: the first message stands in for it), the time it last changed, and
-- a tombstone once its owner deleted it (its messages, replies and frames are gone; the row stays
-- so that a message still in flight cannot bring the session back: ingest refuses it).
ALTER TABLE sessions
  ADD COLUMN owner_id   uuid,
  ADD COLUMN title      text,
  -- Existing sessions have no owner and are never listed: the migration time will do for them.
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN deleted_at timestamptz;

-- An account's conversations, newest first. Partial: anonymous sessions (the bulk) are not in it,
-- and ingest moves updated_at only for owned sessions, so their counter updates stay HOT.
CREATE INDEX sessions_owner_updated_idx ON sessions (owner_id, updated_at DESC, id)
  WHERE owner_id IS NOT NULL AND deleted_at IS NULL;
