import { parseOptions, USAGE } from './options';
import { renderDetails, renderTable } from './report';
import { killTagged, tagRun } from './lib/processes';
import { provideServers } from './lib/servers';
import { scenarios, type ScenarioResult } from './scenarios';

/**
 * `npm run chaos [-- --quick] [-- --only name[,name]]`: plays every fault scenario against the
 * real services (as processes, on a private nats-server and Postgres), prints the table, and
 * exits non-zero when any scenario lost or duplicated anything or broke another guarantee.
 */
const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), scenarios.map((s) => s.name));
  if (options.help) {
    print(USAGE);
    return 0;
  }
  tagRun();
  const provided = await provideServers();
  print(`chaos: ${options.quick ? 'quick' : 'full'} size; servers: ${provided.source}`);
  const results: Array<ScenarioResult & { durationMs: number }> = [];
  try {
    for (const scenario of scenarios.filter((s) => options.only.length === 0 || options.only.includes(s.name))) {
      print(`\n▶ ${scenario.name}: ${scenario.title}`);
      const startedAt = Date.now();
      const result = await scenario
        .run({ servers: provided.servers, log: print }, options.quick ? scenario.sizes.quick : scenario.sizes.full)
        .catch((error: unknown) => crashed(scenario.name, error));
      results.push({ ...result, durationMs: Date.now() - startedAt });
      print(`  ${result.failures.length === 0 ? 'PASS' : 'FAIL'} sent ${result.sent}, lost ${result.lost}, duplicated ${result.duplicated}`);
    }
  } finally {
    await provided.close();
  }
  print(`\n${renderTable(results)}\n\n${renderDetails(results)}`);
  return results.some((r) => r.failures.length > 0 || r.lost > 0 || r.duplicated > 0) ? 1 : 0;
}

function crashed(name: string, error: unknown): ScenarioResult {
  const message = error instanceof Error ? error.stack ?? error.message : String(error);
  return { name, sent: 0, lost: 0, duplicated: 0, maxRecoveryMs: null, failures: [`the scenario itself failed: ${message.split('\n').slice(0, 4).join(' | ')}`], notes: [] };
}

// Children run in their own process groups: whatever way this process ends, they end too.
process.on('exit', () => killTagged());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    print(`\n${signal}: stopping every process this run started`);
    killTagged();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`chaos failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
