import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stopEverything } from './cleanup';
import { raiseOpenFilesLimit } from './limits';
import { parseArgs } from './options';
import { benchRoot } from './paths';
import { formatMarkdown, formatTable } from './report/table';
import { runBench } from './run';

/** `npm run bench`: runs the scenarios, prints the table, writes bench/results/latest.json. */
async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2), join(benchRoot, 'results', 'latest.json'));
  const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  log(raiseOpenFilesLimit(200_000));
  const result = await runBench({ profile: options.profile, only: options.only, cpuProfDir: options.cpuProfDir, log });
  const { machine } = result;
  process.stdout.write(
    `\n${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, ` +
      `commit ${machine.commit}, ${options.profile.quick ? 'quick' : 'full'} run in ${result.durationSeconds} s\n\n${formatTable(result.rows)}\n`,
  );
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = options.out.replace(/\.json$/, '') + '.md';
  writeFileSync(markdown, `${formatMarkdown(result.rows)}\n`);
  log(`results written to ${options.out} and ${markdown} (the table for docs/benchmarks.md)`);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: a repeated signal must not kill the harness before its clean-up ran.
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the services and infrastructure the bench started\n`);
    stopEverything().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (interrupted) return; // the signal handler exits once its clean-up is done
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
