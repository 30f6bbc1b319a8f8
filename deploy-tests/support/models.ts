import ts from 'typescript';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { fromRoot, type Manifest } from './repo';

interface ModelClass {
  new (data: never): { validate(): void };
}

/**
 * The schema of every kind we deploy: its runtime validator and its TypeScript interface. The
 * Prometheus Operator's kinds come from its CRDs' OpenAPI schemas, as Kubernetes would check them.
 */
const models: Record<string, { model: ModelClass; module: string; type: string }> = {
  'v1/Namespace': { model: Namespace, module: 'kubernetes-models/v1/Namespace', type: 'INamespace' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'apps/v1/StatefulSet': { model: StatefulSet, module: 'kubernetes-models/apps/v1/StatefulSet', type: 'IStatefulSet' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'networking.k8s.io/v1/Ingress': { model: Ingress, module: 'kubernetes-models/networking.k8s.io/v1/Ingress', type: 'IIngress' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', type: 'INetworkPolicy' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', type: 'IHorizontalPodAutoscaler' },
  'keda.sh/v1alpha1/ScaledObject': { model: ScaledObject, module: '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject', type: 'IScaledObject' },
  'monitoring.coreos.com/v1/ServiceMonitor': { model: ServiceMonitor, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', type: 'IServiceMonitor' },
  'monitoring.coreos.com/v1/PrometheusRule': { model: PrometheusRule, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', type: 'IPrometheusRule' },
};

const modelOf = (m: Manifest) => {
  const entry = models[`${m.apiVersion}/${m.kind}`];
  if (!entry) throw new Error(`no schema for ${m.apiVersion} ${m.kind}: add it to deploy-tests/support/models.ts`);
  return entry;
};

/** Validates against the Kubernetes (or KEDA) OpenAPI schema; the error names the bad fields. */
export function validateManifest(m: Manifest): void {
  const { model: Model } = modelOf(m);
  try {
    new Model(m as never).validate();
  } catch (error) {
    throw new Error(`${m.kind}/${m.metadata.name}: ${(error as Error).message}`);
  }
}

/**
 * The schema validators let unknown fields through, and a misspelt field (`readinessprobe`) is a
 * probe that never runs. TypeScript's excess-property check against the models' interfaces
 * catches those: each manifest becomes a typed object literal of a virtual file, one per line.
 */
export function unknownFieldErrors(manifests: { origin: string; manifest: Manifest }[]): string[] {
  const imports = [...new Set(manifests.map(({ manifest }) => modelOf(manifest)))]
    .map((e) => `import type { ${e.type} } from '${e.module}';`);
  const lines = [...imports, ...manifests.map(({ manifest }, i) => `export const m${i}: ${modelOf(manifest).type} = ${JSON.stringify(manifest)};`)];
  const file = fromRoot('deploy-tests', '__manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const source = lines.join('\n');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line - imports.length;
    const at = manifests[line];
    return at ? `${at.origin} ${at.manifest.kind}/${at.manifest.metadata.name}: ${text}` : text;
  });
}
