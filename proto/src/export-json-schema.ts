import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { asyncApiDocument } from './docs/asyncapi';
import { contractSchemas } from './json-schema';

/**
 * `npm run proto:export`: writes proto/json-schema/** and docs/asyncapi.yaml from the zod
 * contracts. A test fails when the committed files differ from what this would write.
 */
const root = join(__dirname, '..', '..');
const version = (require(join(root, 'package.json')) as { version: string }).version;
const outDir = join(__dirname, '..', 'json-schema');
rmSync(outDir, { recursive: true, force: true });
const schemas = contractSchemas();
for (const [name, schema] of Object.entries(schemas)) {
  const file = join(outDir, `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
}
writeFileSync(join(root, 'docs', 'asyncapi.yaml'), stringify(asyncApiDocument(version), { aliasDuplicateObjects: false }));
process.stdout.write(`wrote ${Object.keys(schemas).length} JSON Schemas and docs/asyncapi.yaml\n`);
