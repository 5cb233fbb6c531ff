#!/usr/bin/env node
// Entry point. Plain JavaScript so that an old Node gets a clear message instead of a syntax error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`opsbot needs Node.js 22.18 or newer (this is ${process.version}). ` + 'Run it through npm (npm start, npx opsbot), which uses the Node.js 24 installed by npm ci.');
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
