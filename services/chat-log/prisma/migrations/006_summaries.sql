-- AI summaries of a conversation, one per status transition that asks for one (entering waiting,
-- completing). The key is the transition itself, so a summary job run twice (a redelivery, a
-- worker that lost its acknowledgement) keeps the first summary and the second is a no-op.
CREATE TABLE summaries (
  session_id uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  trigger    text        NOT NULL CHECK (trigger IN ('waiting', 'completed')),
  -- the conversation's status version after the transition
  version    integer     NOT NULL CHECK (version > 0),
  issue      text        NOT NULL,
  tried      text        NOT NULL,
  open       text        NOT NULL,
  category   text        NOT NULL,
  -- llm: written by the model; extractive: picked from the conversation
  source     text        NOT NULL CHECK (source IN ('llm', 'extractive')),
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, trigger, version)
);
