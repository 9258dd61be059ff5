// `sigforge demo`: the whole pipeline on embedded defaults — a loopback HTTP server for the corpus, an embedded
// Temporal dev server, worker processes for every queue, pipelineWorkflow, live progress, and the headline numbers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { parseModelConfig } from '../../model/config.js';
import { corpusJsonl, DEMO_LANGUAGES, demoCorpus, demoCorpusPackages } from '../../pipelines/demo/corpus.js';
import { connectClient } from '../connection.js';
import { startCorpusServer } from '../dev/corpus-server.js';
import { startDevServer, type DevServer } from '../dev/dev-server.js';
import { freePort } from '../dev/ports.js';
import { ensureTool } from '../dev/tools.js';
import type { PipelineInput, PipelineProgress, PipelineResult } from '../pipeline/shared.js';
import { PIPELINE_PROGRESS_QUERY } from '../pipeline/shared.js';
import { examplesForBudget, measureStepTime } from './calibrate.js';
import { DEMO_BATCH, DEMO_CURATE_CONFIG, DEMO_DISTILL, DEMO_EVAL, DEMO_MODEL, demoRunConfig } from './demo-config.js';
import { stageDetail } from '../progress.js';

/** Options of a demo run. */
export interface DemoOptions {
  /** Working folder (storage root, Temporal's SQLite file, logs); default `.sigforge/demo`. */
  dir: string;
  /** Training time budget in minutes. */
  minutes: number;
  /** Preferred ports (a busy one is replaced by a free one). */
  httpPort: number;
  temporalPort: number;
  uiPort: number;
  /** Use only every n-th corpus row (quick runs). */
  every: number;
  /** Classes of the emoji benchmark besides the occupation pairs (quick runs use few). */
  evalClasses: number;
  /** Where progress lines go. */
  log: (line: string) => void;
}

/** What the demo ends with. */
export interface DemoSummary {
  result: PipelineResult;
  /** Image requests the corpus server answered in this run (0 when ingestion was already done). */
  imageRequests: number;
  reportPath: string;
  uiUrl: string;
}

const bin = fileURLToPath(new URL('../../bin/sigforge.mjs', import.meta.url));
const WORKFLOW_ID = 'sigforge-demo';

async function portOr(preferred: number): Promise<number> {
  const free = await freePort();
  return (await isFree(preferred)) ? preferred : free;
}

async function isFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return await new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  writeFileSync(file, text);
}

