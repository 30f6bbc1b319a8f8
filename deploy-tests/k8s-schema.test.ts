import { basename, relative } from 'node:path';
import { fromRoot, listFiles, loadManifests, type Manifest } from './support/repo';
import { unknownFieldErrors, validateManifest } from './support/models';
import { overlays, rendered } from './support/overlays';

/** Whole objects under k8s/: kustomization files and patches (partial objects) are rendered below. */
const manifestFiles = listFiles(fromRoot('k8s'), (p) => p.endsWith('.yaml') && basename(p) !== 'kustomization.yaml' && !p.includes('/patches/'));

const everyObject = (): { origin: string; manifest: Manifest }[] => [
  ...manifestFiles.flatMap((file) => loadManifests(file).map((manifest) => ({ origin: relative(fromRoot(), file), manifest }))),
  ...Object.entries(overlays).flatMap(([name, dir]) => rendered(dir).map((manifest) => ({ origin: `overlay ${name}`, manifest }))),
  ...rendered(fromRoot('k8s/monitoring')).map((manifest) => ({ origin: 'k8s/monitoring', manifest })),
];

describe('Kubernetes manifests against the Kubernetes and KEDA schemas', () => {
  it('finds the manifests of every part of the system', () => {
    const kinds = new Set(manifestFiles.flatMap((f) => loadManifests(f).map((m) => m.kind)));
    for (const kind of ['Namespace', 'Secret', 'Deployment', 'Service', 'StatefulSet', 'Job', 'PodDisruptionBudget', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'ScaledObject', 'Ingress', 'ServiceMonitor', 'PrometheusRule']) {
      expect(kinds).toContain(kind);
    }
  });

  it.each(manifestFiles.map((f) => [relative(fromRoot(), f), f]))('%s validates', (_, file) => {
    for (const manifest of loadManifests(file)) validateManifest(manifest);
  });

  it.each(Object.entries(overlays))('the rendered %s overlay validates object by object', (_, dir) => {
    for (const manifest of rendered(dir)) validateManifest(manifest);
  });

  it('the monitoring objects (dashboard, ServiceMonitors, alert rules) validate', () => {
    for (const manifest of rendered(fromRoot('k8s/monitoring'))) validateManifest(manifest);
  });

  it('uses no field the API does not know (a misspelt field would be ignored by the cluster)', () => {
    expect(unknownFieldErrors(everyObject())).toEqual([]);
  });

  it('rejects a wrong type and an unknown field, so the checks above can fail', () => {
    const deployment = loadManifests(fromRoot('k8s/base/gateway.yaml')).find((m) => m.kind === 'Deployment')!;
    const broken = JSON.parse(JSON.stringify(deployment)) as { spec: { replicas: unknown; template: { spec: { containers: Record<string, unknown>[] } } } };
    broken.spec.replicas = 'two';
    expect(() => validateManifest(broken as unknown as Manifest)).toThrow(/replicas/);
    broken.spec.replicas = 2;
    broken.spec.template.spec.containers[0].readinessprobe = {};
    expect(unknownFieldErrors([{ origin: 'test', manifest: broken as unknown as Manifest }]).join('\n')).toMatch(/readinessprobe/);
  });
});
