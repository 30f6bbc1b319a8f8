#!/usr/bin/env node
// Generates each service's Prisma client after `npm ci`.
// `prisma generate` only needs the schema engine path to exist (it is not executed), and would
// otherwise try to download the engine, which fails on machines that reach only the npm registry.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const prismaCli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!fs.existsSync(prismaCli)) {
  console.log('prisma-generate: prisma CLI not installed (production install?), skipping');
  process.exit(0);
}
const servicesDir = path.join(root, 'services');
const services = fs.readdirSync(servicesDir).filter((name) =>
  fs.existsSync(path.join(servicesDir, name, 'prisma', 'schema.prisma')),
);
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
for (const name of services) {
  const cwd = path.join(servicesDir, name);
  console.log(`prisma-generate: ${name}`);
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/schema.prisma'], {
    cwd,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
