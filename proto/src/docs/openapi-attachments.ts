import { AttachmentResponse, AttachmentType, UploadForm, UploadLimitsResponse } from '../rest/attachments';
import type { OpenApiHelpers } from './openapi-accounts';

/** The attachment endpoints (docs/protocol.md, Attachments), kept apart from the seed's paths. */
export function attachmentPaths({ json, error }: OpenApiHelpers): Record<string, unknown> {
  const security = [{ bearer: [] }, { apiKey: [] }];
  const form = json(UploadForm, 'input')['application/json'] as { schema: Record<string, unknown> };
  const upload = {
    summary: 'Upload one file (≤ UPLOAD_MAX_BYTES, default 20 MiB) to a conversation of the caller’s; streamed, never buffered whole',
    description:
      'multipart/form-data with the `session_id` field first, then one `file` part. The type is decided from the first bytes ' +
      `(${AttachmentType.options.join(', ')}); the file name and declared type are never trusted. ` +
      'A refused or cut-off upload leaves nothing visible. API keys need the `chat` scope.',
    security,
    requestBody: {
      required: true,
      content: { 'multipart/form-data': { schema: { ...form.schema, properties: { ...(form.schema.properties as object), file: { type: 'string', contentMediaType: 'application/octet-stream' } } }, encoding: { file: { contentType: 'application/octet-stream' } } } },
    },
    responses: {
      201: { description: 'stored', content: json(AttachmentResponse) },
      400: error('not multipart, no boundary, cut short or too many parts (E4001)'),
      401: error('not signed in (E4012)'),
      403: error('an API key without the chat scope (E4013)'),
      404: error('the session is another account’s (E4005), as if it did not exist'),
      413: error('past the size limit (E4040): refused as soon as the limit is passed, or at once from Content-Length'),
      415: error('a type outside the allow-list, by content (E4041)'),
      422: error('an empty file (E4042); no session_id before the file, or no file (E4002)'),
      429: error('the account’s daily upload cap (E4043)'),
    },
  };
  const download = {
    summary: 'Download an attachment (streamed): its owner, agents and admins; anybody else gets 404',
    security,
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
    responses: {
      200: {
        description: 'the bytes, as `Content-Disposition: attachment`, with the sniffed type, `X-Content-Type-Options: nosniff` and a `Digest: sha-256=…` header',
        content: Object.fromEntries(AttachmentType.options.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])),
      },
      401: error('not signed in (E4012)'),
      404: error('no such complete attachment, or not the caller’s to read (E4044)'),
    },
  };
  const limits = {
    summary: 'What an upload may be: the size limit (UPLOAD_MAX_BYTES) and the accepted types; no credentials needed',
    responses: { 200: { description: 'the limits', content: json(UploadLimitsResponse) } },
  };
  return { '/api/chats/upload': { post: upload }, '/api/chats/upload/limits': { get: limits }, '/api/chats/attachments/{id}': { get: download } };
}
