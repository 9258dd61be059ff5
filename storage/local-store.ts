import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlreadyExistsError, InvalidKeyError, NotFoundError, StorageError, StoreIOError } from './errors.js';
import { TEMP_PREFIX, validateKey, validatePrefix } from './keys.js';
import { gatherListsOf, type ListEntry, type ObjectInfo, type ObjectStore, type PutBody, type PutResult } from './object-store.js';

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** An ObjectStore on local disk: temp file + fsync + rename for every write; keys cannot leave the root. */
export class LocalStore implements ObjectStore {
  readonly rootUri: string;
  private realRoot: string | undefined;

  /** `root` must be an absolute directory path; it is created on first write. */
  constructor(readonly root: string) {
    if (!path.isAbsolute(root)) throw new InvalidKeyError(`local store root ${root}: must be absolute`);
    this.root = path.resolve(root);
    this.rootUri = pathToFileURL(this.root).href.replace(/\/$/, '');
  }

  uri(key: string): string {
    return pathToFileURL(this.pathOf(validateKey(key))).href;
  }

  async get(key: string): Promise<Uint8Array> {
    const file = await this.existingPath(key);
    try {
      return new Uint8Array(await readFile(file));
    } catch (err) {
      throw this.ioError('read', key, err);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(key, offset, length);
    const file = await this.existingPath(key);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      throw this.ioError('open', key, err);
    }
    try {
      const { size } = await handle.stat();
      if (offset + length > size) {
        throw new StorageError(`${key}: range ${offset}+${length} exceeds object size ${size}`, { subject: key });
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new StoreIOError(`${key}: file shrank while reading`, { subject: key });
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async put(key: string, body: PutBody): Promise<PutResult> {
    const { tmp, target, dir } = await this.prepareWrite(key);
    try {
      const result = await writeTemp(tmp, body);
      await rename(tmp, target);
      await fsyncDir(dir);
      return result;
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (err instanceof StorageError) throw err;
      throw this.ioError('write', key, err);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<void> {
    const { tmp, target, dir } = await this.prepareWrite(key);
    try {
      await writeTemp(tmp, body);
      // link(2) fails with EEXIST atomically, so exactly one concurrent writer wins.
      await link(tmp, target);
      await fsyncDir(dir);
    } catch (err) {
      if (errCode(err) === 'EEXIST') {
        throw new AlreadyExistsError(`${this.uri(key)}: already exists`, { subject: key, cause: err });
      }
      throw this.ioError('write', key, err);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const file = await this.existingPath(key);
      const st = await stat(file);
      return { size: st.size };
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ListEntry> {
    validatePrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const entries: ListEntry[] = [];
    await this.walk(dirKey, prefix, entries);
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* entries;
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (errCode(err) === 'ENOENT') return;
      throw this.ioError('delete', key, err);
    }
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  private async rootReal(): Promise<string> {
    if (this.realRoot === undefined) {
      await mkdir(this.root, { recursive: true });
      this.realRoot = await realpath(this.root);
    }
    return this.realRoot;
  }

  /** Resolves symlinks and refuses any path that ends up outside the root. */
  private async checkInside(key: string, real: string): Promise<void> {
    const root = await this.rootReal();
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new InvalidKeyError(`key ${JSON.stringify(key)}: resolves outside the store root ${this.root} (symlink)`, {
        subject: key,
      });
    }
  }

  private async existingPath(key: string): Promise<string> {
    validateKey(key);
    const file = this.pathOf(key);
    let real: string;
    try {
      real = await realpath(file);
      const st = await stat(real);
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    } catch (err) {
      if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') {
        throw new NotFoundError(`${this.uri(key)}: no such object`, { subject: key, cause: err });
      }
      throw this.ioError('stat', key, err);
    }
    await this.checkInside(key, real);
    return real;
  }

  private async prepareWrite(key: string): Promise<{ tmp: string; target: string; dir: string }> {
    validateKey(key);
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    await this.rootReal();
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw this.ioError('mkdir', key, err);
    }
    await this.checkInside(key, await realpath(dir));
    const existing = await lstat(target).catch(() => null);
    if (existing?.isSymbolicLink()) {
      throw new InvalidKeyError(`key ${JSON.stringify(key)}: is a symlink; refusing to write through it`, {
        subject: key,
      });
    }
    const tmp = path.join(dir, `${TEMP_PREFIX}${path.basename(target)}-${randomBytes(6).toString('hex')}`);
    return { tmp, target, dir };
  }

  private async walk(dirKey: string, prefix: string, out: ListEntry[]): Promise<void> {
    const dir = dirKey === '' ? this.root : this.pathOf(dirKey);
    let names;
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') return;
      throw this.ioError('list', dirKey, err);
    }
    for (const entry of names) {
      if (entry.name.startsWith(TEMP_PREFIX) || entry.isSymbolicLink()) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const st = await stat(path.join(dir, entry.name)).catch(() => null);
        if (st) out.push({ key, size: st.size });
      }
    }
  }

  private ioError(op: string, key: string, err: unknown): StorageError {
    if (err instanceof StorageError) return err;
    const why = errCode(err) ?? (err instanceof Error ? err.message : String(err));
    return new StoreIOError(`${this.rootUri}/${key}: ${op} failed (${why})`, { subject: key, cause: err });
  }
}

/** Throws unless offset and length are non-negative safe integers. */
export function checkRange(key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new StorageError(`${key}: invalid range offset=${offset} length=${length}`, { subject: key });
  }
}

/** Bytes of writes queued at once while a body streams to disk. */
const MAX_IN_FLIGHT = 64 * 1024 * 1024;

async function writeTemp(tmp: string, body: PutBody): Promise<PutResult> {
  const handle = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
  const hash = createHash('sha256');
  let size = 0;
  // One writev per gather list, at its offset; partial writes continue where they stopped.
  const writeAt = async (list: readonly Uint8Array[], position: number): Promise<void> => {
    let bufs = list.filter((b) => b.byteLength > 0);
    let pos = position;
    while (bufs.length > 0) {
      const { bytesWritten } = await handle.writev(bufs, pos);
      if (bytesWritten <= 0) throw new StorageError(`write ${tmp}: the file system accepted no bytes`);
      pos += bytesWritten;
      let n = bytesWritten;
      let i = 0;
      while (i < bufs.length && n >= bufs[i]!.byteLength) n -= bufs[i++]!.byteLength;
      bufs = bufs.slice(i);
      if (n > 0) bufs[0] = bufs[0]!.subarray(n);
    }
  };
  // Writes at explicit offsets run in libuv's pool while the producer makes the next chunks (a shard encoder is
  // CPU-bound on this thread); up to MAX_IN_FLIGHT bytes are queued. Producers must not reuse a chunk's memory after
  // yielding it.
  const inFlight: { done: Promise<void>; bytes: number }[] = [];
  let queued = 0;
  let failed: unknown = null;
  try {
    for await (const list of gatherListsOf(body)) {
      let bytes = 0;
      for (const b of list) bytes += b.byteLength;
      // Start the write first: it runs in the pool while this thread hashes the same (unchanging) bytes.
      const done = writeAt(list, size);
      done.catch((err: unknown) => (failed ??= err));
      for (const b of list) hash.update(b);
      inFlight.push({ done, bytes });
      queued += bytes;
      size += bytes;
      while (queued > MAX_IN_FLIGHT || failed !== null) {
        const first = inFlight.shift();
        if (!first) break;
        await first.done;
        queued -= first.bytes;
      }
    }
    await Promise.all(inFlight.map((w) => w.done));
    await handle.sync();
  } finally {
    await Promise.allSettled(inFlight.map((w) => w.done));
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
