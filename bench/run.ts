// Benchmark dispatcher: `npm run bench -- <name> [args…]` runs bench/<name>.ts.
// Each benchmark prints progress to stderr and, last on stdout, one JSON object (its output contract).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !existsSync(path.join(here, `${name}.ts`)) || name === 'run') {
  console.error(`usage: npm run bench -- <name> [args]; benchmarks: ${available.join(', ') || '(none yet)'}`);
  process.exit(1);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
  default: (args: string[]) => Promise<unknown>;
};
const result = await mod.default(args);
console.log(JSON.stringify(result));
