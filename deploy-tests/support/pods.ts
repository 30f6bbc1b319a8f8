import type { Manifest } from './repo';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
}

export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: unknown[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  volumes?: { name: string; emptyDir?: unknown }[];
}

export interface Workload {
  manifest: Manifest;
  labels: Record<string, string>;
  pod: PodSpec;
}

const workloadKinds = ['Deployment', 'StatefulSet', 'Job'];

/** Everything that runs pods, with the labels and spec of its pod template. */
export function workloads(objects: Manifest[]): Workload[] {
  return objects
    .filter((o) => workloadKinds.includes(o.kind))
    .map((manifest) => {
      const template = (manifest.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }).template;
      return { manifest, labels: template.metadata?.labels ?? {}, pod: template.spec };
    });
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Kubernetes label-selector semantics; an empty selector selects everything. */
export function selects(selector: LabelSelector | Record<string, string>, labels: Record<string, string>): boolean {
  const s: LabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector ? (selector as LabelSelector) : { matchLabels: selector as Record<string, string> };
  const byLabels = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (s.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return e.values!.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !e.values!.includes(labels[e.key]);
    if (e.operator === 'Exists') return e.key in labels;
    return !(e.key in labels);
  });
  return byLabels && byExpressions;
}

/** `chatbot/<target>:<tag>` → target; undefined for third-party images. */
export function targetOf(image: string): string | undefined {
  return /^chatbot\/([a-z-]+):[^:]+$/.exec(image)?.[1];
}

/** The value a container's variable has once Kubernetes resolved it from the ConfigMap. */
export function resolveEnv(container: Container, config: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.configMapKeyRef) env[v.name] = config[v.valueFrom.configMapKeyRef.key];
  }
  return env;
}

/** A probe's port as a number: named ports are looked up on the container. */
export function probePort(container: Container, port: number | string): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

interface ServiceSpec {
  selector: Record<string, string>;
  ports: { name?: string; port: number; targetPort: number | string }[];
}

/**
 * Where traffic sent to a Service port (by name or number, as an Ingress or a ServiceMonitor
 * names it) ends up: the workload the Service selects and the container port number it reaches.
 */
export function backendOf(objects: Manifest[], service: string, port: number | string): { workload: Workload; containerPort: number } | undefined {
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === service);
  if (!svc) return undefined;
  const spec = svc.spec as ServiceSpec;
  const servicePort = spec.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  const backing = workloads(objects).filter((w) => selects(spec.selector, w.labels));
  if (!servicePort || backing.length !== 1) return undefined;
  for (const c of backing[0].pod.containers) {
    const containerPort = probePort(c, servicePort.targetPort);
    if (containerPort !== undefined && c.ports?.some((p) => p.containerPort === containerPort)) return { workload: backing[0], containerPort };
  }
  return undefined;
}
