// Lint rules the house style depends on (STYLE.md §Our house rules, 2 and 13).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Files that Temporal bundles into the deterministic workflow sandbox. */
export const workflowFiles = ['workflows/**/workflows.ts', 'workflows/**/*.workflow.ts', 'workflows/**/shared.ts'];

/**
 * Which layer may import which (docs/architecture.md, "Layers"): each zone forbids `target` files to import `from`.
 * Lower layers never import higher ones; nothing but tests imports test/.
 */
export const layerZones = [
  {
    target: './storage',
    from: ['./pipelines', './model', './workflows', './native', './bench', './scripts', './test'],
  },
  {
    target: './native',
    from: ['./pipelines', './model', './workflows', './storage', './bench', './scripts', './test'],
  },
  { target: './pipelines', from: ['./model', './workflows', './bench', './scripts', './test'] },
  { target: './model', from: ['./workflows', './bench', './scripts', './test'] },
  { target: './workflows', from: ['./bench', './scripts', './test'] },
  {
    target: ['./bench', './scripts', './bin'],
    from: './test',
    message: 'Shared helpers live outside test/ (workflows/dev/).',
  },
];

/**
 * The named adapter files of pipelines/ and model/: the only ones there that may reach the network, the file
 * system, image codecs or native addons. Everything else in those layers is pure logic over values and the
 * storage/ interfaces passed in.
 */
export const adapterFiles = [
  'pipelines/ingest/fetcher.ts', // undici: HTTP
  'pipelines/ingest/ssrf.ts', // node:dns, node:net: the guarded lookup
  'pipelines/ingest/address.ts', // node:net isIP
  'pipelines/ingest/image.ts', // sharp, native/image: decode and re-encode
  'pipelines/ingest/hash.ts', // sharp: dHash pixels
  'pipelines/ingest/lang.ts', // cld3-asm: the language-ID wasm module
  'pipelines/ingest/sources/io.ts', // node:fs: local source files
  'pipelines/eval/emoji-data.ts', // node:fs: emoji images and CLDR names from npm packages
  'pipelines/loader/images.ts', // sharp, native/image: training-time decode and augmentation
  'model/eval/preprocess.ts', // sharp: evaluation pre-processing
];

/** Imports that make a file an adapter (I/O, codecs, native code). */
const adapterImports = {
  paths: ['node:fs', 'node:fs/promises', 'node:net', 'node:dns', 'node:http', 'node:https', 'node:child_process']
    .concat(['sharp', 'undici', 'cld3-asm'])
    .map((name) => ({
      name,
      message: 'I/O belongs in storage/ or in a named adapter file (eslint.config.js adapterFiles).',
    })),
  patterns: [
    { group: ['**/native/image/*'], message: 'The image addon is used by the adapter files only (adapterFiles).' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'test/fixtures/', 'native/build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })] },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] },
            { from: 'package', package: 'node:test', name: ['beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { maxDepth: 8 }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'no-console': 'error',
    },
  },
  {
    // The CLI, scripts and benchmarks talk to people on the terminal.
    files: ['workflows/cli/**', 'scripts/**', 'bench/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // pipelines/ is pure logic plus named adapters; model/ may use native kernels but no I/O outside its adapters.
    files: ['pipelines/**/*.ts', 'model/**/*.ts'],
    ignores: adapterFiles,
    rules: { 'no-restricted-imports': ['error', adapterImports] },
  },
  {
    files: workflowFiles,
    rules: {
      // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins.
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['node:*'], message: 'Workflow files run in the Temporal sandbox: no Node built-ins.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
