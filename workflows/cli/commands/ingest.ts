import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { ConfigError } from '../../config.js';
import { connectClient } from '../../connection.js';
import { RESIZE_MODES } from '../../../pipelines/ingest/image.js';
import { SOURCE_FORMATS } from '../../../pipelines/ingest/sources/registry.js';
import {
  INGEST_PROGRESS_QUERY,
  INGEST_TASK_QUEUE,
  type IngestInput,
  type IngestProgress,
  type IngestResult,
} from '../../ingest/shared.js';
import { waitWithProgress } from '../wait.js';
import { commandConfig } from '../context.js';

interface IngestFlags {
  source?: string;
  format?: string;
  name: string;
  version?: string;
  retryFailed?: string;
  urlCol?: string;
  captionCols?: string;
  extraColumns?: string;
  langCol?: string;
  languages?: string;
  resizeMode?: string;
  imageSize?: string;
  imageFormat?: string;
  quality?: string;
  partitionRows?: string;
  concurrency?: string;
  perHostConcurrency?: string;
  perHostRate?: string;
  timeoutMs?: string;
  retries?: string;
  ignoreRobotsTag?: boolean;
  workflowId?: string;
  wait?: boolean;
}

function int(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(flag, `expected a non-negative number, got ${JSON.stringify(value)}`, 'flags');
  return n;
}

/** A comma-separated column list; empty names are an error. */
function columnList(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new ConfigError(flag, `expected comma-separated column names, got ${JSON.stringify(value)}`, 'flags');
  return names;
}

/** A single column name (no commas, not empty). */
function oneColumn(flag: string, value: string | undefined): string | undefined {
  const names = columnList(flag, value);
  if (names && names.length !== 1) throw new ConfigError(flag, `expected one column name, got ${JSON.stringify(value)}`, 'flags');
  return names?.[0];
}

const defined = (o: { [k: string]: unknown }): { [k: string]: unknown } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Builds the workflow input from flags (source paths become absolute file:// URIs: the worker may run elsewhere). */
export function ingestInputFromFlags(o: IngestFlags, root: string): IngestInput {
  if (!o.source && !o.retryFailed) throw new ConfigError('ingest.source', 'give --source <uri> or --retry-failed <dataset@version>', 'flags');
  const source = o.source && !o.source.includes('://') ? pathToFileURL(path.resolve(o.source)).href : o.source;
  return {
    ...(source ? { source } : {}),
    ...(o.format ? { format: o.format } : {}),
    ...(o.retryFailed ? { retryFailed: o.retryFailed } : {}),
    ...(o.version ? { version: o.version } : {}),
    root,
    name: o.name,
    sourceOptions: defined({
      urlColumn: o.urlCol,
      captionColumns: o.captionCols?.split(',').map((s) => s.trim()),
      extraColumns: columnList('--extra-columns', o.extraColumns),
      langColumn: oneColumn('--lang-col', o.langCol),
      languages: columnList('--languages', o.languages),
    }),
    image: defined({
      resizeMode: o.resizeMode,
      size: int('--image-size', o.imageSize),
      format: o.imageFormat,
      quality: int('--quality', o.quality),
    }),
    fetch: defined({
      concurrency: int('--concurrency', o.concurrency),
      perHostConcurrency: int('--per-host-concurrency', o.perHostConcurrency),
      perHostRate: int('--per-host-rate', o.perHostRate),
      timeoutMs: int('--timeout-ms', o.timeoutMs),
      retries: int('--retries', o.retries),
      respectRobotsTag: o.ignoreRobotsTag ? false : undefined,
    }),
    ...(o.partitionRows ? { partitionRows: int('--partition-rows', o.partitionRows)! } : {}),
  };
}

/**
 * The default workflow id: the dataset name and a hash of the whole input (source, version, settings, root), so the
 * same command twice is one workflow (the second attaches to it while it runs) instead of two writers of the same
 * version. A source's contents are not in the input: after a run ends, the same command starts a new run, which
 * plans from the source as it is then.
 */
export function defaultIngestWorkflowId(input: IngestInput): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as { [k: string]: unknown })[k])]))
        : v;
  return `ingest-${input.name}-${createHash('sha256').update(JSON.stringify(canon(input))).digest('hex').slice(0, 16)}`;
}