/** Starts a `sigforge worker` process for some queues; resolves once it serves them. */
async function startWorker(address: string, root: string, queues: string, logFile: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [bin, 'worker', '--temporal-address', address, '--root', root, '--queues', queues, '--ssrf-allow', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIGFORGE_FROM_SOURCE: '1' } },
  );
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`worker (${queues}) did not start within 120 s; see ${logFile}`)), 120_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('serving')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker (${queues}) exited with code ${code}; see ${logFile}`));
    });
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** The run's size: decided once (from a measured step time) and kept, so a rerun resumes the same run. */
async function trainingExamples(dir: string, minutes: number, log: (l: string) => void): Promise<number> {
  const file = path.join(dir, 'train-size.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { examples: number; minutes: number };
    if (saved.minutes === minutes) return saved.examples;
  }
  log(`measuring training speed on this machine to fit ${minutes} minutes…`);
  const timing = await measureStepTime(parseModelConfig(DEMO_MODEL), DEMO_BATCH, DEMO_DISTILL);
  const examples = examplesForBudget(timing, minutes * 60, DEMO_BATCH, DEMO_DISTILL.at);
  log(
    `  ${timing.backend}: ${timing.baseStepS.toFixed(3)} s/step, ${timing.distillStepS?.toFixed(3)} s/step with distillation` +
      ` → ${examples} examples (${examples / DEMO_BATCH} steps of ${DEMO_BATCH})`,
  );
  writeFileSync(file, JSON.stringify({ examples, minutes, timing }, null, 2));
  return examples;
}

async function startOrAttach(client: Client, input: PipelineInput): Promise<WorkflowHandle> {
  try {
    return await client.workflow.start('pipelineWorkflow', {
      taskQueue: 'etl',
      workflowId: WORKFLOW_ID,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(WORKFLOW_ID);
    throw err;
  }
}

/** Polls the pipeline's progress and prints a line whenever it changes. */
async function watch(client: Client, handle: WorkflowHandle, log: (l: string) => void): Promise<PipelineResult> {
  const printed = new Set<string>();
  let lastLine = '';
  const done = handle.result() as Promise<PipelineResult>;
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    try {
      const p = await handle.query<PipelineProgress>(PIPELINE_PROGRESS_QUERY);
      for (const s of p.stages) {
        if (s.state === 'done' && !printed.has(s.stage)) {
          log(`✓ ${s.stage}: ${s.summary}`);
          printed.add(s.stage);
        }
      }
      const running = p.stages.find((s) => s.state === 'running');
      if (running) {
        const line = `[${running.stage}] ${await stageDetail(client, running.stage, running.workflowId, DEMO_BATCH)}`;
        if (line !== lastLine) log(`  ${line}`);
        lastLine = line;
      }
    } catch {
      // the workflow may not have run its first task yet
    }
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
  }
  return await done;
}

/** Runs the demo end to end and returns the pipeline's result. */
export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const { log } = opts;
  const dir = path.resolve(opts.dir);
  const dataDir = path.join(dir, 'data');
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const root = pathToFileURL(dataDir).href;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const corpus = demoCorpus().filter((_, i) => i % opts.every === 0);
    const server = await startCorpusServer(opts.httpPort);
    cleanups.push(() => server.close());
    const urls = path.join(dir, 'urls', `emoji-train-${server.baseUrl.replace(/\D+/g, '-').replace(/^-|-$/g, '')}.jsonl`);
    writeIfChanged(urls, corpusJsonl(corpus, server.baseUrl));
    const pkgs = Object.entries(demoCorpusPackages()).map(([p, v]) => `${p}@${v}`).join(', ');
    log(`corpus: ${corpus.length} emoji images × up to 25 languages' CLDR names (${pkgs}), served at ${server.baseUrl}`);

    ensureTool('temporal', log);
    const examples = await trainingExamples(dir, opts.minutes, log);

    let dev: DevServer;
    {
      const [port, uiPort] = [await portOr(opts.temporalPort), await portOr(opts.uiPort)];
      dev = await startDevServer({ port, uiPort, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'logs', 'temporal.log') });
      cleanups.push(() => dev.stop());
    }
    log(`Temporal dev server ${dev.address}; web UI ${dev.uiUrl}/namespaces/default/workflows/${WORKFLOW_ID}`);
    const workers = await Promise.all([
      startWorker(dev.address, root, 'etl,eval', path.join(dir, 'logs', 'worker-etl-eval.log')),
      startWorker(dev.address, root, 'train', path.join(dir, 'logs', 'worker-train.log')),
    ]);
    cleanups.push(async () => void (await Promise.all(workers.map(stopChild))));
    log(`workers: etl+eval and train (logs in ${path.join(dir, 'logs')}); storage ${root}`);

    const client = await connectClient({ address: dev.address, namespace: 'default', tls: false });
    cleanups.push(() => client.connection.close());
    const input: PipelineInput = {
      ingest: {
        source: urls,
        format: 'jsonl',
        sourceOptions: {
          urlColumn: 'url',
          captionColumns: ['caption', 'alt'],
          langColumn: 'lang',
          languages: [...DEMO_LANGUAGES],
        },
        root,
        name: 'emoji-web',
        image: { size: 64, format: 'jpeg', quality: 90, minSide: 16, upscale: false },
      },
      curate: { config: DEMO_CURATE_CONFIG, name: 'emoji-curated' },
      train: { config: demoRunConfig(examples), out: `runs/demo-${examples}` },
      evaluate: { ...DEMO_EVAL, emoji: { ...DEMO_EVAL.emoji, maxClasses: opts.evalClasses }, out: `eval/runs/demo-${examples}` },
      report: { out: 'reports/demo', title: 'sigforge demo' },
    };
    const handle = await startOrAttach(client, input);
    const result = await watch(client, handle, log);
    const imageRequests = server.requests();
    log(`(the corpus server answered ${imageRequests} image requests this run)`);
    const reportPath = fileURLToPath(result.reportUri);
    return { result, imageRequests, reportPath, uiUrl: dev.uiUrl! };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}
