#!/usr/bin/env node
// `npm start`: builds the TypeScript, then runs the launcher in this same process. The npm
// script execs this file, so no shell stands between npm and the launcher: the SIGTERM or SIGINT
// npm passes on to its child (what Docker, systemd and CI send) reaches the launcher itself.
// Plain JavaScript, because it runs before anything is compiled.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const json = process.env.LOG_FORMAT === 'json' || (!process.stdout.isTTY && process.env.LOG_FORMAT !== 'pretty');
const say = (msg) =>
  process.stdout.write(
    json
      ? `${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'launcher', msg })}\n`
      : `${process.env.NO_COLOR ? '' : '\u001b[1m'}▸ ${msg}${process.env.NO_COLOR ? '' : '\u001b[0m'}\n`,
  );

say('building…');
const began = Date.now();
// the TypeScript and then the pages (web/), as `npm run build` does, without a shell in between
const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-b'], { cwd: root, stdio: 'inherit' });
let step = tsc;
const forward = (signal) => step.kill(signal);
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const signal of signals) process.on(signal, forward);
const finished = (next) => (code, signal) => {
  if (code === 0) return next();
  for (const s of signals) process.off(s, forward);
  say(signal ? `build stopped (${signal})` : `build failed (exit code ${code})`);
  process.exit(code ?? 1);
};
tsc.on('exit', finished(() => {
  // vite exports no path to its command; npm puts it in web's node_modules or, hoisted, the root's
  const vite = [join(root, 'web'), root].map((dir) => join(dir, 'node_modules', 'vite', 'bin', 'vite.js')).find((file) => existsSync(file));
  if (!vite) {
    say('the pages cannot be built: vite is not installed (run npm ci)');
    process.exit(1);
  }
  step = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: join(root, 'web'), stdio: 'inherit' });
  step.on('exit', finished(() => {
    for (const s of signals) process.off(s, forward);
    say(`built in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    require('./dist/main.js');
  }));
}));
