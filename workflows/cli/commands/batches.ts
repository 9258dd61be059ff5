// `sigforge batches serve|export`: a curated dataset version's loader batches as Arrow IPC, for trainers outside
// sigforge (PyTorch, JAX) — streamed over HTTP with resume tokens, or written to files for offline use.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { GEMMA, loadGemmaTokenizer, siglipTokenBatch } from '../../../model/tokenizer.js';
import { exportBatches } from '../../../pipelines/feed/export.js';
import { startFeedServer } from '../../../pipelines/feed/server.js';
import { type FeedSource } from '../../../pipelines/feed/source.js';
import { parseLoaderConfig } from '../../../pipelines/loader/config.js';
import { closeStore, resolveDataset } from '../../../storage/index.js';
import { ConfigError, storesFromConfig } from '../../config.js';
import { commandConfig, intFlag } from '../context.js';

interface FeedFlags {
  data: string;
  loader: string;
  seed: string;
  rank: string;
  worldSize: string;
  pixels: 'float32' | 'uint8';
  textLength: string;
}

/** A --loader argument: inline JSON, or a .json/.yaml file of loader settings. */
function loaderArg(arg: string): unknown {
  try {
    if (arg.trim().startsWith('{')) return JSON.parse(arg);
    const text = readFileSync(arg, 'utf8');
    return /\.json$/i.test(arg) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError('--loader', `${arg.trim().startsWith('{') ? 'inline JSON' : arg}: ${(err as Error).message}`, 'flags', { cause: err });
  }
}

function feedOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--data <dataset@version>', 'curated dataset, name@version or name@latest')
    .requiredOption('--loader <file|json>', 'loader settings (.json/.yaml file or inline JSON): batchSize, resolution, windowGroups, cropScale, flip, useWeights')
    .option('--seed <n>', 'seed of a fresh stream (a resume token carries its own)', '0')
    .option('--rank <r>', 'data-parallel rank of a fresh stream', '0')
    .option('--world-size <n>', 'data-parallel ranks sharing the stream', '1')
    .addOption(new Option('--pixels <type>', 'image element type').choices(['float32', 'uint8']).default('float32'))
    .option('--text-length <n>', 'token ids per caption (Gemma 256k, SigLIP 2 preprocessing)', '64');
}

/** Resolves the dataset and builds the stream's source; returns it with a closer for the store. */
async function openSource(flags: FeedFlags, command: Command): Promise<{ src: FeedSource; close: () => void }> {
  const config = commandConfig(command);
  const worldSize = intFlag(flags.worldSize, '--world-size', 1, 1 << 16);
  const rank = intFlag(flags.rank, '--rank', 0, worldSize - 1);
  const seed = intFlag(flags.seed, '--seed', 0, 2 ** 31 - 1);
  const length = intFlag(flags.textLength, '--text-length', 2, 4096);
  const loader = parseLoaderConfig(loaderArg(flags.loader));
  const stores = storesFromConfig(config);
  const store = stores.open(stores.rootUri!);
  try {
    const manifest = await resolveDataset(store, flags.data);
    const encoder = await loadGemmaTokenizer();
    const src: FeedSource = {
      store,
      shards: manifest.shards.map((s) => s.key),
      spec: {
        data: `${manifest.name}@${manifest.version}`,
        config: loader,
        tokenizer: { name: 'gemma-256k/siglip2', vocabSize: GEMMA.vocabSize, length },
        pixels: flags.pixels,
      },
      tokenize: (texts) => siglipTokenBatch(encoder, texts, length),
      seed,
      rank,
      worldSize,
    };
    return { src, close: () => closeStore(store) };
  } catch (err) {
    closeStore(store);
    throw err;
  }
}

/** Registers `batches serve` and `batches export`. */
export function register(program: Command): void {
  const batches = program.command('batches').description('stream or export curated training batches as Arrow IPC (PyTorch, JAX, any Arrow reader)');
  feedOptions(batches.command('serve'))
    .description('serve the loader’s batches over HTTP: GET /batches[?token=…&rank=…&world_size=…&limit=…] answers an Arrow IPC stream')
    .option('--host <address>', 'bind address (loopback by default; 0.0.0.0 exposes the data to the network)', '127.0.0.1')
    .option('--port <p>', 'port (0: any free port)', '8765')
    .action(async (flags: FeedFlags & { host: string; port: string }, command: Command) => {
      const { src, close } = await openSource(flags, command);
      const port = intFlag(flags.port, '--port', 0, 65535);
      const server = await startFeedServer({ ...src, host: flags.host, port, onError: (err) => console.error(`batches: ${(err as Error).message}`) });
      console.log(`serving ${src.spec.data} at ${server.url}/batches (Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      close();
    });
  feedOptions(batches.command('export'))
    .description('write the loader’s batches as Arrow IPC files (part-NNNNNN.arrow) plus feed.json with the resume token')
    .requiredOption('--out <dir|uri>', 'output: ./dir or /abs/dir (local), exports/x (under the storage root) or an s3:// URI')
    .requiredOption('--batches <n>', 'batches to write')
    .option('--per-file <n>', 'record batches per file', '100')
    .option('--token <token>', 'continue after this resume token (from feed.json or a stream)')
    .action(async (flags: FeedFlags & { out: string; batches: string; perFile: string; token?: string }, command: Command) => {
      const n = intFlag(flags.batches, '--batches', 1, 1e9);
      const perFile = intFlag(flags.perFile, '--per-file', 1, 1e6);
      const { src, close } = await openSource(flags, command);
      const stores = storesFromConfig(commandConfig(command));
      const out = stores.open(stores.resolve(flags.out));
      try {
        const sum = await exportBatches(src, { out, batches: n, perFile, start: flags.token ? { token: flags.token } : {} });
        console.log(`wrote ${sum.batches} batches (${sum.rows} rows) in ${sum.files.length} files to ${out.rootUri}; resume token in feed.json`);
      } finally {
        closeStore(out);
        close();
      }
    });
}
