import { z } from 'zod';

/** An attachment id: minted by the gateway when an upload starts (UUID v4). */
export const AttachmentId = z.string().uuid();
export type AttachmentId = z.infer<typeof AttachmentId>;

/**
 * The types an upload may have, decided from the file's first bytes (never from its name or the
 * declared content type): what a help-desk customer sends (screenshots, photos, a PDF, a log).
 */
export const AttachmentType = z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']);
export type AttachmentType = z.infer<typeof AttachmentType>;

/** The answer to `POST /api/chats/upload` (201): what was stored. */
export const AttachmentResponse = z.object({
  attachment_id: AttachmentId,
  session_id: z.string().uuid(),
  /** The file name the client gave (display only; never used to decide anything). */
  name: z.string(),
  size: z.number().int().positive(),
  /** Hex SHA-256 of the bytes, computed while they streamed in. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content_type: AttachmentType,
  created_at: z.string(),
});
export type AttachmentResponse = z.infer<typeof AttachmentResponse>;

/**
 * `GET /api/chats/upload/limits`: what an upload may be, so a page shows the limit before the
 * upload starts (the gateway's UPLOAD_MAX_BYTES, and the types it accepts by content).
 */
export const UploadLimitsResponse = z.object({
  max_bytes: z.number().int().positive(),
  types: z.array(AttachmentType),
});
export type UploadLimitsResponse = z.infer<typeof UploadLimitsResponse>;

/** The multipart form of `POST /api/chats/upload`: the `session_id` field, then one `file` part. */
export const UploadForm = z.object({
  session_id: z.string().uuid(),
  file: z.string().describe('the file (binary); it must come after session_id'),
});
