/**
 * `jose` 6 ships only as an ES module. Loading it with `import()` works from our CommonJS output on
 * every Node we support and under jest's module system, where a plain `require` of it does not.
 */
export type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= import('jose');
  return loading;
}
