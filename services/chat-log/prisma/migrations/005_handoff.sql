-- The human handoff: a conversation's status, who holds it, and the user messages handed to an
-- agent instead of the assistant (docs/decisions.md, "Exactly one answerer").

-- A user message stored while the conversation is `waiting` or `agent` gets a `handed` row in
-- place of the assistant's reply: it takes the message's turn (so no assistant candidate for it
-- is ever committed, and the re-drive and deadline sweeps see it answered) and is released in
-- turn order like any reply, but silently: it gets no seq and no frame.
ALTER TYPE reply_kind ADD VALUE IF NOT EXISTS 'handed';

ALTER TABLE sessions
  ADD COLUMN status text NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'waiting', 'agent', 'completed')),
  -- moves by one with every status change: the compare-and-set of every transition
  ADD COLUMN status_version integer NOT NULL DEFAULT 0,
  ADD COLUMN holder_id uuid,
  ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
  -- user messages up to this turn have an agent message after them (the unread count starts here)
  ADD COLUMN agent_answered_turn integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT sessions_holder_check CHECK ((status = 'agent') = (holder_id IS NOT NULL));

-- The agents' lists: one status, newest change first.
CREATE INDEX sessions_status_idx ON sessions (status, status_changed_at DESC, id);

ALTER TABLE replies
  -- null: the assistant; `agent`: an agent's message; `system`: a status change told to the user
  ADD COLUMN sender text CHECK (sender IN ('agent', 'system')),
  -- a `system` frame: the status it announces
  ADD COLUMN announces_status text,
  -- a push written by the handoff: the last turn stored when it was committed (its place among turns)
  ADD COLUMN after_turn integer;

-- A handed row is released without a seq: released_at set, seq null.
ALTER TABLE replies DROP CONSTRAINT replies_release_check;
ALTER TABLE replies ADD CONSTRAINT replies_release_check CHECK (
  (CASE WHEN kind::text = 'handed' THEN seq IS NULL ELSE (seq IS NULL) = (released_at IS NULL) END)
  AND (published_at IS NULL OR seq IS NOT NULL));
ALTER TABLE replies DROP CONSTRAINT replies_prompt_check;
ALTER TABLE replies ADD CONSTRAINT replies_prompt_check CHECK (
  (kind::text = 'push') = (prompt_message_id IS NULL) AND (prompt_message_id IS NULL) = (turn IS NULL));

-- Released handed rows keep seq null: the index of replies waiting for their turn leaves them out.
DROP INDEX replies_unreleased_idx;
CREATE INDEX replies_unreleased_idx ON replies (session_id, turn) WHERE seq IS NULL AND released_at IS NULL;
