#!/usr/bin/env node
// Entry point of the `sigforge` binary. Runs the built CLI when `npm run build` has produced dist/,
// else the TypeScript sources through tsx, so `npm ci && npx sigforge …` works without a build step.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

// libuv's pool runs file I/O, sharp and the native JPEG jobs; its default of 4 threads leaves cores idle on bigger
// workers. Read once, when the pool first starts, so it is set before anything else runs (children inherit it).
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const built = fileURLToPath(new URL('../dist/workflows/cli/main.js', import.meta.url));
if (existsSync(built) && process.env.SIGFORGE_FROM_SOURCE !== '1') {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../workflows/cli/main.ts', import.meta.url).href);
}
