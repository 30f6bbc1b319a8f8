import { existsSync, readdirSync } from 'node:fs';
import { fromRoot, listFiles, readText } from './repo';

/** Our images: one Dockerfile target each. `migrate` is the one-shot migration command. */
export const services = ['gateway', 'chat-log', 'qna-cache', 'persona', 'llm-dispatch'] as const;
export type ServiceName = (typeof services)[number];
export type Target = ServiceName | 'migrate';

export function isService(name: string): name is ServiceName {
  return (services as readonly string[]).includes(name);
}

/** The object literal `export const <name> = { ... };` of libs/runtime/src/config.ts. */
function runtimeKeys(name: 'baseEnv' | 'databaseEnv' | 'tracingEnv'): string[] {
  const text = readText(fromRoot('libs/runtime/src/config.ts'));
  const start = text.indexOf(`export const ${name} = {`);
  if (start < 0) throw new Error(`libs/runtime/src/config.ts no longer exports ${name}`);
  const end = text.indexOf('\n};', start);
  return envKeysIn(text.slice(start, end));
}

const envKeysIn = (text: string): string[] => [...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]);

/** The environment variables a target reads: its config.ts keys, plus the shared ones it spreads in. */
export function knownEnv(target: Target): Set<string> {
  if (target === 'migrate') {
    const cli = readText(fromRoot('libs/store/src/migrate-cli.ts'));
    return new Set([...cli.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
  }
  const path = fromRoot('services', target, 'src', 'config.ts');
  if (!existsSync(path)) throw new Error(`services/${target}/src/config.ts does not exist yet`);
  const text = readText(path);
  const keys = new Set(envKeysIn(text));
  if (text.includes('...baseEnv')) runtimeKeys('baseEnv').forEach((k) => keys.add(k));
  if (text.includes('...databaseEnv')) runtimeKeys('databaseEnv').forEach((k) => keys.add(k));
  // runMain starts tracing from these in every service (libs/runtime/src/tracing.setup.ts).
  if (readText(fromRoot('services', target, 'src', 'main.ts')).includes('runMain')) runtimeKeys('tracingEnv').forEach((k) => keys.add(k));
  return keys;
}

/** Every variable any of our processes reads. */
export function allKnownEnv(): Set<string> {
  const all = new Set<string>();
  for (const target of [...services, 'migrate'] as Target[]) knownEnv(target).forEach((k) => all.add(k));
  return all;
}

/**
 * HTTP paths a service answers: the ops server's (/healthz, /readyz, /metrics) when main.ts
 * starts it, plus every path literal of its own sources (the gateway serves them next to its API).
 */
export function servedPaths(service: ServiceName): Set<string> {
  const src = fromRoot('services', service, 'src');
  const files = listFiles(src, (p) => p.endsWith('.ts') && !/\.(i?test|itest-support)\.ts$/.test(p) && !p.includes('/generated/'));
  const paths = new Set<string>();
  for (const file of files) {
    for (const m of readText(file).matchAll(/['"`](\/[a-z][a-z0-9/_-]*)['"`]/g)) paths.add(m[1]);
  }
  if (readText(fromRoot('services', service, 'src', 'main.ts')).includes('startOpsServer')) {
    const ops = readText(fromRoot('libs/runtime/src/ops-server.ts'));
    for (const m of ops.matchAll(/path [!=]== '(\/[a-z]+)'/g)) paths.add(m[1]);
  }
  return paths;
}

/** The variable naming the port a service's HTTP endpoints listen on. */
export const portVariable = (service: ServiceName): 'PORT' | 'OPS_PORT' => (service === 'gateway' ? 'PORT' : 'OPS_PORT');

/** Metric names registered anywhere in the services' sources. */
export function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const service of services) {
    const src = fromRoot('services', service, 'src');
    if (!existsSync(src)) continue;
    for (const file of listFiles(src, (p) => p.endsWith('.ts') && !p.includes('/generated/'))) {
      for (const m of readText(file).matchAll(/['"](chatbot_[a-z0-9_]+)['"]/g)) names.add(m[1]);
    }
  }
  return names;
}

/** Workspaces of the root package.json, expanded (`libs/*` → every folder with a package.json). */
export function workspaces(): string[] {
  const pkg = JSON.parse(readText(fromRoot('package.json'))) as { workspaces: string[] };
  return pkg.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(fromRoot(parent))
      .sort()
      .map((name) => `${parent}/${name}`)
      .filter((ws) => existsSync(fromRoot(ws, 'package.json')));
  });
}

/** Each metric the services register, with the label names it declares (prom-client's labelNames). */
export function registeredMetricLabels(): Map<string, string[]> {
  const metrics = new Map<string, string[]>();
  for (const service of services) {
    const src = fromRoot('services', service, 'src');
    for (const file of listFiles(src, (p) => p.endsWith('.metrics.ts'))) {
      const declarations = readText(file).matchAll(/\b(?:counter|gauge|histogram)\(\s*registry,\s*'(chatbot_[a-z0-9_]+)',\s*'(?:[^'\\]|\\.)*'\s*(?:,\s*\[([^\]]*)\])?/g);
      for (const m of declarations) metrics.set(m[1], [...(m[2] ?? '').matchAll(/'([a-z_]+)'/g)].map((l) => l[1]));
    }
  }
  return metrics;
}
