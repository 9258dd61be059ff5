import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { StoreIOError } from './errors.js';

// A CommonJS worker (eval: no file to resolve, works from sources and from a build) that hashes chunks whose
// memory is shared with the main thread, so a shard encoder keeps its thread while sha256 runs on another core.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'update') {
    let h = jobs.get(m.id);
    if (!h) jobs.set(m.id, (h = createHash('sha256')));
    h.update(new Uint8Array(m.buffer, m.offset, m.length));
  } else {
    const h = jobs.get(m.id) ?? createHash('sha256');
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, digest: h.digest('hex') });
  }
});`;

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (d: string) => void; reject: (e: Error) => void }>();

function sharedWorker(): Worker {
  if (!worker) {
    // No execArgv: the worker is plain CommonJS and must not inherit loaders (e.g. tsx) that keep it alive.
    const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    w.on('message', (m: { id: number; digest: string }) => {
      waiting.get(m.id)?.resolve(m.digest);
      waiting.delete(m.id);
      if (waiting.size === 0) w.unref();
    });
    const fail = (err: Error): void => {
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
      worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`sha256 worker exited with code ${code}`)));
    // Referenced only while a digest is awaited (unref after the listeners: adding one refs the port again).
    w.unref();
    worker = w;
  }
  return worker;
}

/** A streaming sha256 that hashes chunks backed by a SharedArrayBuffer on a worker thread, others inline. */
export class StreamHasher {
  private inline: Hash | undefined;
  private readonly id = nextId++;
  private offloaded = false;

  /** Adds a chunk; a shared chunk's memory must not change until {@link digest} resolves. */
  update(chunk: Uint8Array): void {
    const shared = chunk.buffer instanceof SharedArrayBuffer;
    if (!this.offloaded && this.inline === undefined) this.offloaded = shared;
    if (!this.offloaded) {
      (this.inline ??= createHash('sha256')).update(chunk);
      return;
    }
    // Once offloaded, every chunk goes to the worker (in order); unshared ones are copied into shared memory.
    let view = chunk;
    if (!shared) {
      view = new Uint8Array(new SharedArrayBuffer(chunk.byteLength));
      view.set(chunk);
    }
    sharedWorker().postMessage({
      type: 'update',
      id: this.id,
      buffer: view.buffer,
      offset: view.byteOffset,
      length: view.byteLength,
    });
  }

  /** The hex sha256 of everything added. */
  async digest(): Promise<string> {
    if (!this.offloaded) return (this.inline ?? createHash('sha256')).digest('hex');
    const w = sharedWorker();
    try {
      return await new Promise<string>((resolve, reject) => {
        waiting.set(this.id, { resolve, reject });
        w.ref();
        w.postMessage({ type: 'end', id: this.id });
      });
    } catch (err) {
      throw new StoreIOError(`sha256: ${(err as Error).message}`, { cause: err });
    }
  }
}
