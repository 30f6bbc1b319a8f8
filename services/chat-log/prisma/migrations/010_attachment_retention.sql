-- Complete attachments past ATTACHMENT_RETENTION_DAYS are removed by the attachment sweep, oldest
-- first: this index finds them without reading the pending ones or the table.
CREATE INDEX attachments_completed_idx ON attachments (completed_at) WHERE state = 'complete';
