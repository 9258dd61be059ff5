// Model references: a model directory (config.json or checkpoint.json) is used as is; a training run's directory
// means its final checkpoint — the newest committed checkpoint of the last stage (run.json's order) that has one —
// and a stage directory (`<run>/stages/<stage>`) the newest checkpoint of that stage. Without run.json (older runs,
// plain checkpoint folders) the newest by global step across stages is taken.
import { z } from 'zod';
import { closeStore, LOCAL_STORES, type ObjectStore, type Stores } from '../../storage/index.js';
import { EvalConfigError } from '../../model/eval/errors.js';
import { modelDirUri } from '../../model/eval/load-model.js';

const COMMITTED = /^((?:stages\/([^/]+)\/)?checkpoints\/step-(\d+))\/checkpoint\.json$/;

const runJsonSchema = z.object({ stages: z.array(z.object({ name: z.string() })) });

interface Committed {
  dir: string;
  stage: string | null;
  step: number;
}

async function stageOrder(store: ObjectStore): Promise<string[] | null> {
  if (!(await store.head('run.json'))) return null;
  const parsed = runJsonSchema.safeParse(JSON.parse(new TextDecoder().decode(await store.get('run.json'))));
  return parsed.success ? parsed.data.stages.map((s) => s.name) : null;
}

/** The final checkpoint among committed ones: the last stage in `order` that has any, else the highest step. */
export function finalCheckpoint(found: readonly Committed[], order: readonly string[] | null): Committed | null {
  const newest = (xs: readonly Committed[]) =>
    xs.reduce<Committed | null>((best, c) => (best === null || c.step > best.step || (c.step === best.step && c.dir > best.dir) ? c : best), null);
  if (order) {
    for (let i = order.length - 1; i >= 0; i--) {
      const pick = newest(found.filter((c) => c.stage === order[i]));
      if (pick) return pick;
    }
  }
  return newest(found);
}

/** Returns the directory URI to load for a model reference (a run's final checkpoint, a stage's newest, or the dir). */
export async function resolveModelDir(ref: string, stores: Stores = LOCAL_STORES): Promise<string> {
  const uri = modelDirUri(ref);
  const store = stores.open(uri);
  try {
    if ((await store.head('config.json')) || (await store.head('checkpoint.json'))) return uri;
    const found: Committed[] = [];
    for await (const { key } of store.list('')) {
      const m = COMMITTED.exec(key);
      if (m) found.push({ dir: m[1]!, stage: m[2] ?? null, step: Number(m[3]) });
    }
    const best = finalCheckpoint(found, await stageOrder(store));
    if (best === null) throw new EvalConfigError(`model ${uri}: has no config.json, checkpoint.json or committed checkpoints (stages/*/checkpoints/step-*/checkpoint.json)`, 'model');
    return `${uri}/${best.dir}`;
  } finally {
    closeStore(store);
  }
}
