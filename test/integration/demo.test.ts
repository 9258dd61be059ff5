// `sigforge demo` end to end on a small slice of the corpus: real loopback HTTP ingestion, curation, training,
// evaluation and the report on an embedded Temporal dev server with worker processes; then a rerun that reuses it all.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runDemo, type DemoOptions } from '../../workflows/demo/run-demo.js';
import { freePort } from '../../workflows/dev/ports.js';

describe('sigforge demo (small slice)', () => {
  it('runs every stage, and a rerun fetches nothing and trains nothing again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-demo-'));
    const lines: string[] = [];
    const opts: DemoOptions = {
      dir,
      minutes: 0.05,
      every: 200,
      evalClasses: 3,
      httpPort: await freePort(),
      temporalPort: await freePort(),
      uiPort: await freePort(),
      log: (l) => lines.push(l),
    };
    const first = await runDemo(opts);
    const { ingest, curate, train, evaluate } = first.result;
    assert.equal(ingest.rows, 29);
    assert.equal(ingest.ok, ingest.rows, 'every image came over HTTP and decoded');
    assert.equal(first.imageRequests, ingest.rows);
    assert.ok(curate.rowsOut > 0 && curate.rowsOut <= curate.rowsIn);
    assert.ok(train.stages.length > 0 && train.stages.every((s) => s.finished));
    const tasks = evaluate.results.map((r) => r.task).sort();
    assert.deepEqual(tasks, ['association_bias', 'representation_bias', 'retrieval', 'zeroshot']);
    const zs = evaluate.results.find((r) => r.task === 'zeroshot')!;
    assert.ok(zs.metrics.top1! >= 0 && zs.metrics.top1! <= 1);
    assert.ok(existsSync(first.reportPath));
    assert.match(readFileSync(first.reportPath, 'utf8'), /<svg|<img/);
    assert.ok(readdirSync(path.join(path.dirname(first.reportPath), 'charts')).some((f) => f.endsWith('.png')));
    assert.ok(lines.some((l) => l.startsWith('✓ train')), lines.join('\n'));

    const second = await runDemo({ ...opts, log: () => undefined });
    assert.equal(second.imageRequests, 0, 'nothing re-downloaded');
    assert.equal(second.result.ingest.version, ingest.version);
    assert.equal(second.result.curate.version, curate.version);
    assert.deepEqual(
      second.result.train.stages.map((s) => [s.stage, s.step]),
      train.stages.map((s) => [s.stage, s.step]),
      'training not redone',
    );
    assert.deepEqual(
      second.result.evaluate.results.map((r) => r.reused),
      evaluate.results.map(() => true),
      'evaluation results reused',
    );
  });
});
