/**
 * Prefixes every subject and stream name, so that several deployments, or the test files of one
 * run, share a NATS server without seeing each other's traffic. The empty prefix is the identity.
 */
export interface Namespace {
  prefix: string;
  subject(subject: string): string;
  stream(name: string): string;
  /** The subject without the prefix (for messages received on a prefixed subject). */
  strip(subject: string): string;
}

export function namespace(prefix: string): Namespace {
  if (!prefix) return { prefix, subject: (s) => s, stream: (n) => n, strip: (s) => s };
  const head = `${prefix}.`;
  const streamHead = `${prefix.toUpperCase().replaceAll('-', '_')}_`;
  return {
    prefix,
    subject: (s) => head + s,
    stream: (n) => streamHead + n,
    strip: (s) => (s.startsWith(head) ? s.slice(head.length) : s),
  };
}
