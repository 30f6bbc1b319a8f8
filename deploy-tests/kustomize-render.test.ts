import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot, parseEnvFile, readText, type Manifest } from './support/repo';
import { kustomize } from './support/kustomize';
import { find, get, ofKind, overlays, rendered } from './support/overlays';

type Workload = Manifest & { spec: { replicas?: number; template: { spec: { containers: Container[] } } } };
interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}

const dev = () => rendered(overlays.dev);
const prod = () => rendered(overlays.prod);
const deployments = (objects: Manifest[]) => ofKind(objects, 'Deployment') as Workload[];
const autoscaled = (objects: Manifest[]) => [
  ...ofKind(objects, 'HorizontalPodAutoscaler').map((h) => (h.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef),
  ...ofKind(objects, 'ScaledObject').map((s) => ({ kind: 'Deployment', ...(s.spec as { scaleTargetRef: { name: string } }).scaleTargetRef })),
];

describe('the overlays as kustomize renders them', () => {
  it.each(Object.entries(overlays))('%s puts every namespaced object in the chatbot namespace', (_, dir) => {
    const objects = rendered(dir);
    expect(get(objects, 'Namespace', 'chatbot').metadata.namespace).toBeUndefined();
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toMatch(/ in chatbot$/);
  });

  it.each(Object.entries(overlays))('%s builds the chatbot-config ConfigMap from k8s/base/chatbot.env', (_, dir) => {
    const config = get(rendered(dir), 'ConfigMap', 'chatbot-config').data as Record<string, string>;
    const env = parseEnvFile(readText(fromRoot('k8s/base/chatbot.env')), 'chatbot.env');
    expect(Object.keys(config).sort()).toEqual(Object.keys(env).sort());
  });

  it('dev runs PostgreSQL in the cluster, one replica of each service, and scales workers on CPU', () => {
    const objects = dev();
    expect(find(objects, 'StatefulSet', 'postgres')).toBeDefined();
    expect(find(objects, 'Service', 'postgres')).toBeDefined();
    expect(find(objects, 'Secret', 'chatbot-secrets')).toBeDefined();
    for (const d of deployments(objects)) expect(`${d.metadata.name}=${d.spec.replicas}`).toBe(`${d.metadata.name}=1`);
    expect(autoscaled(objects)).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'llm-dispatch' })]);
    expect(ofKind(objects, 'ScaledObject')).toEqual([]);
  });

  it('prod uses the external database from the admin-made Secret and runs no PostgreSQL', () => {
    const objects = prod();
    expect(objects.filter((o) => o.metadata.name.includes('postgres'))).toEqual([]);
    // the Secret is created out of band: applying the overlay must not overwrite it
    expect(find(objects, 'Secret', 'chatbot-secrets')).toBeUndefined();
    for (const name of ['chat-log', 'qna-cache', 'persona']) {
      const env = (get(objects, 'Deployment', name) as Workload).spec.template.spec.containers[0].env ?? [];
      expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'chatbot-secrets', key: 'DATABASE_URL' });
    }
    const egress = get(objects, 'NetworkPolicy', 'database-clients-egress').spec as { egress: { to: Record<string, unknown>[] }[] };
    expect(egress.egress.flatMap((rule) => rule.to.map((peer) => Object.keys(peer)))).toEqual([['ipBlock']]);
  });

  it('prod runs more replicas (one of each ordered consumer) and leaves the autoscaled counts to the gateway HPA and KEDA', () => {
    const objects = prod();
    expect(autoscaled(objects).map((t) => t.name).sort()).toEqual(['gateway', 'llm-dispatch']);
    for (const d of deployments(objects)) {
      const managed = autoscaled(objects).some((t) => t.name === d.metadata.name);
      // a replica count in the manifest would be reset by every `kubectl apply`
      if (managed) expect(d.spec.replicas).toBeUndefined();
      else if (['chat-log', 'qna-cache'].includes(d.metadata.name)) expect(d.spec.replicas).toBe(1); // ordered consumers
      else expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    }
    const keda = get(objects, 'ScaledObject', 'llm-dispatch').spec as { minReplicaCount: number; maxReplicaCount: number };
    expect(keda.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(keda.maxReplicaCount).toBeGreaterThan(keda.minReplicaCount);
  });

  it.each(Object.entries(overlays))('%s scales nothing with two autoscalers, and every autoscaler has a target', (_, dir) => {
    const objects = rendered(dir);
    const targets = autoscaled(objects).map((t) => `${t.kind}/${t.name}`);
    expect(new Set(targets).size).toBe(targets.length);
    for (const target of autoscaled(objects)) expect(find(objects, target.kind, target.name)).toBeDefined();
  });

  it('keeps kubectl scale working in the base: llm-dispatch has a plain replica count and no autoscaler', () => {
    const base = kustomize(fromRoot('k8s/base'));
    expect((get(base, 'Deployment', 'llm-dispatch') as Workload).spec.replicas).toBeGreaterThanOrEqual(1);
    expect(autoscaled(base)).toEqual([]);
  });
});

describe('rendering with kubectl', () => {
  const withPath = (path: string) => ({ ...process.env, PATH: path });

  it('fails, saying what to install, when kubectl is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-kubectl-'));
    try {
      expect(() => kustomize(overlays.dev, withPath(empty))).toThrow(/kubectl is not installed[\s\S]*apt-get install -y kubectl/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("fails when kubectl's kustomize is too old for the overlays (Debian's kubernetes-client 1.20)", () => {
    const bin = mkdtempSync(join(tmpdir(), 'old-kubectl-'));
    try {
      writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\necho \'{"kustomizeVersion": "v2.0.3"}\'\n', { mode: 0o755 });
      expect(() => kustomize(overlays.dev, withPath(`${bin}:${process.env.PATH}`))).toThrow(/kustomize is v2\.0\.3; the deploy tests need v5/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
