import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Reads V8 CPU profiles (`node --cpu-prof`, e.g. written by `npm run bench -- --cpu-prof <dir>`)
 * and prints where the time went: self time per function and per package or source file.
 * Usage: node bench/dist/profile-summary.js <file.cpuprofile>… [--top N] [--callers <function>]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * Self time per node, without the profiler's own frames: the first sample's delta, charged to
 * cpu-profiler.ts starting the profile, is the wait for that first sample (up to 0.3 s on a
 * loaded machine, which read as a third of a service's busy time under `(dispatch)`).
 */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  for (const id of profilerOwn(profile)) self.delete(id);
  return self;
}

/** The nodes under a frame of cpu-profiler.ts. */
function profilerOwn(profile: CpuProfile): number[] {
  const own: number[] = [];
  const visit = (node: ProfileNode | undefined, inProfiler: boolean) => {
    if (!node) return;
    const mine = inProfiler || node.callFrame.url.includes('cpu-profiler');
    if (mine) own.push(node.id);
    for (const child of node.children ?? []) visit(byId.get(child), mine);
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  visit(profile.nodes[0], false);
  return own;
}

/** node_modules/<package> (scoped too), a source file of ours, or a V8/Node pseudo-frame. */
function ownerOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return url;
  const ours = /\/(services|libs|proto|bench)\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}/${ours[3]}` : basename(url);
}

function summarise(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = selfTimes(profile);
  // Shares are of the busy time: idle samples say nothing about where the work went.
  for (const node of profile.nodes) if (node.callFrame.functionName === '(idle)') self.delete(node.id);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    const key = `${functionName || '(anonymous)'}  ${owner}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
  }
  const list = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}`)
      .join('\n');
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const busy = `${(total / 1e6).toFixed(1)} s busy of ${seconds.toFixed(1)} s (${((total / 1e6 / seconds) * 100).toFixed(0)} % of a core)`;
  return `${basename(file)}: ${busy}; shares of the busy time\n by package/file:\n${list(byOwner)}\n by function (self time):\n${list(byFunction)}\n`;
}

/**
 * Who the time of one function (e.g. the native `writeBuffer`) is spent for: its self time by the
 * nearest caller in a package, and by the nearest caller in our own code.
 */
function callersOf(file: string, name: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = selfTimes(profile);
  const parent = new Map<number, ProfileNode>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}  ${ownerOf(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;
  const firstUp = (node: ProfileNode, test: (url: string) => boolean) => {
    for (let n = parent.get(node.id); n; n = parent.get(n.id)) if (test(n.callFrame.url)) return label(n);
    return '(none)';
  };
  const inPackage = new Map<string, number>();
  const inOurs = new Map<string, number>();
  let total = 0;
  for (const node of byId.values()) {
    const us = self.get(node.id) ?? 0;
    if (node.callFrame.functionName !== name || us === 0) continue;
    total += us;
    const pkg = firstUp(node, (url) => url.includes('node_modules') || /\/(services|libs)\//.test(url));
    const ours = firstUp(node, (url) => /\/(services|libs)\/[^/]+\/(dist|src)\//.test(url) && !url.includes('node_modules'));
    inPackage.set(pkg, (inPackage.get(pkg) ?? 0) + us);
    inOurs.set(ours, (inOurs.get(ours) ?? 0) + us);
  }
  const list = (map: Map<string, number>) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  return `${basename(file)}: ${name} ${(total / 1e6).toFixed(2)} s\n nearest package caller:\n${list(inPackage)}\n nearest caller in our code:\n${list(inOurs)}\n`;
}

const args = process.argv.slice(2);
const option = (flag: string) => {
  const at = args.indexOf(flag);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const top = Number(option('--top') ?? 25);
const callers = option('--callers');
for (const file of args) process.stdout.write(`${callers ? callersOf(file, callers, top) : summarise(file, top)}\n`);
