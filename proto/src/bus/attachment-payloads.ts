import { z } from 'zod';
import { SessionId } from '../common';
import { AttachmentId, AttachmentResponse, AttachmentType } from '../rest/attachments';

/**
 * An upload begins: chat-log records it `pending` (invisible: nobody can download or reference it)
 * after checking the owner's daily cap (E4043). The gateway streams the bytes to the object store
 * only once this answered.
 */
export const AttachmentCreateCommand = z.object({
  attachment_id: AttachmentId,
  owner_id: z.string().uuid(),
  session_id: SessionId,
  name: z.string().min(1).max(255),
});
export const AttachmentCreateResult = z.object({ attachment_id: AttachmentId });

/** Every byte is in the object store: the attachment becomes `complete`, visible to its owner and agents. */
export const AttachmentCompleteCommand = z.object({
  attachment_id: AttachmentId,
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content_type: AttachmentType,
});

/** One complete attachment with its owner (the gateway decides who may read it); E4044 otherwise. */
export const AttachmentGetQuery = z.object({ attachment_id: AttachmentId });
export const AttachmentRecord = AttachmentResponse.extend({
  owner_id: z.string().uuid(),
  /** The message that references it, once one does. */
  message_id: z.string().nullable(),
});
export type AttachmentRecord = z.infer<typeof AttachmentRecord>;
