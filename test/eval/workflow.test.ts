// evaluateWorkflow on a real Temporal dev server: a training run's newest committed checkpoint (sigforge layout,
// compact Gemma vocabulary) × two emoji suites, results and summary on storage, and a rerun that reuses results.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it, mock } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { selectBackend } from '../../model/backend.js';
import { parseModelConfig, modelConfig } from '../../model/config.js';
import { ParamStore, towerSpecs } from '../../model/params.js';
import { encodeSafetensors, type HostTensor } from '../../model/safetensors.js';
import { CompactVocab, loadGemmaTokenizer, siglipTokens } from '../../model/tokenizer.js';
import { selectEmoji } from '../../pipelines/eval/emoji-bench.js';
import { Command } from 'commander';
import { register as registerEval } from '../../workflows/cli/commands/eval.js';
import { addGlobalOptions } from '../../workflows/cli/context.js';
import { createEvalActivities } from '../../workflows/eval/activities.js';
import { createEvalSchedule } from '../../workflows/eval/schedule.js';
import { listSchedules } from '../../workflows/schedules/schedule.js';
import { type EvaluateResult } from '../../workflows/eval/shared.js';
import { startTemporal } from '../helpers/temporal.js';
import { tempStore } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('../../workflows/eval/workflows.ts', import.meta.url));
const EMOJI = { languages: ['en', 'de'], maxClasses: 6 };

/** Writes a committed sigforge checkpoint of a random tiny model under `<run>/stages/main/checkpoints/step-N`. */
async function writeCheckpoint(run: string, step: number, vocabSize: number, seed: number): Promise<void> {
  const config = parseModelConfig({ ...modelConfig('tiny'), text: { ...modelConfig('tiny').text, vocabSize } });
  const params = ParamStore.init(towerSpecs(config), seed);
  const host = new Map<string, HostTensor>();
  for (const [name, v] of params.vars) host.set(name, { dtype: 'float32', shape: v.shape, data: (await v.data()) as Float32Array });
  params.dispose();
  const dir = path.join(run, 'stages', 'main', 'checkpoints', `step-${String(step).padStart(7, '0')}`);
  mkdirSync(dir, { recursive: true });
  const weights = encodeSafetensors(host);
  writeFileSync(path.join(dir, 'model.safetensors'), weights);
  const sha256 = createHash('sha256').update(weights).digest('hex');
  const meta = { format: 'sigforge-checkpoint', version: 1, stage: 'main', step, model: config, files: { 'model.safetensors': { bytes: weights.byteLength, sha256 } } };
  writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(meta));
}

