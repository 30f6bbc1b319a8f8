import { allowed } from './support/network';
import { get, ofKind, overlays, rendered } from './support/overlays';
import { backendOf, targetOf } from './support/pods';
import { fromRoot, readText, type Manifest } from './support/repo';
import { servedPaths } from './support/services';

interface IngressSpec {
  ingressClassName?: string;
  rules: { host?: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[];
}

/** The namespace ingress-nginx is usually installed to (its Helm chart's and manifests' default). */
const controllerNamespace = 'ingress-nginx';
const annotation = (ingress: Manifest, name: string) => ingress.metadata.annotations?.[`nginx.ingress.kubernetes.io/${name}`];
/** A gateway setting as the pods get it: from chatbot-config when set there, else config.ts's default. */
function gatewaySetting(objects: Manifest[], name: string): number {
  const configured = (get(objects, 'ConfigMap', 'chatbot-config').data as Record<string, string>)[name];
  if (configured !== undefined) return Number(configured);
  const fallback = new RegExp(`${name}: \\w+\\(([\\d_]+)\\)`).exec(readText(fromRoot('services/gateway/src/config.ts')))?.[1];
  if (!fallback) throw new Error(`services/gateway/src/config.ts has no default for ${name}`);
  return Number(fallback.replaceAll('_', ''));
}

describe.each(Object.entries(overlays))('the Ingress of the %s overlay', (_, dir) => {
  const objects = () => rendered(dir);
  const ingress = () => {
    const all = ofKind(objects(), 'Ingress');
    expect(all).toHaveLength(1);
    return all[0];
  };
  const paths = () => (ingress().spec as IngressSpec).rules.flatMap((r) => r.http.paths);

  it('sends every path to a port of the gateway Service that reaches the gateway container', () => {
    expect((ingress().spec as IngressSpec).ingressClassName).toBe('nginx');
    for (const p of paths()) {
      const { name, port } = p.backend.service;
      const backend = backendOf(objects(), name, port.name ?? port.number!);
      expect(`${p.path} -> ${name}:${port.name ?? port.number} ${backend ? 'reaches a container' : 'goes nowhere'}`).toBe(`${p.path} -> ${name}:${port.name ?? port.number} reaches a container`);
      expect(backend!.workload.pod.containers.map((c) => targetOf(c.image) ?? c.image.split(':')[0].split('/').pop())).toEqual(['gateway']);
    }
  });

  it('routes the WebSocket, the REST API and the API docs', () => {
    const served = servedPaths('gateway');
    for (const path of ['/api/chat/ws', '/api/health', '/docs']) {
      expect(served.has(path) ? path : `the gateway serves no ${path}`).toBe(path);
      const routed = paths().some((p) => (p.pathType === 'Prefix' ? path.startsWith(p.path) : path === p.path));
      expect(`${path} ${routed ? 'routed' : 'not routed'}`).toBe(`${path} routed`);
    }
  });

  it("keeps sockets open longer than the gateway's own idle timeout, over HTTP/1.1", () => {
    const idleSeconds = gatewaySetting(objects(), 'WS_IDLE_TIMEOUT_MS') / 1000;
    const pingSeconds = gatewaySetting(objects(), 'WS_PING_INTERVAL_MS') / 1000;
    expect(pingSeconds).toBeLessThan(idleSeconds);
    for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
      const seconds = Number(annotation(ingress(), name));
      expect(`${name} ${seconds > idleSeconds ? 'longer' : 'not longer'} than ${idleSeconds} s`).toBe(`${name} longer than ${idleSeconds} s`);
    }
    expect(annotation(ingress(), 'proxy-http-version')).toBe('1.1');
    expect(annotation(ingress(), 'proxy-buffering')).toBe('off');
  });

  it('is let through by the NetworkPolicies from the ingress controller', () => {
    for (const p of paths()) {
      const { name, port } = p.backend.service;
      const backend = backendOf(objects(), name, port.name ?? port.number!)!;
      expect(allowed(objects(), 'Ingress', backend.workload.labels, { kind: 'namespace', name: controllerNamespace }, backend.containerPort)).toBe(true);
    }
  });
});
