import { fromRoot, type Manifest } from './repo';
import { kustomize } from './kustomize';

/** What `kubectl apply -k` is run on: the two overlays, and the dashboard ConfigMap. */
export const overlays = {
  dev: fromRoot('k8s/overlays/dev'),
  prod: fromRoot('k8s/overlays/prod'),
} as const;
export type OverlayName = keyof typeof overlays;

const cache = new Map<string, Manifest[]>();

export function rendered(dir: string): Manifest[] {
  if (!cache.has(dir)) cache.set(dir, kustomize(dir));
  return cache.get(dir)!;
}

export function find(objects: Manifest[], kind: string, name: string): Manifest | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export function get(objects: Manifest[], kind: string, name: string): Manifest {
  const found = find(objects, kind, name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
}

export const ofKind = (objects: Manifest[], kind: string): Manifest[] => objects.filter((o) => o.kind === kind);