describe('evaluateWorkflow on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let tmp: ReturnType<typeof tempStore>;
  let run: string;
  before(async () => {
    await selectBackend('wasm');
    env = await startTemporal();
    tmp = tempStore();
    run = path.join(tmp.root, 'runs', 'r1');
    mkdirSync(run, { recursive: true });
    // The run's compact vocabulary: Gemma ids of every benchmark caption (what the training text pipe would write).
    const gemma = await loadGemmaTokenizer();
    const sel = selectEmoji(EMOJI);
    const texts = [...sel.names.values()].flatMap((m) => [...m.values()]);
    const vocab = CompactVocab.fromSequences(texts.map((t) => siglipTokens(gemma, `an emoji of ${t}.`, 16)), 1024);
    writeFileSync(path.join(run, 'vocab.json'), JSON.stringify(vocab.toJSON()));
    await writeCheckpoint(run, 1, 1024, 1);
    await writeCheckpoint(run, 2, 1024, 2);
    // An uncommitted newer step (no checkpoint.json) must be ignored.
    mkdirSync(path.join(run, 'stages', 'main', 'checkpoints', 'step-0000003'), { recursive: true });
  });
  after(async () => {
    await env?.teardown();
    tmp?.cleanup();
  });

  it('evaluates the newest committed checkpoint on each suite, then reuses the results', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'eval',
      workflowsPath,
      activities: createEvalActivities({ store: tmp.store, backend: 'wasm' }),
    });
    const input = { models: [pathToFileURL(run).href], suites: ['emoji-zeroshot', 'emoji-rb'], emoji: EMOJI, out: 'eval/runs/test' };
    const [first, second] = await worker.runUntil(async () => {
      const a: EvaluateResult = await env.client.workflow.execute('evaluateWorkflow', { taskQueue: 'eval', workflowId: 'eval-1', args: [input] });
      // The rerun evaluates one job per run: it continues as new once and returns the same results.
      const hb = await env.client.workflow.start('evaluateWorkflow', { taskQueue: 'eval', workflowId: 'eval-2', args: [{ ...input, jobsPerRun: 1 }] });
      const b: EvaluateResult = await hb.result();
      assert.notEqual((await env.client.workflow.getHandle('eval-2').describe()).runId, hb.firstExecutionRunId, 'continued as new');
      return [a, b];
    });
    assert.equal(first.results.length, 2);
    // The recorded history replays against the current workflow code (determinism).
    await Worker.runReplayHistory({ workflowsPath }, await env.client.workflow.getHandle('eval-1').fetchHistory(), 'eval-1');
    for (const r of first.results) {
      assert.match(r.modelUri, /stages\/main\/checkpoints\/step-0000002$/);
      assert.equal(r.reused, false);
      const body = JSON.parse(new TextDecoder().decode(await tmp.store.get(r.resultUri.slice(pathToFileURL(tmp.root).href.length + 1)))) as {
        per_language: object;
        code_version: string;
        dataset: { ref: string };
      };
      assert.deepEqual(Object.keys(body.per_language).sort(), ['de', 'en']);
      assert.equal(body.code_version, 'sigforge-eval/1');
      assert.match(body.dataset.ref, /^emoji-bench@facebook-/);
    }
    assert.deepEqual(first.results.map((r) => r.suite), ['emoji-zeroshot', 'emoji-rb']);
    const rb = first.results.find((r) => r.suite === 'emoji-rb')!;
    assert.ok(rb.metrics.rb! >= 0 && rb.metrics.rb! <= 0.5);
    assert.ok(second.results.every((r) => r.reused), 'the rerun reuses every result');
    assert.deepEqual(second.results.map((r) => r.metrics), first.results.map((r) => r.metrics));
    const summary = JSON.parse(new TextDecoder().decode(await tmp.store.get('eval/runs/test/summary.json'))) as { results: unknown[] };
    assert.equal(summary.results.length, 2);
  });

  it('sigforge eval --wait prints a results table; a schedule evaluates the newest checkpoint when triggered', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'eval',
      workflowsPath,
      activities: createEvalActivities({ store: tmp.store, backend: 'wasm' }),
    });
    await worker.runUntil(async () => {
      const program = addGlobalOptions(new Command('sigforge')).exitOverride();
      registerEval(program);
      const lines: string[] = [];
      const log = mock.method(console, 'log', (...a: unknown[]) => lines.push(a.join(' ')));
      const err = mock.method(console, 'error', () => undefined);
      try {
        await program.parseAsync(
          ['eval', '--model', run, '--suite', 'emoji-zeroshot', '--languages', 'en,de', '--max-classes', '6', '--wait', '--temporal-address', env.address, '--root', pathToFileURL(tmp.root).href],
          { from: 'user' },
        );
      } finally {
        log.mock.restore();
        err.mock.restore();
      }
      const out = lines.join('\n');
      assert.match(out, /^model\s+suite\s+metrics/m);
      assert.match(out, /r1 \(main, step 2\)\s+emoji-zeroshot\s+top1 \d+\.\d%\s+top5 \d+\.\d%/);
      assert.match(out, /summary: file:\/\//);

      const id = await createEvalSchedule(env.client, { scheduleId: 'eval-nightly', every: '1d', input: { models: [pathToFileURL(run).href], suites: ['emoji-rb'], emoji: EMOJI } });
      assert.ok((await listSchedules(env.client)).some((s) => s.id === id && s.workflowType === 'evaluateWorkflow'));
      const handle = env.client.schedule.getHandle(id);
      await handle.trigger();
      let started: string | undefined;
      for (let i = 0; i < 100 && !started; i++) {
        const d = await handle.describe();
        started = d.info.recentActions[0]?.action.workflow.workflowId;
        if (!started) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(started, 'the schedule started a workflow');
      const result = (await env.client.workflow.getHandle(started).result()) as EvaluateResult;
      assert.match(result.results[0]!.modelUri, /step-0000002$/);
      await handle.delete();
      await assert.rejects(createEvalSchedule(env.client, { scheduleId: 'x', every: 'daily', input: { models: [run], suites: ['emoji'] } }), /--every.*"daily"/);
    });
  });

  it('bad input fails the workflow without retries, naming the problem', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'eval',
      workflowsPath,
      activities: createEvalActivities({ store: tmp.store, backend: 'wasm' }),
    });
    await worker.runUntil(async () => {
      await assert.rejects(
        env.client.workflow.execute('evaluateWorkflow', { taskQueue: 'eval', workflowId: 'eval-bad', args: [{ models: [run], suites: ['imagenet'] }] }),
        (e: unknown) => {
          let c: unknown = e;
          while (c instanceof Error && !(c instanceof ApplicationFailure)) c = c.cause;
          assert.ok(c instanceof ApplicationFailure, 'an ApplicationFailure is in the cause chain');
          assert.equal(c.type, 'EvalConfigError');
          assert.equal(c.nonRetryable, true);
          assert.match(c.message, /suite "imagenet" is not a built-in suite \(emoji-zeroshot/);
          return true;
        },
      );
    });
  });
});
