import { namespace } from '@chatbot/bus';
import { consumers } from '@chatbot/proto';
import { envOf, parseDockerfile } from './support/dockerfile';
import { find, get, ofKind, overlays, rendered } from './support/overlays';
import { probePort, resolveEnv, selects, targetOf, workloads, type Container, type Workload } from './support/pods';
import { fromRoot, loadManifests, readText, type Manifest } from './support/repo';
import { isService, knownEnv, portVariable, registeredMetrics, servedPaths, type Target } from './support/services';

const dockerTargets = new Set(parseDockerfile().stages.map((s) => s.name));
/** The Secret's keys are a contract documented in k8s/base/secret.yaml, also where prod leaves it out. */
const documentedSecretKeys = Object.keys((loadManifests(fromRoot('k8s/base/secret.yaml'))[0] as unknown as { stringData: object }).stringData);

const configOf = (objects: Manifest[]) => get(objects, 'ConfigMap', 'chatbot-config').data as Record<string, string>;
const ourContainers = (objects: Manifest[]) =>
  workloads(objects).flatMap((w) => w.pod.containers.filter((c) => targetOf(c.image)).map((c) => ({ w, c, target: targetOf(c.image) as Target })));
const serviceContainers = (objects: Manifest[]) => ourContainers(objects).filter((x) => isService(x.target));
const label = (w: Workload, c: Container) => `${w.manifest.kind}/${w.manifest.metadata.name} ${c.name}`;

