import { fromRoot, readText, type Manifest } from './support/repo';
import { allowed, connects, selectorsOf, type Peer } from './support/network';
import { get, ofKind, overlays, rendered } from './support/overlays';
import { selects, targetOf, workloads, type Workload } from './support/pods';

const labelsOf = (objects: Manifest[], name: string): Record<string, string> => {
  const w = workloads(objects).find((x) => x.labels['app.kubernetes.io/name'] === name);
  if (!w) throw new Error(`no workload named ${name}`);
  return w.labels;
};
const usesVariable = (w: Workload, name: string) => w.pod.containers.some((c) => (c.env ?? []).some((v) => v.name === name));
const nameOf = (w: Workload) => w.labels['app.kubernetes.io/name'];
const external: Peer = { kind: 'external' };

describe.each(Object.entries(overlays))('hardening of the %s overlay', (overlay, dir) => {
  const objects = () => rendered(dir);

  it('runs every pod as non-root with the runtime seccomp profile, and every container read-only without capabilities', () => {
    for (const { manifest, pod } of workloads(objects())) {
      expect(`${manifest.metadata.name} ${pod.securityContext?.runAsNonRoot} ${pod.securityContext?.seccompProfile?.type}`).toBe(`${manifest.metadata.name} true RuntimeDefault`);
      for (const c of pod.containers) {
        const sc = c.securityContext ?? {};
        expect(`${c.name} ro=${sc.readOnlyRootFilesystem} escalate=${sc.allowPrivilegeEscalation} drop=${sc.capabilities?.drop}`).toBe(`${c.name} ro=true escalate=false drop=ALL`);
      }
    }
  });

  it('bounds every container with CPU and memory requests and limits', () => {
    for (const { pod } of workloads(objects())) {
      for (const c of pod.containers) {
        expect(`${c.name} ${Object.keys(c.resources?.requests ?? {}).sort()} ${Object.keys(c.resources?.limits ?? {}).sort()}`).toBe(`${c.name} cpu,memory cpu,memory`);
      }
    }
  });

  it('labels every workload and its pods with app.kubernetes.io/name and part-of', () => {
    for (const w of workloads(objects())) {
      for (const labels of [w.manifest.metadata.labels ?? {}, w.labels]) {
        expect(`${w.manifest.metadata.name} ${labels['app.kubernetes.io/name']} ${labels['app.kubernetes.io/part-of']}`).toMatch(/^\S+ [a-z-]+ chatbot$/);
      }
    }
  });

  it('rolls Deployments out without taking a ready pod away first, except the single ordered consumers', () => {
    for (const d of ofKind(objects(), 'Deployment')) {
      const spec = d.spec as { replicas?: number; strategy: { type: string; rollingUpdate?: { maxUnavailable: number } } };
      if (singleConsumers.includes(d.metadata.name)) {
        // never two at once, not even during a rollout: their messages wait in JetStream meanwhile
        expect(`${d.metadata.name} ${spec.strategy.type} ${spec.replicas}`).toBe(`${d.metadata.name} Recreate 1`);
        continue;
      }
      expect(`${d.metadata.name} ${spec.strategy.type} ${spec.strategy.rollingUpdate?.maxUnavailable}`).toBe(`${d.metadata.name} RollingUpdate 0`);
    }
  });

  it('covers every Deployment and StatefulSet with exactly one PodDisruptionBudget', () => {
    const budgets = ofKind(objects(), 'PodDisruptionBudget').map((p) => (p.spec as { selector: { matchLabels: Record<string, string> } }).selector);
    for (const w of workloads(objects()).filter((x) => x.manifest.kind !== 'Job')) {
      expect(`${w.manifest.metadata.name} ${budgets.filter((s) => selects(s, w.labels)).length}`).toBe(`${w.manifest.metadata.name} 1`);
    }
    for (const selector of budgets) expect(workloads(objects()).filter((w) => selects(selector, w.labels)).length).toBe(1);
  });

  it('denies all traffic by default and lets every pod resolve names', () => {
    const deny = get(objects(), 'NetworkPolicy', 'default-deny-all').spec as { podSelector: object; policyTypes: string[] };
    expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const w of workloads(objects())) {
      expect(`${nameOf(w)} ${allowed(objects(), 'Egress', w.labels, { kind: 'namespace', name: 'kube-system' }, 53, 'UDP')}`).toBe(`${nameOf(w)} true`);
    }
  });

  it('has no NetworkPolicy selector that matches no pod (a typo there silently blocks or opens traffic)', () => {
    for (const { policy, selector } of selectorsOf(objects())) {
      if (Object.keys(selector).length === 0) continue;
      expect(`${policy} ${JSON.stringify(selector)} ${workloads(objects()).some((w) => selects(selector, w.labels))}`).toBe(`${policy} ${JSON.stringify(selector)} true`);
    }
  });

  it('lets every NATS client reach nats:4222, and KEDA and Prometheus its monitoring port', () => {
    const nats = labelsOf(objects(), 'nats');
    const clients = workloads(objects()).filter((w) => usesVariable(w, 'NATS_URL'));
    expect(clients.map(nameOf).sort()).toEqual(['chat-log', 'gateway', 'llm-dispatch', 'persona', 'qna-cache']);
    for (const w of clients) expect(`${nameOf(w)} -> nats ${connects(objects(), w.labels, nats, 4222)}`).toBe(`${nameOf(w)} -> nats true`);
    for (const ns of ['keda', 'monitoring']) expect(allowed(objects(), 'Ingress', nats, { kind: 'namespace', name: ns }, 8222)).toBe(true);
    // the monitoring port is not for the services, nor the client port for other namespaces
    expect(connects(objects(), labelsOf(objects(), 'gateway'), nats, 8222)).toBe(false);
    expect(allowed(objects(), 'Ingress', nats, { kind: 'namespace', name: 'default' }, 4222)).toBe(false);
  });

  it('lets only the database users and the migration job reach PostgreSQL', () => {
    const users = workloads(objects()).filter((w) => usesVariable(w, 'DATABASE_URL'));
    expect(users.map(nameOf).sort()).toEqual(['chat-log', 'migrate', 'persona', 'qna-cache']);
    const others = workloads(objects()).filter((w) => !usesVariable(w, 'DATABASE_URL') && nameOf(w) !== 'postgres');
    if (overlay === 'dev') {
      const postgres = labelsOf(objects(), 'postgres');
      for (const w of users) expect(`${nameOf(w)} ${connects(objects(), w.labels, postgres, 5432)}`).toBe(`${nameOf(w)} true`);
      for (const w of others) expect(`${nameOf(w)} ${connects(objects(), w.labels, postgres, 5432)}`).toBe(`${nameOf(w)} false`);
    } else {
      for (const w of users) expect(`${nameOf(w)} ${allowed(objects(), 'Egress', w.labels, external, 5432)}`).toBe(`${nameOf(w)} true`);
      for (const w of others) expect(`${nameOf(w)} ${allowed(objects(), 'Egress', w.labels, external, 5432)}`).toBe(`${nameOf(w)} false`);
    }
  });

  it('lets the gateway be reached on 8080 and the metrics ports be scraped, and nothing else in', () => {
    const anyone: Peer = { kind: 'namespace', name: 'ingress-nginx' };
    expect(allowed(objects(), 'Ingress', labelsOf(objects(), 'gateway'), anyone, 8080)).toBe(true);
    const prometheus: Peer = { kind: 'namespace', name: 'monitoring' };
    for (const w of workloads(objects()).filter((x) => x.pod.containers.some((c) => targetOf(c.image)) && x.manifest.kind === 'Deployment')) {
      const port = Number(w.manifest.spec && (w.manifest.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations['prometheus.io/port']);
      expect(`${nameOf(w)} scrape ${port} ${allowed(objects(), 'Ingress', w.labels, prometheus, port)}`).toBe(`${nameOf(w)} scrape ${port} true`);
      if (nameOf(w) !== 'gateway') expect(`${nameOf(w)} ${allowed(objects(), 'Ingress', w.labels, anyone, port)}`).toBe(`${nameOf(w)} false`);
    }
  });

  it('lets only llm-dispatch leave the cluster, on the port of the configured LLM endpoint', () => {
    const config = get(objects(), 'ConfigMap', 'chatbot-config').data as Record<string, string>;
    const llm = labelsOf(objects(), 'llm-dispatch');
    const ports = [443];
    if (config.LLM_BASE_URL) {
      const url = new URL(config.LLM_BASE_URL);
      ports.push(Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
    }
    for (const port of ports) expect(`llm ${port} ${allowed(objects(), 'Egress', llm, external, port)}`).toBe(`llm ${port} true`);
    for (const w of workloads(objects()).filter((x) => nameOf(x) !== 'llm-dispatch')) {
      expect(`${nameOf(w)} ${allowed(objects(), 'Egress', w.labels, external, 443)}`).toBe(`${nameOf(w)} false`);
    }
  });
});

/** Services that read their stream in order with one consumer (docs/decisions.md). */
const singleConsumers = ['chat-log', 'qna-cache'];

describe('the namespace', () => {
  it('enforces the restricted Pod Security Standard the pods are written for', () => {
    const ns = rendered(overlays.prod).find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('documents a placeholder, not a secret, for every Secret key', () => {
    const text = readText(fromRoot('k8s/base/secret.yaml'));
    expect(text).not.toMatch(/sk-[A-Za-z0-9]{10,}/);
    expect(text).toMatch(/change-me/);
  });
});
