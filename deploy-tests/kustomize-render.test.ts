import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot, parseEnvFile, readText, type Manifest } from './support/repo';
import { kustomize, strategicMerge } from './support/kustomize';
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

describe('the renderer follows kustomize where it matters', () => {
  it('merges containers and env by name, deletes on null and replaces lists without a merge key', () => {
    const target = {
      spec: {
        replicas: 2,
        args: ['a', 'b'],
        containers: [{ name: 'x', image: 'i', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }],
      },
    };
    const patch = { spec: { replicas: null, args: ['c'], containers: [{ name: 'x', env: [{ name: 'B', value: '3' }] }] } };
    expect(strategicMerge(target, patch, 'test')).toEqual({
      spec: { args: ['c'], containers: [{ name: 'x', image: 'i', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }] }] },
    });
  });

  it('refuses kustomization features it does not implement, instead of rendering them wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [gateway.yaml]\nimages: [{name: chatbot/gateway, newTag: "2"}]\n');
      writeFileSync(join(dir, 'gateway.yaml'), readText(fromRoot('k8s/base/gateway.yaml')));
      expect(() => kustomize(dir)).toThrow(/does not implement images/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
