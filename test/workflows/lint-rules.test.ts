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

  // Layer rules (docs/architecture.md, "Layers"; eslint.config.js layerZones and adapterFiles).
  const layerRule = 'import-x/no-restricted-paths';

  it('storage/ importing pipelines/ fails lint (storage imports nothing internal)', async () => {
    const ids = await ruleIds(
      "import { type RecordContext } from '../pipelines/ingest/record.js';\nexport type X = RecordContext;\n",
      'storage/keys.ts',
    );
    assert.ok(ids.includes(layerRule), ids.join(', '));
  });

  it('pipelines/ importing model/ or workflows/ fails lint', async () => {
    const fromModel = await ruleIds(
      "export { modelConfig } from '../../model/config.js';\n",
      'pipelines/curate/plan.ts',
    );
    assert.ok(fromModel.includes(layerRule), fromModel.join(', '));
    const fromWorkflows = await ruleIds(
      "export { TASK_QUEUES } from '../../workflows/config.js';\n",
      'pipelines/curate/plan.ts',
    );
    assert.ok(fromWorkflows.includes(layerRule), fromWorkflows.join(', '));
  });

  it('bench/ importing a test helper fails lint; the moved helper under workflows/dev/ is fine', async () => {
    const ids = await ruleIds("export { startTemporal } from '../test/helpers/temporal.js';\n", 'bench/run.ts');
    assert.ok(ids.includes(layerRule), ids.join(', '));
    assert.deepEqual(await ruleIds("export { startMinio } from '../workflows/dev/minio.js';\n", 'bench/run.ts'), []);
  });

  it('a pure pipelines/ file that imports node:fs, sharp, undici or the image addon fails lint', async () => {
    for (const code of [
      "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
      "import sharp from 'sharp';\nexport const s = sharp;\n",
      "import { request } from 'undici';\nexport const r = request;\n",
      "import { isJpeg } from '../../native/image/index.js';\nexport const j = isJpeg;\n",
    ]) {
      const ids = await ruleIds(code, 'pipelines/curate/plan.ts');
      assert.ok(ids.includes('no-restricted-imports'), `${code}: ${ids.join(', ')}`);
    }
  });

  it('the same imports are fine in a named adapter file and in storage/', async () => {
    const code =
      "import sharp from 'sharp';\nimport { readFile } from 'node:fs/promises';\nexport const s = [sharp, readFile];\n";
    assert.deepEqual(await ruleIds(code, 'pipelines/ingest/image.ts'), []);
    assert.deepEqual(await ruleIds(code, 'model/eval/preprocess.ts'), []);
    assert.deepEqual(
      await ruleIds("import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", 'storage/keys.ts'),
      [],
    );
  });

  it('model/ may use the native kernels and pipelines/, but not read files outside its adapters', async () => {
    const ok =
      "export { tryRegisterNativeKernels } from '../native/index.js';\nexport { mulberry32 } from '../pipelines/random.js';\n";
    assert.deepEqual(await ruleIds(ok, 'model/flops.ts'), []);
    const ids = await ruleIds(
      "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
      'model/flops.ts',
    );
    assert.ok(ids.includes('no-restricted-imports'), ids.join(', '));
  });
});
