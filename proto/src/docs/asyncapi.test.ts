import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { asyncApiDocument } from './asyncapi';

/** Spectral's severities: 0 error, 1 warning, 2 information, 3 hint. */
const errorOrWarning = 1;
const parser = new Parser();

/** What the AsyncAPI parser (its schema and its ruleset) finds wrong: errors and warnings only. */
async function problems(source: string | object): Promise<string[]> {
  const { document, diagnostics } = await parser.parse(typeof source === 'string' ? source : JSON.stringify(source));
  const found = diagnostics
    .filter((d) => d.severity <= errorOrWarning)
    .map((d) => `${d.severity === 0 ? 'error' : 'warning'} ${d.code} at ${d.path.join('.')}: ${d.message}`);
  return document || found.length > 0 ? found : ['the parser returned no document'];
}

describe('the AsyncAPI document, by @asyncapi/parser', () => {
  it('docs/asyncapi.yaml parses with no error or warning', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8');
    expect(await problems(committed)).toEqual([]);
  });

  it('what the generator makes from the current contracts parses with no error or warning', async () => {
    const doc = asyncApiDocument('0.1.0') as { asyncapi: string };
    expect(doc.asyncapi).toMatch(/^3\./);
    expect(await problems(doc)).toEqual([]);
  });

  it('reports a broken document, so the checks above can fail', async () => {
    const doc = asyncApiDocument('0.1.0') as { operations: Record<string, { channel: { $ref: string } }> };
    const [first] = Object.values(doc.operations);
    first.channel.$ref = '#/channels/no.such.subject.v1';
    expect((await problems(doc)).join('\n')).toMatch(/^error /m);
  });
});
