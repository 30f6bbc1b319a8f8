import type { Manifest } from './repo';
import { selects, type LabelSelector } from './pods';

/** Where traffic comes from or goes to, as far as a NetworkPolicy can tell them apart. */
export type Peer =
  | { kind: 'pod'; labels: Record<string, string> }
  | { kind: 'namespace'; name: string }
  | { kind: 'external' };

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

interface Rule {
  ports?: { port?: number | string; protocol?: string }[];
  to?: PolicyPeer[];
  from?: PolicyPeer[];
}

interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
}

const specs = (objects: Manifest[]) => objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ name: o.metadata.name, spec: o.spec as PolicySpec }));

function peerMatches(peer: PolicyPeer, other: Peer): boolean {
  if (peer.ipBlock) return other.kind === 'external';
  if (peer.namespaceSelector) {
    return other.kind === 'namespace' && selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.name });
  }
  return other.kind === 'pod' && selects(peer.podSelector ?? {}, other.labels);
}

function ruleAllows(rule: Rule, peers: PolicyPeer[] | undefined, other: Peer, port: number, protocol: string): boolean {
  const portOk = !rule.ports || rule.ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? 'TCP') === protocol);
  return portOk && (!peers || peers.length === 0 || peers.some((p) => peerMatches(p, other)));
}

/**
 * Whether the policies let a pod with `labels` send (`Egress`) to, or receive (`Ingress`) from,
 * `other` on `port`. Pods no policy of that direction selects are open, as in Kubernetes.
 */
export function allowed(objects: Manifest[], direction: 'Ingress' | 'Egress', labels: Record<string, string>, other: Peer, port: number, protocol = 'TCP'): boolean {
  const applying = specs(objects).filter(({ spec }) => spec.policyTypes.includes(direction) && selects(spec.podSelector, labels));
  if (applying.length === 0) return true;
  return applying.some(({ spec }) => {
    const rules = direction === 'Egress' ? spec.egress ?? [] : spec.ingress ?? [];
    return rules.some((rule) => ruleAllows(rule, direction === 'Egress' ? rule.to : rule.from, other, port, protocol));
  });
}

/** A connection inside the namespace needs both the sender's egress and the receiver's ingress. */
export function connects(objects: Manifest[], from: Record<string, string>, to: Record<string, string>, port: number): boolean {
  return allowed(objects, 'Egress', from, { kind: 'pod', labels: to }, port) && allowed(objects, 'Ingress', to, { kind: 'pod', labels: from }, port);
}

/** Every pod and peer selector of every policy, to check that each selects something. */
export function selectorsOf(objects: Manifest[]): { policy: string; selector: LabelSelector }[] {
  return specs(objects).flatMap(({ name, spec }) => [
    { policy: name, selector: spec.podSelector },
    ...[...(spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(spec.egress ?? []).flatMap((r) => r.to ?? [])]
      .filter((peer) => peer.podSelector && !peer.namespaceSelector)
      .map((peer) => ({ policy: name, selector: peer.podSelector! })),
  ]);
}
