import type { parser as PromQLParser } from '@prometheus-io/lezer-promql' with { 'resolution-mode': 'import' };

// The package is an ES module with a CommonJS build beside it: TypeScript's node16 mode types
// it as ESM only, so the CommonJS build is loaded with require and typed from the ESM types.
const { parser } = require('@prometheus-io/lezer-promql') as { parser: typeof PromQLParser };

export interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Where Prometheus's own PromQL grammar (the one its web UI uses) finds a syntax error. */
export function syntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 20), node.from + 20))}`);
    },
  });
  return errors;
}

/** Every series selector of an expression: its metric name and label matchers. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.name !== 'VectorSelector') return;
      const selector: Selector = { metric: '', matchers: [] };
      const cursor = node.node.cursor();
      cursor.iterate((child) => {
        if (child.type.name === 'Identifier' && selector.metric === '') selector.metric = text(child.from, child.to);
        if (child.type.name === 'UnquotedLabelMatcher') {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"$/s.exec(text(child.from, child.to));
          if (m) selector.matchers.push({ label: m[1], op: m[2], value: m[3] });
        }
      });
      out.push(selector);
      return false;
    },
  });
  return out;
}
