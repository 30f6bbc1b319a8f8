-- A message may bring its own system prompt (from a caller the gateway allowed): kept with the
-- message, so that a re-drive or a redelivery asks the model with the same one.
ALTER TABLE messages ADD COLUMN system_prompt text;
