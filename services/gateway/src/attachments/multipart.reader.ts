import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { errorCatalogue } from '@chatbot/proto';
import { RequestError } from '../http/error.mapper';

/** The one file of an upload form, its bytes still arriving. */
export interface IncomingFile {
  /** Fields that came before the file, by name. */
  fields: Map<string, string>;
  /** The name the client gave the file (display only). */
  name: string;
  stream: Readable;
}

const malformed = (detail?: string) => new RequestError(400, 'E4001', detail ? `Malformed multipart body: ${detail}` : errorCatalogue.E4001.text);

/**
 * Reads a multipart/form-data request up to its file part, which is handed over unread: the
 * caller streams it on (busboy pauses the request while the file stream is not read). Fields must
 * come before the file, as with any streamed form (the file is not buffered to wait for them).
 * Refuses with E4001 a body that is not multipart, is cut short or breaks the form's limits, and
 * with E4002 a form with no file or a field after it.
 */
export function readFileForm(req: IncomingMessage, fileField: string): Promise<IncomingFile> {
  let form: BusboyInstance;
  try {
    form = new Busboy({ headers: req.headers as never, limits: { files: 1, fields: 4, parts: 5, fieldSize: 256, fieldNameSize: 64, headerPairs: 16 } });
  } catch (error) {
    return Promise.reject(malformed((error as Error).message));
  }
  return new Promise<IncomingFile>((resolve, reject) => {
    const fields = new Map<string, string>();
    let handed = false;
    const fail = (error: Error) => {
      if (!handed) reject(error);
    };
    form.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) fail(malformed(`field ${name} too long`));
      else fields.set(name, value);
    });
    form.on('file', (name, stream, filename) => {
      if (name !== fileField || handed) {
        stream.resume();
        return fail(new RequestError(422, 'E4002', `the form's file must be its "${fileField}" field`));
      }
      handed = true;
      resolve({ fields, name: filename, stream });
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) form.on(limit, () => fail(malformed('too many parts')));
    form.on('error', (error) => fail(malformed((error as Error).message)));
    form.on('finish', () => fail(new RequestError(422, 'E4002', `the form has no "${fileField}" file`)));
    req.pipe(form);
  });
}
