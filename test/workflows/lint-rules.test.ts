// The house rules that lint enforces must really fail code that breaks them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint rules', () => {
  it('a workflow file that imports node:fs fails lint', async () => {
    const ids = await ruleIds(
      "import { readFileSync } from 'node:fs';\nexport async function w(): Promise<string> {\n  return readFileSync('x', 'utf8');\n}\n",
      'workflows/smoke/workflows.ts',
    );
    assert.ok(ids.includes('no-restricted-imports') || ids.includes('import-x/no-nodejs-modules'), ids.join(', '));
  });

  it('the same import is fine in an activity file', async () => {
    const ids = await ruleIds(
      "import { readFileSync } from 'node:fs';\nexport async function a(): Promise<string> {\n  return readFileSync('x', 'utf8');\n}\n",
      'workflows/smoke/activities.ts',
    );
    assert.deepEqual(ids, []);
  });

  it('a floating promise fails lint', async () => {
    const ids = await ruleIds(
      'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n',
      'workflows/smoke/activities.ts',
    );
    assert.ok(ids.includes('@typescript-eslint/no-floating-promises'), ids.join(', '));
  });
});