describe.each(Object.entries(overlays))('cross-references of the %s overlay', (_, dir) => {
  const objects = () => rendered(dir);

  it('reads only ConfigMap and Secret keys that exist', () => {
    const config = configOf(objects());
    const secret = find(objects(), 'Secret', 'chatbot-secrets');
    const secretKeys = secret ? Object.keys((secret.stringData ?? secret.data) as object) : documentedSecretKeys;
    for (const { manifest, pod } of workloads(objects())) {
      for (const v of pod.containers.flatMap((c) => c.env ?? [])) {
        const where = `${manifest.metadata.name} ${v.name}`;
        const cm = v.valueFrom?.configMapKeyRef;
        const sk = v.valueFrom?.secretKeyRef;
        if (cm) expect(`${where} <- ${cm.name}/${cm.key in config ? cm.key : `missing ${cm.key}`}`).toBe(`${where} <- chatbot-config/${cm.key}`);
        if (sk) expect(`${where} <- ${sk.name}/${secretKeys.includes(sk.key) ? sk.key : `missing ${sk.key}`}`).toBe(`${where} <- chatbot-secrets/${sk.key}`);
      }
    }
  });

  it('uses every key of chatbot-config somewhere (an unused key is usually a misspelt one)', () => {
    const used = new Set(workloads(objects()).flatMap((w) => w.pod.containers.flatMap((c) => (c.env ?? []).map((v) => v.valueFrom?.configMapKeyRef?.key))));
    for (const key of Object.keys(configOf(objects()))) expect(used.has(key) ? key : `${key} unused`).toBe(key);
  });

  it('points every Service at the pods of a workload and at a port their container has', () => {
    for (const service of ofKind(objects(), 'Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { port: number; targetPort: number | string }[] };
      const backing = workloads(objects()).filter((w) => selects(spec.selector, w.labels));
      expect(`${service.metadata.name} -> ${backing.length} workload(s)`).toBe(`${service.metadata.name} -> 1 workload(s)`);
      for (const port of spec.ports) {
        const found = backing[0].pod.containers.some((c) => probePort(c, port.targetPort) !== undefined);
        expect(`${service.metadata.name}:${port.port} -> ${port.targetPort} ${found ? 'exists' : 'missing'}`).toBe(`${service.metadata.name}:${port.port} -> ${port.targetPort} exists`);
      }
    }
  });

  it('runs images that are Dockerfile targets (chatbot/<target>) or pinned third-party tags', () => {
    for (const { manifest, pod } of workloads(objects())) {
      for (const c of pod.containers) {
        const target = targetOf(c.image);
        if (c.image.startsWith('chatbot/')) expect(`${manifest.metadata.name} ${c.image} ${target && dockerTargets.has(target)}`).toBe(`${manifest.metadata.name} ${c.image} true`);
        else expect(c.image).toMatch(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/);
      }
    }
    expect(new Set(ourContainers(objects()).map((x) => x.target))).toEqual(new Set(['gateway', 'chat-log', 'qna-cache', 'persona', 'llm-dispatch', 'migrate']));
  });

  it("sets only variables the service's config.ts reads", () => {
    for (const { w, c, target } of ourContainers(objects())) {
      const known = knownEnv(target);
      for (const v of c.env ?? []) expect(`${label(w, c)} ${known.has(v.name) ? v.name : `unknown ${v.name}`}`).toBe(`${label(w, c)} ${v.name}`);
      expect(c.envFrom).toBeUndefined();
    }
  });

  it('probes readiness and liveness on paths the service serves, on the port it listens on', () => {
    const config = configOf(objects());
    for (const { w, c, target } of serviceContainers(objects())) {
      if (!isService(target)) continue;
      const listens = Number(resolveEnv(c, config)[portVariable(target)]);
      expect(`${label(w, c)} ${portVariable(target)}=${listens}`).toMatch(/=\d+$/);
      const paths = servedPaths(target);
      for (const [kind, probe] of Object.entries({ readiness: c.readinessProbe, liveness: c.livenessProbe, startup: c.startupProbe })) {
        if (!probe && kind === 'startup') continue;
        const get_ = probe?.httpGet;
        expect(`${label(w, c)} ${kind} ${get_?.path} ${get_ && paths.has(get_.path) ? 'served' : 'not served'}`).toBe(`${label(w, c)} ${kind} ${get_?.path} served`);
        expect(`${label(w, c)} ${kind} port ${probePort(c, get_!.port)}`).toBe(`${label(w, c)} ${kind} port ${listens}`);
      }
      // readiness must check the dependencies; liveness only that the process answers
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
    }
  });

  it('declares the container ports the Dockerfile targets expose', () => {
    const { stages } = parseDockerfile();
    for (const { w, c, target } of serviceContainers(objects())) {
      const exposed = stages.find((s) => s.name === target)!.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => Number(i.args));
      expect(`${label(w, c)} ${c.ports?.map((p) => p.containerPort)}`).toBe(`${label(w, c)} ${exposed}`);
      expect(envOf(stages, target)[portVariable(target as never)]).toBe(String(exposed[0]));
    }
  });

  it('gives every service the time to drain that its shutdown grace asks for', () => {
    const config = configOf(objects());
    for (const { w, c } of serviceContainers(objects())) {
      const grace = Number(resolveEnv(c, config).SHUTDOWN_GRACE_MS);
      const preStop = Number(/setTimeout\(\(\) => \{\}, (\d+)\)/.exec(c.lifecycle?.preStop?.exec?.command.join(' ') ?? '')?.[1] ?? 0);
      expect(grace).toBeGreaterThan(0);
      expect(`${label(w, c)} ${(w.pod.terminationGracePeriodSeconds ?? 30) * 1000 > grace + preStop}`).toBe(`${label(w, c)} true`);
    }
  });

  it("sizes the LLM workers' grace on the longest reply (LLM_TIMEOUT_MS x (retries + 1) + backoff)", () => {
    const config = configOf(objects());
    const worker = serviceContainers(objects()).find((x) => x.target === 'llm-dispatch')!;
    const env = resolveEnv(worker.c, config);
    const longestReply = Number(env.LLM_TIMEOUT_MS) * (Number(env.LLM_MAX_RETRIES) + 1) + Number(env.LLM_MAX_RETRIES) * Number(env.LLM_BACKOFF_MAX_MS);
    expect(longestReply).toBeGreaterThan(0);
    expect(Number(env.SHUTDOWN_GRACE_MS)).toBeGreaterThan(longestReply);
    expect(worker.w.pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(Number(env.SHUTDOWN_GRACE_MS));
  });

  it('runs our containers as the Dockerfile user, read-only, with a writable /tmp', () => {
    const user = /^(\d+)/.exec(parseDockerfile().stages.find((s) => s.name === 'runtime')!.instructions.find((i) => i.keyword === 'USER')!.args)![1];
    for (const { w, c } of ourContainers(objects())) {
      expect(`${label(w, c)} uid ${w.pod.securityContext?.runAsUser}`).toBe(`${label(w, c)} uid ${user}`);
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(`${label(w, c)} /tmp ${Boolean(tmp && w.pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir)}`).toBe(`${label(w, c)} /tmp true`);
    }
  });
});

describe('the KEDA trigger', () => {
  const prod = () => rendered(overlays.prod);
  const trigger = () => {
    const spec = get(prod(), 'ScaledObject', 'llm-dispatch').spec as { triggers: { type: string; metadata: Record<string, string> }[] };
    expect(spec.triggers).toHaveLength(1);
    return spec.triggers[0];
  };

  it("watches the llm-dispatch consumer's real stream, under the configured NATS_PREFIX", () => {
    const prefix = configOf(prod()).NATS_PREFIX;
    expect(trigger().type).toBe('nats-jetstream');
    expect(trigger().metadata.stream).toBe(namespace(prefix).stream(consumers.llmDispatch.stream));
    expect(trigger().metadata.consumer).toBe(consumers.llmDispatch.durable);
    expect(Number(trigger().metadata.lagThreshold)).toBeGreaterThan(0);
  });

  it('reads the monitoring port of the NATS Service in the namespace it is deployed to', () => {
    const [host, port] = trigger().metadata.natsServerMonitoringEndpoint.split(':');
    const [serviceName, ns] = host.split('.');
    expect(host).toBe(`${serviceName}.${ns}.svc.cluster.local`);
    const service = get(prod(), 'Service', serviceName);
    expect(service.metadata.namespace).toBe(ns);
    const monitor = (service.spec as { ports: { port: number; targetPort: string }[] }).ports.find((p) => p.port === Number(port));
    const nats = workloads(prod()).find((w) => selects((service.spec as { selector: Record<string, string> }).selector, w.labels))!;
    const container = nats.pod.containers[0] as Container & { args: string[] };
    expect(probePort(container, monitor!.targetPort)).toBe(Number(port));
    expect(container.args.join(' ')).toContain(`-m ${port}`);
    expect(container.args).toContain('-js');
  });

  it('scales the Deployment whose pods consume that stream', () => {
    const ref = (get(prod(), 'ScaledObject', 'llm-dispatch').spec as { scaleTargetRef: { name: string } }).scaleTargetRef;
    const deployment = workloads(prod()).find((w) => w.manifest.kind === 'Deployment' && w.manifest.metadata.name === ref.name)!;
    expect(deployment.pod.containers.map((c) => targetOf(c.image))).toEqual(['llm-dispatch']);
  });
});

describe('the Grafana dashboard', () => {
  const text = readText(fromRoot('k8s/monitoring/grafana-dashboard.json'));
  const dashboard = JSON.parse(text) as { uid: string; panels: { id: number; type: string; targets?: { expr: string }[] }[] };

  it('charts only metrics the services register', () => {
    const registered = registeredMetrics();
    const used = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\b(chatbot_[a-z0-9_]+)/g)].map((m) => m[1]))));
    expect(used.size).toBeGreaterThan(20);
    for (const name of used) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect(registered.has(base) ? base : `${base} is registered by no service`).toBe(base);
    }
  });

  it('has unique panel ids and a query on every chart', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.targets?.length).toBeGreaterThan(0);
  });

  it('is shipped as a ConfigMap for the Grafana sidecar, byte for byte', () => {
    const configMap = get(rendered(fromRoot('k8s/monitoring')), 'ConfigMap', 'chatbot-grafana-dashboard');
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    expect((configMap.data as Record<string, string>)['grafana-dashboard.json']).toBe(text);
  });
});
