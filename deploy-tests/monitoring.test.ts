import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { allowed } from './support/network';
import { backendOf } from './support/pods';
import { get, ofKind, overlays, rendered } from './support/overlays';
import { selectors, syntaxErrors } from './support/promql';
import { fromRoot, readText, type Manifest } from './support/repo';
import { registeredMetricLabels, servedPaths, services } from './support/services';

interface ServiceMonitorSpec {
  namespaceSelector: { matchNames: string[] };
  selector: { matchLabels: Record<string, string> };
  endpoints: { port: string; path: string }[];
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** k8s/monitoring is applied to this namespace (its kustomization says so; the NetworkPolicy admits it). */
const monitoringNamespace = 'monitoring';
const monitoring = () => rendered(fromRoot('k8s/monitoring'));
const monitors = () => ofKind(monitoring(), 'ServiceMonitor').map((m) => ({ name: m.metadata.name, spec: m.spec as ServiceMonitorSpec }));
const rules = (): Rule[] => ofKind(monitoring(), 'PrometheusRule').flatMap((r) => (r.spec as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));
const alertsOn = (metric: string) => rules().filter((r) => selectors(r.expr).some((s) => s.metric === metric));

/** Labels Prometheus adds to every scraped series (target labels of a ServiceMonitor) and prom-client's default. */
const scrapeLabels = ['service', 'pod', 'namespace', 'instance', 'job', 'container', 'endpoint'];
/** The kubelet's volume statistics, which kube-prometheus-stack scrapes. */
const kubeletVolumeLabels = ['namespace', 'persistentvolumeclaim'];

describe.each(Object.entries(overlays))('the ServiceMonitors, against the %s overlay', (_, dir) => {
  const objects = () => rendered(dir);
  const namespace = () => get(objects(), 'Namespace', 'chatbot').metadata.name;

  it("scrape every service's /metrics through a port its Service has, once", () => {
    for (const service of services) {
      const svc = get(objects(), 'Service', service);
      const scraping = monitors().filter(({ spec }) =>
        spec.namespaceSelector.matchNames.includes(namespace()) && Object.entries(spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels?.[k] === v));
      expect(`${service}: ${scraping.length} ServiceMonitor(s)`).toBe(`${service}: 1 ServiceMonitor(s)`);
      for (const endpoint of scraping[0].spec.endpoints) {
        expect(`${service} ${endpoint.port} ${backendOf(objects(), service, endpoint.port) ? 'reaches a container port' : 'goes nowhere'}`).toBe(`${service} ${endpoint.port} reaches a container port`);
        expect(`${service} serves ${endpoint.path}: ${servedPaths(service).has(endpoint.path)}`).toBe(`${service} serves ${endpoint.path}: true`);
      }
    }
    expect(monitors()).toHaveLength(services.length);
  });

  it('are let through by the NetworkPolicies, from the monitoring namespace', () => {
    for (const { name, spec } of monitors()) {
      const service = spec.selector.matchLabels['app.kubernetes.io/name'];
      for (const endpoint of spec.endpoints) {
        const backend = backendOf(objects(), service, endpoint.port)!;
        const ok = allowed(objects(), 'Ingress', backend.workload.labels, { kind: 'namespace', name: monitoringNamespace }, backend.containerPort);
        expect(`${name} -> ${service}:${backend.containerPort} ${ok ? 'allowed' : 'denied'}`).toBe(`${name} -> ${service}:${backend.containerPort} allowed`);
      }
    }
  });

  it('watch the disk of the NATS JetStream volume, in the namespace and claims the overlay makes', () => {
    const nats = get(objects(), 'StatefulSet', 'nats') as Manifest & {
      spec: { volumeClaimTemplates: { metadata: { name: string } }[]; template: { spec: { containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[] } } };
    };
    const claim = nats.spec.volumeClaimTemplates[0].metadata.name;
    const container = nats.spec.template.spec.containers[0];
    // the claim is the store: -sd <dir> is where it is mounted
    expect(container.volumeMounts.find((m) => m.name === claim)?.mountPath).toBe(container.args[container.args.indexOf('-sd') + 1]);
    const firstPod = `${claim}-${nats.metadata.name}-0`;
    const watched = alertsOn('kubelet_volume_stats_available_bytes').flatMap((r) => selectors(r.expr)).filter((s) => s.metric.startsWith('kubelet_volume_stats_'));
    expect(watched.length).toBeGreaterThan(0);
    for (const s of watched) {
      const pvc = s.matchers.find((m) => m.label === 'persistentvolumeclaim')!;
      const ns = s.matchers.find((m) => m.label === 'namespace')!;
      expect(`${pvc.op} ${new RegExp(`^(?:${pvc.value})$`).test(firstPod)}`).toBe('=~ true');
      expect(ns).toEqual({ label: 'namespace', op: '=', value: nats.metadata.namespace });
    }
  });
});

describe('the alert rules', () => {
  it('are PromQL that Prometheus parses', () => {
    expect(rules().length).toBeGreaterThan(0);
    for (const rule of rules()) expect(`${rule.alert}: ${syntaxErrors(rule.expr).join(', ')}`).toBe(`${rule.alert}: `);
  });

  it('select only metrics the services register, by labels those metrics have', () => {
    const registered = registeredMetricLabels();
    for (const rule of rules()) {
      for (const s of selectors(rule.expr)) {
        const base = s.metric.replace(/_(bucket|count|sum)$/, '');
        const known = s.metric.startsWith('kubelet_volume_stats_') ? kubeletVolumeLabels : registered.has(base) ? [...registered.get(base)!, ...scrapeLabels, ...(s.metric.endsWith('_bucket') ? ['le'] : [])] : undefined;
        expect(`${rule.alert} ${s.metric} ${known ? 'known' : 'is registered by no service'}`).toBe(`${rule.alert} ${s.metric} known`);
        for (const m of s.matchers) expect(`${rule.alert} ${s.metric}{${known!.includes(m.label) ? m.label : `no label ${m.label}`}}`).toBe(`${rule.alert} ${s.metric}{${m.label}}`);
      }
    }
  });

  it('cover the error rate, reply p99, consumer lag, an open circuit breaker and the NATS disk', () => {
    expect(alertsOn('chatbot_gateway_error_frames_total').length).toBeGreaterThan(0);
    expect(alertsOn('chatbot_gateway_reply_latency_seconds_bucket').map((r) => r.expr)).toEqual([expect.stringMatching(/histogram_quantile\(0\.99,/)]);
    expect(alertsOn('chatbot_llm_queue_pending').length).toBeGreaterThan(0);
    // the gauge's value for an open breaker, as llm-dispatch defines it
    const open = /open: (\d+)/.exec(readText(fromRoot('services/llm-dispatch/src/dispatch.metrics.ts')).split('breakerStateValue')[1])![1];
    expect(alertsOn('chatbot_llm_breaker_state').map((r) => r.expr)).toEqual([expect.stringMatching(new RegExp(`(>= ${open}|== ${open})\\s*$`))]);
    expect(alertsOn('kubelet_volume_stats_available_bytes').length).toBeGreaterThanOrEqual(1);
  });

  it('each have a unique name, a severity and a summary', () => {
    const names = rules().map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules()) {
      expect(`${rule.alert} ${rule.labels?.severity}`).toMatch(/ (warning|critical)$/);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
    }
  });

  it('are checked for real: a broken expression, an unknown metric and a bad duration are caught', () => {
    expect(syntaxErrors('sum(rate(chatbot_llm_jobs_total[5m]) >')).not.toEqual([]);
    expect(selectors('rate(chatbot_llm_jobz_total{outcome="failed"}[5m])')).toEqual([{ metric: 'chatbot_llm_jobz_total', matchers: [{ label: 'outcome', op: '=', value: 'failed' }] }]);
    expect(registeredMetricLabels().get('chatbot_llm_jobs_total')).toEqual(['outcome']);
    const bad = new PrometheusRule({ metadata: { name: 'x' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', for: 'ten minutes' }] }] } });
    expect(() => bad.validate()).toThrow(/for/);
  });
});
