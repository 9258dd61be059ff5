// Where a batch stream's batches come from: the streaming loader over a dataset version, at a resume token's
// position or at the start of a rank's share.
import { type ObjectStore } from '../../storage/index.js';
import { StreamingLoader, type Tokenize } from '../loader/loader.js';
import { FeedError } from './errors.js';
import { type FeedSpec } from './schema.js';
import { decodeToken } from './token.js';

/** Everything needed to open the stream's loader. */
export interface FeedSource {
  store: ObjectStore;
  /** Shard keys of the dataset version `spec.data`, in manifest order. */
  shards: readonly string[];
  spec: FeedSpec;
  tokenize: Tokenize;
  /** Seed of a fresh stream (a token carries its own). */
  seed: number;
  /** Rank and world size of a fresh stream (a token carries its own). */
  rank: number;
  worldSize: number;
}

/** Where one request starts: a resume token, or a fresh stream of this rank and world size. */
export interface FeedStart {
  token?: string | undefined;
  rank?: number | undefined;
  worldSize?: number | undefined;
}

/** Opens the loader for a request; FeedError for a bad token, LoaderConfigError for a rank or world-size mismatch. */
export async function openFeedLoader(src: FeedSource, start: FeedStart): Promise<StreamingLoader> {
  const position = start.token !== undefined ? decodeToken(src.spec, start.token) : undefined;
  const rank = start.rank ?? position?.rank ?? src.rank;
  const worldSize = start.worldSize ?? position?.worldSize ?? src.worldSize;
  if (!Number.isInteger(rank) || !Number.isInteger(worldSize)) throw new FeedError('rank/world_size', 'must be integers');
  return StreamingLoader.open({
    store: src.store,
    shards: src.shards,
    config: src.spec.config,
    tokenize: src.tokenize,
    seed: src.seed,
    rank,
    worldSize,
    ...(position && { position }),
  });
}
