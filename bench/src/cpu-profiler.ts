import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname, join } from 'node:path';

/**
 * Preloaded into service processes (`NODE_OPTIONS=--require …/cpu-profiler.js`; Node 20 refuses
 * --cpu-prof in NODE_OPTIONS) when the bench runs with `--cpu-prof <dir>`. Each SIGUSR2 starts or
 * ends a profile, so the harness profiles measurement windows only:
 * `<BENCH_CPU_PROF_DIR>/<service>-<pid>-w<n>.cpuprofile`. A window still open at exit is written too.
 */
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  const service = basename(dirname(dirname(process.argv[1] ?? 'node/dist/x')));
  let window = 0;
  let running = false;
  // A same-thread inspector session answers synchronously, so this also works inside 'exit'.
  const stop = () => {
    if (!running) return;
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${service}-${process.pid}-w${window}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on('SIGUSR2', () => {
    if (running) return stop();
    window += 1;
    running = true;
    session.post('Profiler.start');
  });
  process.on('exit', stop);
}
