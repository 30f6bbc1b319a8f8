import { fromRoot, readText } from './repo';

export interface Instruction {
  keyword: string;
  args: string;
  /** Here-document bodies attached to the instruction, by their delimiter. */
  heredocs: Record<string, string>;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export const dockerfilePath = fromRoot('Dockerfile');

/** Splits the Dockerfile into stages; continuation lines are joined, here-documents collected. */
export function parseDockerfile(text = readText(dockerfilePath)): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.split('\n');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\')) line = `${line.slice(0, -1)} ${lines[++i] ?? ''}`;
    const [, keyword, rest] = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line) ?? [];
    if (!keyword) throw new Error(`Dockerfile:${i + 1}: cannot parse ${line}`);
    const instruction: Instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ').trim(), heredocs: {} };
    for (const m of rest.matchAll(/<<-?'?([A-Z]+)'?/g)) {
      const body: string[] = [];
      while (lines[++i] !== undefined && lines[i] !== m[1]) body.push(lines[i]);
      instruction.heredocs[m[1]] = `${body.join('\n')}\n`;
    }
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({ name: name ?? String(stages.length), from: resolveArgs(from, args), instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = instruction.args.split('=');
      args[name] = value;
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

const resolveArgs = (text: string, args: Record<string, string>) =>
  text.replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => args[name] ?? `<unset ${name}>`);

/** A stage with its ancestors' instructions first, as the image built from it has them. */
export function effectiveInstructions(stages: Stage[], name: string): Instruction[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage ${name}`);
  const parent = stages.find((s) => s.name === stage.from);
  return [...(parent ? effectiveInstructions(stages, parent.name) : []), ...stage.instructions];
}

/** The value of the last instruction of a kind (CMD, USER, STOPSIGNAL ...) in effect for a stage. */
export function last(stages: Stage[], name: string, keyword: string): string | undefined {
  return effectiveInstructions(stages, name).filter((i) => i.keyword === keyword).at(-1)?.args;
}

/** ENV of a stage (and its ancestors): `ENV A=1 B=2` form only. */
export function envOf(stages: Stage[], name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of effectiveInstructions(stages, name).filter((x) => x.keyword === 'ENV')) {
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

/** A JSON-array (exec form) instruction argument, e.g. CMD ["node", "x.js"]. */
export function execForm(args: string | undefined): string[] {
  if (!args?.startsWith('[')) throw new Error(`expected exec form, got ${args}`);
  return JSON.parse(args) as string[];
}
