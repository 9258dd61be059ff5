// Builds the optional native addons with node-gyp: the BLAS kernels (native/build/Release/sigforge_native.node),
// then the image fast path (native/image/build/Release/sigforge_image.node); each builds or is skipped alone.
// Never fails the install: without a compiler, Node headers or OpenBLAS it prints why and exits 0,
// and tryRegisterNativeKernels() then reports enabled:false. Never downloads anything: it builds only
// against Node headers already on this machine (a Debian/Nodesource install's <prefix>/include/node,
// or node-gyp's cache), so no header download is attempted.
// Usage: node native/build.mjs   (SIGFORGE_NATIVE=0 skips both builds, SIGFORGE_NATIVE_IMAGE=0 the image addon)
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const skip = (why) => {
  console.warn(`sigforge native addons not built: ${why}. TensorFlow.js runs with its own kernels, images with sharp.`);
  process.exit(0);
};

if (['0', 'false', 'off'].includes((process.env.SIGFORGE_NATIVE ?? '').toLowerCase())) skip('SIGFORGE_NATIVE is off');

/** Node's headers on this machine: --nodedir for node-gyp, or null to use node-gyp's cache (checked present). */
function findNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  const version = process.versions.node;
  const caches = [
    process.env.npm_config_devdir,
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'node-gyp'),
    path.join(homedir(), '.node-gyp'),
  ].filter(Boolean);
  for (const dir of caches) {
    if (existsSync(path.join(dir, version, 'include', 'node', 'node_api.h'))) return path.join(dir, version);
  }
  return null;
}

/** node-gyp's entry: npm's own copy (set while npm runs scripts), else the one bundled next to node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.resolve(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ].filter(Boolean);
  return candidates.find((c) => existsSync(c)) ?? null;
}

const nodeDir = findNodeDir();
if (!nodeDir)
  skip(
    `no Node ${process.versions.node} headers on this machine (looked in <node prefix>/include/node and node-gyp's cache)`,
  );
const nodeGyp = findNodeGyp();
if (!nodeGyp) skip('node-gyp not found (it ships with npm)');

/** Runs node-gyp in `dir`; a failure removes the half-built tree and prints why, never failing the install. */
function build(dir, built, hint, fallback) {
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--directory', dir], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, JOBS: process.env.JOBS ?? '2' },
  });
  if (result.status !== 0) {
    // A half-built tree must not look like a build.
    rmSync(path.join(dir, 'build'), { recursive: true, force: true });
    console.warn(`sigforge native addon ${built} not built: node-gyp failed (exit ${result.status ?? result.signal}); ${hint}. ${fallback}.`);
    return;
  }
  console.warn(`sigforge native addon built: ${path.join(dir, 'build', 'Release', built)}`);
}

build(
  here,
  'sigforge_native.node',
  'install libopenblas-dev and a C++ compiler (g++, make, python3), then run: node native/build.mjs',
  'TensorFlow.js runs with its own kernels',
);
if (['0', 'false', 'off'].includes((process.env.SIGFORGE_NATIVE_IMAGE ?? '').toLowerCase())) {
  console.warn('sigforge native image addon not built: SIGFORGE_NATIVE_IMAGE is off. Images go through sharp.');
} else {
  build(
    path.join(here, 'image'),
    'sigforge_image.node',
    'install libjpeg62-turbo-dev and a C compiler (gcc, make, python3), then run: node native/build.mjs',
    'Images go through sharp',
  );
}
