import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(__dirname, '..', '..');
export const fromRoot = (...parts: string[]): string => join(repoRoot, ...parts);
export const readText = (path: string): string => readFileSync(path, 'utf8');

/** A Kubernetes object as read from YAML; everything past the type meta is checked by the models. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Every non-empty document of a YAML file; a syntax error fails with the file name. */
export function loadYamlDocuments(path: string): unknown[] {
  const docs = parseAllDocuments(readText(path), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return list.map((doc) => doc.toJS() as unknown).filter((value) => value !== null && value !== undefined);
}

export function isManifest(value: unknown): value is Manifest {
  const v = value as Partial<Manifest> | null;
  return typeof v?.apiVersion === 'string' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string';
}

export function loadManifests(path: string): Manifest[] {
  return loadYamlDocuments(path).map((doc, i) => {
    if (!isManifest(doc)) throw new Error(`${path} document ${i + 1} has no apiVersion, kind and metadata.name`);
    return doc;
  });
}

/** Files under `dir` (recursively) whose path passes `keep`. */
export function listFiles(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** Parses `KEY=value` lines the way kustomize's `envs:` and compose's `env_file:` agree on. */
export function parseEnvFile(text: string, origin: string): Record<string, string> {
  const vars: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${origin}:${i + 1}: expected KEY=value`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`${origin}:${i + 1}: bad variable name ${key}`);
    // quotes and inline comments are read differently by the two tools: keep them out
    if (/^["']|\s#/.test(value)) throw new Error(`${origin}:${i + 1}: no quotes or inline comments`);
    if (key in vars) throw new Error(`${origin}:${i + 1}: ${key} set twice`);
    vars[key] = value;
  });
  return vars;
}
