-- Attachments a customer uploads (issue 15, section 6). The bytes live in the JetStream object
-- store under the attachment id; this row is what the system knows about them. A row is `pending`
-- while its bytes stream in and nobody can see it; `complete` once every byte is stored. A pending
-- row older than the grace period is an upload cut off half-way: the sweep removes its bytes and
-- then the row.
CREATE TABLE attachments (
  id           uuid PRIMARY KEY,
  -- The account that uploaded it (persona's id; no foreign key across services).
  owner_id     uuid NOT NULL,
  -- The conversation it was uploaded to.
  session_id   uuid NOT NULL,
  name         text NOT NULL,
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'complete')),
  size         bigint,
  sha256       text,
  -- Decided from the bytes (magic numbers), never from the name or the declared type.
  content_type text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  -- The message that references it, once one does (set once: an attachment belongs to one message).
  message_id   text REFERENCES messages (message_id),
  CHECK (state = 'pending' OR (size IS NOT NULL AND sha256 IS NOT NULL AND content_type IS NOT NULL AND completed_at IS NOT NULL))
);

-- The daily cap counts an owner's uploads of the last day.
CREATE INDEX attachments_owner_created_idx ON attachments (owner_id, created_at);
-- A message's attachments, for the history.
CREATE INDEX attachments_message_idx ON attachments (message_id) WHERE message_id IS NOT NULL;
-- The sweep looks for old pending rows only.
CREATE INDEX attachments_pending_idx ON attachments (created_at) WHERE state = 'pending';
