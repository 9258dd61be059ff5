// The streaming loader: windows of row groups read over ranged reads (one window ahead), samples in a seeded
// order, decoded and augmented concurrently, batches prefetched. Every choice is keyed by the sample's position,
// so restoring a saved position yields exactly the batches an uninterrupted loader would have produced.
import { type ObjectStore } from '../../storage/index.js';
import { type LoaderConfig } from './config.js';
import { LoaderInputError } from './errors.js';
import { cropResizeInto, decodeRgb, naflexView, randomCrop, type RawImage } from './images.js';
import { patchifyRgbInto } from './naflex.js';
import { epochWindows, type DatasetLayout, readLayout, readUnit, type TrainRow, windowOrder } from './plan.js';
import { type LoaderPosition, resumePosition, startPosition } from './position.js';
import { keyedRandom } from './random.js';

/** Tokenizes captions into a row-major [texts.length × T] id matrix (the model's tokenizer, passed in). */
export type Tokenize = (texts: readonly string[]) => Int32Array;

/** A box in relative [0, 1] coordinates. */
export interface RelativeBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  label: string;
}

/** Images of a batch: fixed [B, S, S, 3] or NaFlex patches [B, L, p·p·3] with mask [B, L]. */
export type BatchImages =
  | { kind: 'fixed'; size: number; pixels: Float32Array }
  | { kind: 'naflex'; seqLen: number; patchSize: number; patches: Float32Array; mask: Float32Array; spatialShapes: [number, number][] };

/** One batch, host-side (no tensors: the model converts). */
export interface LoaderBatch {
  ids: string[];
  captions: string[];
  /** Curation weight of each row (1 where the row has none); repeats in the stream already honour it. */
  weights: number[];
  tokens: Int32Array;
  images: BatchImages;
  boxes: RelativeBox[][];
  /** Self-distillation views when configured: global [B, G, G, 3], locals each [B, l, l, 3]. */
  views?: { globalSize: number; localSize: number; global: Float32Array; locals: Float32Array[] };
  /** The position after this batch (what a checkpoint saved after training on it records). */
  position: LoaderPosition;
}

interface Entry {
  row: TrainRow;
  key: string;
}

interface Window {
  epoch: number;
  index: number;
  order: TrainRow[];
}

/** Options of {@link StreamingLoader.open}. */
export interface LoaderOptions {
  store: ObjectStore;
  /** Shard keys of the dataset version, in manifest order. */
  shards: readonly string[];
  config: LoaderConfig;
  tokenize: Tokenize;
  /** Where to start: a saved position, or a fresh stream with this seed. */
  position?: LoaderPosition;
  seed?: number;
  /** This loader's rank (default: the saved position's, else 0); ranks take window offsets ≡ rank mod worldSize. */
  rank?: number;
  /** Data-parallel loaders sharing the stream (default: the saved position's, else 1); must match a saved position. */
  worldSize?: number;
}