/** One progress line: rows/s, success rate and ETA. */
export function progressLine(p: IngestProgress, elapsedS: number): string {
  const rate = elapsedS > 0 ? p.rowsDone / elapsedS : 0;
  const pct = p.rowsTotal ? (100 * p.rowsDone) / p.rowsTotal : 0;
  const success = p.rowsDone ? (100 * p.ok) / p.rowsDone : 0;
  const eta = rate > 0 ? Math.round((p.rowsTotal - p.rowsDone) / rate) : null;
  const width = 24;
  const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
  return (
    `[${bar}] ${p.phase} ${p.rowsDone}/${p.rowsTotal} rows (${pct.toFixed(0)}%) ` +
    `${rate.toFixed(1)} rows/s, ${success.toFixed(1)}% ok, ETA ${eta === null ? '?' : `${eta}s`}`
  );
}

/** `sigforge ingest`: starts ingestWorkflow; with --wait shows progress and prints the result. */
export function register(program: Command): void {
  program
    .command('ingest')
    .description('ingest a URL list, folder or tar shards into a raw dataset version (or retry its failures)')
    .option('--source <uri>', 'source: local path, file:// or s3:// URI of a CSV/TSV/JSONL/Parquet list, folder or tar shard(s)')
    .addOption(new Option('--format <name>', 'source format (detected from the name when omitted)').choices(SOURCE_FORMATS))
    .requiredOption('--name <dataset>', 'dataset name to write')
    .option('--version <v>', 'dataset version (default: a hash of inputs and settings, so reruns are idempotent)')
    .option('--retry-failed <dataset@version>', 'fetch again only the retryable failures of that version')
    .option('--url-col <name>', 'URL column (default url)')
    .option('--caption-cols <list>', 'caption column(s), comma-separated; extra ones become alternative captions')
    .option('--extra-columns <list>', "columns kept in each record's `extra` as JSON, comma-separated (sidecar .json keys for tars/folders)")
    .option('--languages <list>', 'languages the source declares (ISO 639-1, comma-separated): language ID guesses only among them')
    .option('--lang-col <name>', "column with each caption's language as the source gives it (kept in `lang_given`)")
    .addOption(new Option('--resize-mode <mode>', 'resize mode (default keep-aspect)').choices(RESIZE_MODES))
    .option('--image-size <px>', 'longest side (keep-aspect) or square side (default 512)')
    .addOption(new Option('--image-format <fmt>', 're-encode format (default jpeg)').choices(['jpeg', 'webp']))
    .option('--quality <q>', 'JPEG/WebP quality (default 90)')
    .option('--partition-rows <n>', 'rows per partition / shard (default 2000)')
    .option('--concurrency <n>', 'downloads in flight per partition (default 64)')
    .option('--per-host-concurrency <n>', 'downloads in flight per host (default 16)')
    .option('--per-host-rate <n>', 'request starts per second per host (default unlimited)')
    .option('--timeout-ms <ms>', 'per-request time limit (default 30000)')
    .option('--retries <n>', 'retries of transient failures (default 2)')
    .option('--ignore-robots-tag', 'do not honour X-Robots-Tag noai/noimageai/noindex/noimageindex')
    .option('--workflow-id <id>', 'workflow id (default ingest-<name>-<hash of the inputs>: the same command twice is one run)')
    .option('--wait', 'wait for the result, showing progress')
    .action(async (o: IngestFlags, command: Command) => {
      const config = commandConfig(command);
      const input = ingestInputFromFlags(o, config.storage.root);
      const client = await connectClient(config.temporal);
      try {
        const workflowId = o.workflowId ?? defaultIngestWorkflowId(input);
        const handle = await client.workflow.start('ingestWorkflow', {
          taskQueue: INGEST_TASK_QUEUE,
          workflowId,
          // The same ingest already running: wait on it instead of starting a second writer.
          workflowIdConflictPolicy: 'USE_EXISTING',
          args: [input],
        });
        if (!o.wait) {
          console.log(workflowId);
          return;
        }
        console.error(`sigforge ingest: workflow ${workflowId} started; waiting (Ctrl-C stops waiting, not the run)`);
        const t0 = Date.now();
        const progress = async () => progressLine(await handle.query<IngestProgress>(INGEST_PROGRESS_QUERY), (Date.now() - t0) / 1000);
        console.log(JSON.stringify(await waitWithProgress<IngestResult>(handle, progress, 1000), null, 2));
      } finally {
        await client.connection.close();
      }
    });
}
