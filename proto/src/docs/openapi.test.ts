import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { openApiDocument } from './openapi';

type Doc = Record<string, unknown>;

/**
 * The document against the official OpenAPI schema for its version, with
 * @seriousme/openapi-schema-validator (which ships those schemas: no network). The package is an
 * ES module, which jest's CommonJS runtime cannot load, so it runs in a plain node process.
 */
function officialSchemaCheck(doc: Doc): { valid: boolean; errors?: unknown } {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const script = [
      "const { Validator } = await import('@seriousme/openapi-schema-validator');",
      'const result = await new Validator().validate(process.argv[1]);',
      'process.stdout.write(JSON.stringify(result));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
    return JSON.parse(out) as { valid: boolean; errors?: unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every Schema Object of the document: parameters' and media types' `schema`, and components. */
function schemaObjects(doc: Doc): { at: string; schema: object }[] {
  const found: { at: string; schema: object }[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}/${i}`));
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'schema' && typeof value === 'object' && value !== null) found.push({ at: `${at}/schema`, schema: value });
        else walk(value, `${at}/${key}`);
      }
    }
  };
  walk(doc.paths, '#/paths');
  for (const [name, schema] of Object.entries((doc.components as { schemas?: Record<string, object> } | undefined)?.schemas ?? {})) found.push({ at: `#/components/schemas/${name}`, schema });
  return found;
}

/**
 * OAS 3.1's dialect is JSON Schema 2020-12 plus four OpenAPI keywords. The official document schema
 * lets any object through as a Schema Object, and a JSON Schema meta-schema ignores keywords it does
 * not know, so 3.0's `nullable` would pass both: ajv's strict mode refuses unknown keywords.
 */
function dialectErrors(doc: Doc): string[] {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, strictTuples: false, validateFormats: false });
  ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
  // ajv understands OpenAPI 3.0's `nullable` out of the box; 2020-12 has no such keyword
  ajv.removeKeyword('nullable');
  return schemaObjects(doc).flatMap(({ at, schema }) => {
    try {
      ajv.compile(schema);
      return [];
    } catch (error) {
      return [`${at}: ${(error as Error).message}`];
    }
  });
}

describe('the OpenAPI document', () => {
  const doc = openApiDocument('0.1.0');

  it('is a valid OpenAPI 3.1 document by the official schema', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(officialSchemaCheck(doc)).toEqual({ valid: true });
  });

  it("writes every schema in OAS 3.1's dialect (JSON Schema 2020-12), with null as a type", () => {
    expect(doc.jsonSchemaDialect).toBe('https://spec.openapis.org/oas/3.1/dialect/base');
    const schemas = schemaObjects(doc);
    expect(schemas.length).toBeGreaterThan(10);
    expect(dialectErrors(doc)).toEqual([]);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"nullable"');
    expect(text).toContain('{"type":"null"}');
  });

  it('describes every conversation endpoint, with the 404 that also answers another account’s session', () => {
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
    const operations = [
      ['post', '/api/chat/sessions'], ['get', '/api/chat/sessions'], ['get', '/api/chat/sessions/{id}'],
      ['put', '/api/chat/sessions/{id}/title'], ['delete', '/api/chat/sessions/{id}'], ['get', '/api/chat/history'],
    ] as const;
    for (const [method, path] of operations) {
      const operation = paths[path]?.[method];
      expect(operation).toMatchObject({ security: [{ bearer: [] }, { apiKey: [] }], responses: { 401: expect.anything(), 422: expect.anything() } });
      if (path !== '/api/chat/sessions') expect(operation.responses).toHaveProperty(['404']);
    }
  });

  it('rejects what 3.1 does not allow, so the checks above can fail', () => {
    const nullable30: Doc = { ...doc, paths: { '/x': { get: { responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'string', nullable: true } } } } } } } } };
    expect(dialectErrors(nullable30)).toEqual([expect.stringMatching(/unknown keyword: "nullable"/)]);
    const broken: Doc = { ...doc, paths: { '/x': { get: { responses: { 200: { content: {} } } } } } };
    expect(officialSchemaCheck(broken).valid).toBe(false);
  });
});
