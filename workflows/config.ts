import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { SsrfAllowSchema } from '../pipelines/ingest/address.js';
import { createStores, type Stores } from '../storage/stores.js';
import { ConfigFileError, readConfigFile as readConfigText } from '../storage/config-file.js';

/** The task queues a worker can serve (ARCHITECTURE.md §Temporal). */
export const TASK_QUEUES = ['etl', 'train', 'eval'] as const;
export type TaskQueue = (typeof TASK_QUEUES)[number];

const tlsSchema = z
  .object({
    clientCertPath: z.string().min(1).optional(),
    clientKeyPath: z.string().min(1).optional(),
    serverRootCaPath: z.string().min(1).optional(),
    serverNameOverride: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => Boolean(t.clientCertPath) === Boolean(t.clientKeyPath), {
    message: 'clientCertPath and clientKeyPath must be given together',
  });

/** Runtime configuration shared by every command, validated at the edge. */
export const configSchema = z
  .object({
    temporal: z
      .object({
        address: z
          .string()
          .regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'expected host:port')
          .default('127.0.0.1:7233'),
        namespace: z.string().min(1).default('default'),
        /** `true` for server-authenticated TLS with system roots; an object for mTLS/custom CA. */
        tls: z.union([z.boolean(), tlsSchema]).default(false),
        apiKey: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /** Root URI of every dataset, checkpoint and report: `file:///abs/path` or `s3://bucket/prefix`. */
        root: z
          .string()
          .regex(/^(file:\/\/\/|s3:\/\/[^/]+)/, 'expected file:///absolute/path or s3://bucket[/prefix]')
          .default(pathToFileURL(path.resolve('.sigforge', 'data')).href),
        s3: z
          .object({
            endpoint: z.url().optional(),
            region: z.string().min(1).optional(),
            forcePathStyle: z.boolean().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        queues: z.array(z.enum(TASK_QUEUES)).min(1).default([...TASK_QUEUES]),
        maxConcurrentActivities: z.number().int().positive().optional(),
        /** Addresses or CIDRs the ingest fetcher may reach although they are private/loopback (internal mirrors). */
        ssrfAllow: SsrfAllowSchema.default([]),
        /** Model directory (sigforge checkpoint or HF SigLIP export; path or URI) scoring the `model_score` filter. */
        scorer: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SigforgeConfig = z.infer<typeof configSchema>;
/** Config input before defaults are applied (what files, env and flags provide). */
export type ConfigInput = z.input<typeof configSchema>;

/** Raised for an invalid config value; `field` is the dotted path of the bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid config (${source}): ${field || '(root)'}: ${problem}`, options);
  }
}

/** Reads a YAML or JSON config file into an unvalidated object. */
export function readConfigFile(file: string): unknown {
  try {
    return readConfigText(file);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    const problem = err.stage === 'read' ? 'cannot read config file' : `not valid ${err.format}`;
    throw new ConfigError('', `${problem}: ${err.message}`, file, { cause: err.cause });
  }
}

/** Config values taken from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, …). */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const temporal: Record<string, unknown> = {};
  if (env.TEMPORAL_ADDRESS) temporal.address = env.TEMPORAL_ADDRESS;
  if (env.TEMPORAL_NAMESPACE) temporal.namespace = env.TEMPORAL_NAMESPACE;
  if (env.TEMPORAL_API_KEY) temporal.apiKey = env.TEMPORAL_API_KEY;
  if (env.TEMPORAL_TLS_CLIENT_CERT_PATH || env.TEMPORAL_TLS_CLIENT_KEY_PATH) {
    temporal.tls = {
      clientCertPath: env.TEMPORAL_TLS_CLIENT_CERT_PATH,
      clientKeyPath: env.TEMPORAL_TLS_CLIENT_KEY_PATH,
      ...(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH ? { serverRootCaPath: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH } : {}),
    };
  } else if (env.TEMPORAL_TLS === 'true' || env.TEMPORAL_TLS === '1') {
    temporal.tls = true;
  }
  const storage: Record<string, unknown> = {};
  if (env.SIGFORGE_ROOT) storage.root = env.SIGFORGE_ROOT;
  const out: Record<string, unknown> = {};
  if (Object.keys(temporal).length) out.temporal = temporal;
  if (Object.keys(storage).length) out.storage = storage;
  return out as ConfigInput;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges config layers; later layers win, `undefined` values are skipped. */
export function mergeConfig(...layers: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isPlainObject(layer)) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeConfig(out[k], v) : v;
    }
  }
  return out;
}

/** Validates a merged config; throws {@link ConfigError} naming the first bad field. */
export function parseConfig(input: unknown, source: string): SigforgeConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const pathParts = issue ? issue.path.map(String) : [];
  // Name the unknown key itself, not its parent object.
  if (issue?.code === 'unrecognized_keys' && issue.keys[0]) pathParts.push(issue.keys[0]);
  const field = pathParts.join('.');
  throw new ConfigError(field, issue?.message ?? 'invalid', source);
}

/** Loads config with precedence flags > env > file > defaults. */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; flags?: ConfigInput }): SigforgeConfig {
  const file = opts.file ? readConfigFile(opts.file) : {};
  const merged = mergeConfig(file, configFromEnv(opts.env ?? process.env), opts.flags ?? {});
  const source = [opts.file ? `file ${opts.file}` : undefined, 'env', 'flags'].filter(Boolean).join(' + ');
  return parseConfig(merged, source);
}

/** The stores of a process configured by `config.storage` (root and S3 settings): what the CLI and workers open with. */
export function storesFromConfig(config: SigforgeConfig): Stores {
  return createStores({ root: config.storage.root, ...(config.storage.s3 ? { s3: config.storage.s3 } : {}) });
}
