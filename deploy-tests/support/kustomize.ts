import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadManifests, loadYamlDocuments, parseEnvFile, readText, type Manifest } from './repo';

/**
 * The part of `kustomize build` our k8s/ tree uses: resources (files and bases), namespace,
 * configMapGenerator (envs, files, literals; create or merge; no name hash) and patches that are
 * strategic-merge patches naming their target. Anything else in a kustomization.yaml is refused,
 * so a new feature cannot slip past the tests unrendered.
 */
export function kustomize(dir: string): Manifest[] {
  const file = join(dir, 'kustomization.yaml');
  const [k] = loadYamlDocuments(file) as Kustomization[];
  refuseUnknown(file, k as unknown as Record<string, unknown>, ['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator', 'patches']);
  let objects: Manifest[] = [];
  for (const entry of k.resources ?? []) objects.push(...loadResource(dir, entry));
  for (const generator of k.configMapGenerator ?? []) objects = generateConfigMap(dir, generator, objects);
  for (const patch of k.patches ?? []) objects = applyPatch(dir, patch, objects);
  if (k.namespace) objects = objects.map((o) => (clusterScoped.has(o.kind) ? o : withNamespace(o, k.namespace!)));
  assertUniqueIds(file, objects);
  return objects;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  configMapGenerator?: Generator[];
  patches?: { path: string }[];
}

interface Generator {
  name: string;
  namespace?: string;
  behavior?: 'create' | 'merge' | 'replace';
  envs?: string[];
  files?: string[];
  literals?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> };
}

const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

function refuseUnknown(where: string, object: Record<string, unknown>, known: string[]) {
  const unknown = Object.keys(object).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: the test renderer does not implement ${unknown.join(', ')}`);
}

function loadResource(dir: string, entry: string): Manifest[] {
  const path = resolve(dir, entry);
  if (!existsSync(path)) throw new Error(`${dir}: resource ${entry} does not exist`);
  return statSync(path).isDirectory() ? kustomize(path) : loadManifests(path);
}

function generateConfigMap(dir: string, g: Generator, objects: Manifest[]): Manifest[] {
  refuseUnknown(`${dir} configMapGenerator ${g.name}`, g as unknown as Record<string, unknown>, ['name', 'namespace', 'behavior', 'envs', 'files', 'literals', 'options']);
  if (g.options) refuseUnknown(`${dir} configMapGenerator ${g.name} options`, g.options, ['disableNameSuffixHash', 'labels', 'annotations']);
  const data: Record<string, string> = {};
  for (const env of g.envs ?? []) Object.assign(data, parseEnvFile(readText(join(dir, env)), join(dir, env)));
  for (const f of g.files ?? []) data[basename(f)] = readText(join(dir, f));
  for (const literal of g.literals ?? []) {
    const eq = literal.indexOf('=');
    if (eq <= 0) throw new Error(`${dir}: literal ${literal} is not KEY=value`);
    data[literal.slice(0, eq)] = literal.slice(eq + 1);
  }
  // kustomize finds the ConfigMap to merge by name and namespace: a base that sets a namespace
  // needs the overlay's generator to name it too (kubernetes-sigs/kustomize#1219)
  const existing = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === g.name && o.metadata.namespace === g.namespace);
  const behavior = g.behavior ?? 'create';
  if (behavior === 'create') {
    if (existing) throw new Error(`${dir}: ConfigMap ${g.name} already exists (use behavior: merge)`);
    // kustomize appends a content hash to the name unless told not to; we never want it
    if (!g.options?.disableNameSuffixHash) throw new Error(`${dir}: ConfigMap ${g.name} needs options.disableNameSuffixHash: true`);
    const metadata = { name: g.name, namespace: g.namespace, labels: g.options.labels, annotations: g.options.annotations };
    return [...objects, { apiVersion: 'v1', kind: 'ConfigMap', metadata: dropUndefined(metadata), data }];
  }
  if (!existing) throw new Error(`${dir}: ConfigMap ${g.namespace ?? '(no namespace)'}/${g.name} to ${behavior} is not in the resources`);
  const merged = behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...data } : data;
  return objects.map((o) => (o === existing ? { ...o, data: merged } : o));
}

function applyPatch(dir: string, entry: { path: string }, objects: Manifest[]): Manifest[] {
  refuseUnknown(`${dir} patch`, entry, ['path']);
  const docs = loadManifests(join(dir, entry.path));
  if (docs.length !== 1) throw new Error(`${entry.path}: one patch per file`);
  const patch = docs[0];
  const targets = objects.filter(
    (o) => o.apiVersion === patch.apiVersion && o.kind === patch.kind && o.metadata.name === patch.metadata.name,
  );
  if (targets.length !== 1) throw new Error(`${entry.path}: matches ${targets.length} resources, expected 1`);
  const { $patch: directive, ...body } = patch as Manifest & { $patch?: string };
  if (directive === 'delete') return objects.filter((o) => o !== targets[0]);
  if (directive !== undefined) throw new Error(`${entry.path}: $patch: ${directive} is not implemented`);
  return objects.map((o) => (o === targets[0] ? (strategicMerge(o, body, entry.path) as Manifest) : o));
}

/** Lists merged element by element, by the key the Kubernetes API declares; other lists are replaced. */
const mergeKeys: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  // container ports merge on containerPort, Service ports on port
  ports: ['containerPort', 'port'],
};

export function strategicMerge(target: unknown, patch: unknown, where: string): unknown {
  if (!isPlainObject(target) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) throw new Error(`${where}: directive ${key} is not implemented`);
    if (value === null) delete out[key];
    else if (Array.isArray(value) && Array.isArray(out[key]) && key in mergeKeys) out[key] = mergeList(out[key] as unknown[], value, mergeKeys[key], where);
    else out[key] = strategicMerge(out[key], value, where);
  }
  return out;
}

function mergeList(target: unknown[], patch: unknown[], keys: string[], where: string): unknown[] {
  const keyOf = (item: unknown) => {
    const k = keys.find((name) => isPlainObject(item) && name in item);
    return k === undefined ? undefined : `${k}=${String((item as Record<string, unknown>)[k])}`;
  };
  const out = [...target];
  for (const item of patch) {
    const key = keyOf(item);
    if (key === undefined) throw new Error(`${where}: list item without a merge key (${keys.join('/')})`);
    const at = out.findIndex((existing) => keyOf(existing) === key);
    if (at >= 0) out[at] = strategicMerge(out[at], item, where);
    else out.push(item);
  }
  return out;
}

function withNamespace(o: Manifest, namespace: string): Manifest {
  return { ...o, metadata: { ...o.metadata, namespace } };
}

function assertUniqueIds(where: string, objects: Manifest[]) {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${where}: ${id} is defined twice`);
    seen.add(id);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
