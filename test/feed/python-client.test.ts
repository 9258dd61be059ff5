// The Python client (clients/python) against live batch servers on loopback: its unittest suite runs in the venv
// `scripts/setup python` creates (.tools/python, numpy + pyarrow). A missing venv fails the test, never skips it.
// The torch tests (clients/python/tests/test_torch.py) run too when SIGFORGE_TEST_TORCH=1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type LoaderConfigInput, parseLoaderConfig } from '../../pipelines/loader/config.js';
import { type FeedServer, startFeedServer } from '../../pipelines/feed/server.js';
import { openStore } from '../../storage/index.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';

// SIGFORGE_TEST_PYTHON picks another interpreter (e.g. a venv with torch for SIGFORGE_TEST_TORCH=1).
const PYTHON = process.env.SIGFORGE_TEST_PYTHON ?? path.resolve('.tools/python/bin/python');
const LEN = 8;
const tokenize = (texts: readonly string[]): Int32Array => {
  const out = new Int32Array(texts.length * LEN);
  texts.forEach((t, i) => [...t].slice(0, LEN).forEach((ch, j) => (out[i * LEN + j] = ch.codePointAt(0)! % 1000)));
  return out;
};

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, cwd: path.resolve('clients/python') });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, output }));
  });
}

describe('python client', () => {
  let dir: string;
  const servers: FeedServer[] = [];
  const urls: Record<string, string> = {};
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-pyfeed-'));
    const store = openStore(pathToFileURL(dir).href);
    const shards = (await writeEmojiDataset(store, { rows: 40, shards: 2, rowGroupRows: 6, weighted: true })).shardKeys;
    const configs: [string, LoaderConfigInput, 'float32' | 'uint8'][] = [
      ['FEED_EPOCH_URL', { batchSize: 1, resolution: { kind: 'fixed', size: 8 }, windowGroups: 2, flip: true }, 'float32'],
      ['FEED_FIXED_URL', { batchSize: 4, resolution: { kind: 'fixed', size: 16 }, windowGroups: 2 }, 'uint8'],
      ['FEED_NAFLEX_URL', { batchSize: 4, resolution: { kind: 'naflex', patchSize: 4, seqLens: [16, 36] }, windowGroups: 2 }, 'float32'],
    ];
    for (const [name, cfg, pixels] of configs) {
      const spec = { data: 'emoji@v1', config: parseLoaderConfig(cfg), tokenizer: { name: 'test-codepoints', vocabSize: 1000, length: LEN }, pixels };
      const server = await startFeedServer({ store, shards, spec, tokenize, seed: 11, rank: 0, worldSize: 1 });
      servers.push(server);
      urls[name] = server.url;
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes its numpy/pyarrow tests: two ranks cover the epoch, kill + resume is exact, bad tokens are refused', async (t) => {
    assert.ok(existsSync(PYTHON), `${PYTHON} is missing: run \`bash scripts/setup python\` (creates the numpy + pyarrow venv)`);
    const modules = ['tests.test_stream', ...(process.env.SIGFORGE_TEST_TORCH === '1' ? ['tests.test_torch'] : [])];
    const { code, output } = await run(PYTHON, ['-m', 'unittest', '-v', ...modules], { ...urls, PYTHONPATH: path.resolve('clients/python') });
    assert.equal(code, 0, output);
    assert.match(output, /\nOK\n?$/, output);
    assert.doesNotMatch(output, /skipped/, output);
    const ran = /Ran (\d+) tests?/.exec(output);
    assert.ok(ran && Number(ran[1]) >= 3 + modules.length, output);
    t.diagnostic(`python: ${ran[0]} (${modules.join(', ')})`);
  });
});
