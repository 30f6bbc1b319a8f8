import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { isManifest, type Manifest } from './repo';

/** The oldest kustomize that renders our tree (`patches:` by path, `labels` on generators). */
const minimumKustomize = 5;

const install =
  'Install kubectl (it embeds kustomize): `apt-get update && apt-get install -y kubectl` ' +
  '(.ci/run does this when kubectl is missing). Debian\'s older `kubernetes-client` package ' +
  '(kubectl 1.20, kustomize v2) cannot render these overlays.';

/** Runs kubectl; a missing binary becomes an error that says what to install. */
function kubectl(args: string[], env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync('kubectl', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`kubectl is not installed: the deploy tests render k8s/ with \`kubectl kustomize\`. ${install}`);
    throw new Error(`kubectl ${args.join(' ')} failed:\n${e.stderr ?? e.message}`);
  }
}

const checked = new Set<string | undefined>();

/** Fails unless kubectl is there and its kustomize is recent enough; checked once per PATH. */
export function requireKubectl(env: NodeJS.ProcessEnv = process.env): void {
  if (checked.has(env.PATH)) return;
  const version = JSON.parse(kubectl(['version', '--client', '-o', 'json'], env)) as { kustomizeVersion?: string };
  const major = Number(/^v?(\d+)/.exec(version.kustomizeVersion ?? '')?.[1] ?? 0);
  if (major < minimumKustomize) {
    throw new Error(`kubectl's kustomize is ${version.kustomizeVersion ?? 'unknown'}; the deploy tests need v${minimumKustomize} or later. ${install}`);
  }
  checked.add(env.PATH);
}

/** `kubectl kustomize <dir>`: the objects `kubectl apply -k <dir>` would send, in order. */
export function kustomize(dir: string, env: NodeJS.ProcessEnv = process.env): Manifest[] {
  requireKubectl(env);
  const docs = parseAllDocuments(kubectl(['kustomize', dir], env));
  const list = Array.isArray(docs) ? docs : [docs];
  return list
    .map((doc) => doc.toJS() as unknown)
    .filter((value) => value !== null && value !== undefined)
    .map((value, i) => {
      if (!isManifest(value)) throw new Error(`kubectl kustomize ${dir}: document ${i + 1} is not a Kubernetes object`);
      return value;
    });
}
