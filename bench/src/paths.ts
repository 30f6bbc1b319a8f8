import { join, resolve } from 'node:path';

/** bench/ (this file runs from bench/src under jest and from bench/dist otherwise). */
export const benchRoot = resolve(__dirname, '..');
export const repoRoot = resolve(benchRoot, '..');

/** A compiled bench script: child processes always run from dist (build first). */
export const distScript = (...parts: string[]) => join(benchRoot, 'dist', ...parts);