/** A deterministic, resumable stream of training batches over a dataset version. */
export class StreamingLoader {
  private pos: LoaderPosition;
  private readonly windows = new Map<string, Promise<Window>>();
  private readonly plans = new Map<number, number[][]>();
  private readonly queue: Promise<LoaderBatch>[] = [];
  private cursor: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly opts: LoaderOptions,
    private readonly layout: DatasetLayout,
  ) {
    const p = opts.position;
    const rank = opts.rank ?? p?.rank ?? 0;
    const worldSize = opts.worldSize ?? p?.worldSize ?? 1;
    this.pos = p ? resumePosition(p, rank, worldSize) : startPosition(opts.seed ?? 0, rank, worldSize);
  }

  /** Reads the dataset layout (footers only) and positions the stream. */
  static async open(opts: LoaderOptions): Promise<StreamingLoader> {
    return new StreamingLoader(opts, await readLayout(opts.store, opts.shards));
  }

  /** The next batch; keeps `prefetch` more in flight. */
  async next(): Promise<LoaderBatch> {
    while (this.queue.length < this.opts.config.prefetch + 1) this.queue.push(this.produce());
    const batch = await this.queue.shift()!;
    return batch;
  }

  /** Drops prefetched work (call before discarding the loader). */
  async close(): Promise<void> {
    const pending = this.queue.splice(0);
    await Promise.allSettled(pending);
    await Promise.allSettled([...this.windows.values()]);
    this.windows.clear();
  }

  private produce(): Promise<LoaderBatch> {
    const taken = this.cursor.then(() => this.take(this.opts.config.batchSize));
    this.cursor = taken.catch(() => undefined);
    return taken.then(({ entries, position, batchIndex }) => this.assemble(entries, position, batchIndex));
  }

  private windowsOf(epoch: number): number[][] {
    let w = this.plans.get(epoch);
    if (!w) {
      w = epochWindows(this.layout, this.pos.seed, epoch, this.opts.config.windowGroups);
      this.plans.set(epoch, w);
      // Only the current and the next epoch are ever needed.
      for (const e of this.plans.keys()) if (e < epoch - 1) this.plans.delete(e);
    }
    return w;
  }

  private loadWindow(epoch: number, index: number): Promise<Window> {
    const id = `${epoch}/${index}`;
    let w = this.windows.get(id);
    if (!w) {
      const units = this.windowsOf(epoch)[index]!.map((i) => this.layout.units[i]!);
      w = Promise.all(units.map((u) => readUnit(this.opts.store, this.layout, u))).then((parts) => ({
        epoch,
        index,
        order: windowOrder(parts.flat(), this.pos.seed, epoch, index, this.opts.config.useWeights),
      }));
      w.catch(() => undefined);
      this.windows.set(id, w);
    }
    return w;
  }

  private nextWindow(epoch: number, index: number): [number, number] {
    return index + 1 < this.windowsOf(epoch).length ? [epoch, index + 1] : [epoch + 1, 0];
  }

  /** Takes the next n samples in stream order, advancing the position (serialized through `cursor`). */
  private async take(n: number): Promise<{ entries: Entry[]; position: LoaderPosition; batchIndex: number }> {
    const entries: Entry[] = [];
    const { rank, worldSize } = this.pos;
    let emptyWindows = 0;
    while (entries.length < n) {
      const { epoch, window } = this.pos;
      const w = await this.loadWindow(epoch, window);
      // Read the next window while this one is consumed; forget windows behind the cursor.
      const [ne, nw] = this.nextWindow(epoch, window);
      void this.loadWindow(ne, nw);
      for (const k of this.windows.keys()) if (k !== `${epoch}/${window}` && k !== `${ne}/${nw}`) this.windows.delete(k);
      if (this.pos.offset >= w.order.length) {
        // A whole epoch of windows with nothing for this rank: the dataset is empty (or smaller than the world).
        if (w.order.length <= rank && ++emptyWindows > this.layout.units.length + 1) {
          const what = worldSize > 1 ? `gives rank ${rank} of ${worldSize} no samples (fewer usable rows per window than ranks)` : 'has no usable rows';
          throw new LoaderInputError(`${what} (status ok with an image, weight > 0)`, 'dataset');
        }
        this.pos = { ...this.pos, epoch: ne, window: nw, offset: rank };
        continue;
      }
      emptyWindows = 0;
      entries.push({ row: w.order[this.pos.offset]!, key: `${epoch}/${window}/${this.pos.offset}` });
      this.pos = { ...this.pos, offset: this.pos.offset + worldSize, samples: this.pos.samples + 1 };
    }
    const batchIndex = this.pos.batches;
    this.pos = { ...this.pos, batches: this.pos.batches + 1 };
    return { entries, position: { ...this.pos }, batchIndex };
  }

  private async assemble(entries: Entry[], position: LoaderPosition, batchIndex: number): Promise<LoaderBatch> {
    const c = this.opts.config;
    const seed = this.pos.seed;
    const b = entries.length;
    const captions = entries.map(({ row, key }) => {
      const options = [row.caption, ...(row.alt_captions ?? [])].filter((t) => t.trim() !== '');
      return options[Math.floor(keyedRandom(seed, 'caption', key)() * options.length)] ?? '';
    });
    const res = c.resolution;
    const seqLen = res.kind === 'naflex' ? res.seqLens[Math.floor(keyedRandom(seed, 'seq', batchIndex)() * res.seqLens.length)]! : 0;
    const images: BatchImages =
      res.kind === 'fixed'
        ? { kind: 'fixed', size: res.size, pixels: new Float32Array(b * res.size * res.size * 3) }
        : {
            kind: 'naflex',
            seqLen,
            patchSize: res.patchSize,
            patches: new Float32Array(b * seqLen * res.patchSize ** 2 * 3),
            mask: new Float32Array(b * seqLen),
            spatialShapes: [],
          };
    const views = c.views
      ? {
          globalSize: c.views.globalSize,
          localSize: c.views.localSize,
          global: new Float32Array(b * c.views.globalSize ** 2 * 3),
          locals: Array.from({ length: c.views.locals }, () => new Float32Array(b * c.views!.localSize ** 2 * 3)),
        }
      : undefined;
    const boxes: RelativeBox[][] = [];
    await Promise.all(
      entries.map(async ({ row, key }, i) => {
        const where = `row ${row.id}`;
        const rand = keyedRandom(seed, 'augment', key);
        const src: RawImage | Uint8Array = views ? await decodeRgb(row.image!, where) : row.image!;
        const size = src instanceof Uint8Array ? await this.sizeOf(row, where) : src;
        if (images.kind === 'fixed') {
          const full = c.cropScale[0] >= 1;
          const crop = full ? null : randomCrop(size.width, size.height, c.cropScale, rand);
          const n = images.size * images.size * 3;
          await cropResizeInto(src, crop, images.size, images.size, c.flip && rand() < 0.5, where, images.pixels.subarray(i * n, (i + 1) * n));
        } else {
          const p = images.patchSize;
          const v = await naflexView(src, size, p, images.seqLen, where);
          const dim = p * p * 3;
          images.spatialShapes[i] = patchifyRgbInto(
            v.pixels,
            v.height,
            v.width,
            p,
            images.patches.subarray(i * images.seqLen * dim, (i + 1) * images.seqLen * dim),
            images.mask.subarray(i * images.seqLen, (i + 1) * images.seqLen),
          );
        }
        if (views) {
          const g = views.globalSize ** 2 * 3;
          const gcrop = randomCrop(size.width, size.height, [0.4, 1], rand);
          await cropResizeInto(src, gcrop, views.globalSize, views.globalSize, rand() < 0.5, where, views.global.subarray(i * g, (i + 1) * g));
          const l = views.localSize ** 2 * 3;
          for (const local of views.locals) {
            const lcrop = randomCrop(size.width, size.height, [0.05, 0.4], rand);
            await cropResizeInto(src, lcrop, views.localSize, views.localSize, rand() < 0.5, where, local.subarray(i * l, (i + 1) * l));
          }
        }
        boxes[i] = (row.boxes ?? []).map((bx) => ({
          x0: bx.x0 / size.width,
          y0: bx.y0 / size.height,
          x1: bx.x1 / size.width,
          y1: bx.y1 / size.height,
          label: bx.label,
        }));
      }),
    );
    return {
      ids: entries.map((e) => e.row.id),
      captions,
      weights: entries.map((e) => e.row.weight ?? 1),
      tokens: this.opts.tokenize(captions),
      images,
      boxes,
      ...(views && { views }),
      position,
    };
  }

  private async sizeOf(row: TrainRow, where: string): Promise<{ width: number; height: number }> {
    if (row.width && row.height) return { width: row.width, height: row.height };
    const img = await decodeRgb(row.image!, where);
    return { width: img.width, height: img.height };
  }
}
