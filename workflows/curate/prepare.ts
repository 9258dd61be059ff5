// The first curate activity's work: validate the input and config, resolve the datasets, fix the output
// version and store the plan (activities load it by reference; workflow history carries only the reference).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  datasetKeys,
  NotFoundError,
  RECORD_SCHEMA_VERSION,
  resolveDataset,
  type Manifest,
  type ObjectStore,
} from '../../storage/index.js';
import { canonicalJson } from '../../pipelines/canonical-json.js';
import { configHash, parseCurateConfig } from '../../pipelines/curate/config.js';
import { CurateConfigError, CurateInputError } from '../../pipelines/curate/errors.js';
import { CURATE_CODE_VERSION } from './commit.js';
import { resolveDatasetRefs } from './inputs.js';
import { planKey } from './keys.js';
import { jsonBytes } from './schemas.js';
import { type CurateInput, type CuratePlanInfo, type CuratePlanRef } from './shared.js';

const ref = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'expected name@version');
const InputSchema = z.object({
  input: ref,
  config: z.unknown(),
  name: z.string().min(1),
  version: z.string().min(1).optional(),
  evalSets: z.array(ref).default([]),
  dedupAgainst: z.array(ref).default([]),
  incremental: z.boolean().default(true),
});

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function inputManifest(store: ObjectStore, input: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = await resolveDataset(store, input);
  } catch (err) {
    if (err instanceof NotFoundError) throw new CurateInputError('no such dataset version', input, { cause: err });
    throw err;
  }
  if (manifest.schema_version !== RECORD_SCHEMA_VERSION) {
    throw new CurateInputError(
      `schema version ${manifest.schema_version} differs from this code's ${RECORD_SCHEMA_VERSION}; re-ingest or migrate it first`,
      `${manifest.name}@${manifest.version}`,
    );
  }
  return manifest;
}

/** Validates input and config, resolves datasets, fixes the output version and stores the plan. */
export async function prepareCurationPlan(
  store: ObjectStore,
  hasScorer: boolean,
  raw: CurateInput,
): Promise<CuratePlanRef> {
  const input = InputSchema.parse(raw);
  const cfg = parseCurateConfig(input.config);
  if (cfg.filters.some((f) => f.name === 'model_score') && !hasScorer) {
    throw new CurateConfigError(
      'this worker has no image-text scorer (model checkpoint) configured',
      'filters.model_score',
    );
  }
  const manifest = await inputManifest(store, input.input);
  const evalSets = await resolveDatasetRefs(store, input.evalSets);
  const dedupAgainst = await resolveDatasetRefs(store, input.dedupAgainst);
  const hash = configHash(cfg);
  const stepHash = sha(
    canonicalJson({ filters: cfg.filters, attributes: cfg.attributes, code: CURATE_CODE_VERSION }),
  ).slice(0, 16);
  const shards = manifest.shards.map((s, index) => ({ index, key: s.key, sha256: s.sha256, rows: s.rows }));
  const version =
    input.version ??
    sha(
      canonicalJson({ shards: shards.map((s) => s.sha256), hash, evalSets, dedupAgainst, code: CURATE_CODE_VERSION }),
    ).slice(0, 16);
  datasetKeys(input.name, version); // validates name and version
  const committed = (await store.head(datasetKeys(input.name, version).manifest)) !== null;
  const plan: CuratePlanInfo = {
    name: input.name,
    version,
    inputName: manifest.name,
    inputVersion: manifest.version,
    shards,
    config: cfg,
    configHash: hash,
    stepHash,
    evalSets,
    dedupAgainst,
    incremental: input.incremental,
    committed,
  };
  const key = planKey(input.name, version);
  const body = jsonBytes(plan);
  if (!committed) await store.put(key, body);
  const digest = createHash('sha256').update(body).digest('hex');
  return { name: input.name, version, planKey: key, digest, shardCount: shards.length, committed };
}
