-- The chatbot's settings, one row per saved version, never updated: the newest row is in force and
-- the rest is the history (who saved what, when). The settings are one JSON document validated by
-- its contract before it is written. `changed_by` is the admin's account id, kept without a foreign
-- key so the history outlives an account.
CREATE TABLE chatbot_settings (
  version     integer     PRIMARY KEY CHECK (version > 0),
  settings    jsonb       NOT NULL,
  changed_by  uuid        NOT NULL,
  changed_at  timestamptz(3) NOT NULL DEFAULT now()
);
