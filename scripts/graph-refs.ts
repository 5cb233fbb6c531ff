/**
 * Regenerates the reviewed reference images of the graph image test (test/graph-images.test.ts):
 * `npm run graphs:refs [name …]` renders each spec of test/fixtures/graphs/reference-specs.ts into
 * test/fixtures/graphs/<name>.png. Run it only after a deliberate change to how graphs look, then
 * look at every image it wrote before committing them: they are the reference.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderForecastGraph } from '../src/services/graph/index.ts';
import { REFERENCE_SPECS } from '../test/fixtures/graphs/reference-specs.ts';

const dir = fileURLToPath(new URL('../test/fixtures/graphs/', import.meta.url));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in REFERENCE_SPECS));
if (unknown.length > 0) {
  console.error(`unknown reference graph: ${unknown.join(', ')} (known: ${Object.keys(REFERENCE_SPECS).join(', ')})`);
  process.exit(2);
}
for (const [name, make] of Object.entries(REFERENCE_SPECS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const file = `${dir}${name}.png`;
  writeFileSync(file, await renderForecastGraph(make()));
  console.log(`wrote ${file}`);
}
