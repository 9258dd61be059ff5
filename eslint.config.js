// Lint rules the house style depends on (STYLE.md §Our house rules, 2 and 13).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Files that Temporal bundles into the deterministic workflow sandbox. */
export const workflowFiles = ['workflows/**/workflows.ts', 'workflows/**/*.workflow.ts', 'workflows/**/shared.ts'];

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
      'no-console': 'error',
    },
  },
  {
    // The CLI, scripts and benchmarks talk to people on the terminal.
    files: ['workflows/cli/**', 'scripts/**', 'bench/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: workflowFiles,
    rules: {
      // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins.
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'Workflow files run in the Temporal sandbox: no Node built-ins.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
