// The batch stream over HTTP: GET /batches answers one Arrow IPC stream of the loader's batches, each row carrying
// the resume token after its batch. Every request has its own loader; a slow client is served at its own pace (the
// next batch is produced only after the previous one drained), and a client that goes away ends only its stream.
import { once } from 'node:events';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { LoaderError } from '../loader/errors.js';
import { FeedEncoder, IPC_EOS } from './encode.js';
import { FeedError } from './errors.js';
import { type FeedSource, openFeedLoader } from './source.js';

/** Options of {@link startFeedServer}. */
export interface FeedServerOptions extends FeedSource {
  /** Bind address (default 127.0.0.1: loopback only). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Called with each request's failure after its response started (for logs). */
  onError?: (err: unknown) => void;
}

/** A running batch server. */
export interface FeedServer {
  readonly url: string;
  /** Streams currently being served. */
  readonly active: number;
  /** Bytes of Arrow IPC written to clients so far. */
  readonly bytesSent: number;
  close(): Promise<void>;
}

function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) throw new FeedError(name, `must be an integer ≥ ${min}, got ${JSON.stringify(v.slice(0, 20))}`);
  return n;
}

/** Starts the server; resolves once it listens. */
export async function startFeedServer(opts: FeedServerOptions): Promise<FeedServer> {
  const encoder = new FeedEncoder(opts.spec);
  const header = encoder.header();
  let active = 0;
  let bytesSent = 0;
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://feed');
    if (req.method !== 'GET') return reply(res, 405, 'only GET');
    if (url.pathname === '/health') return reply(res, 200, 'ok');
    if (url.pathname === '/schema') {
      res.writeHead(200, { 'content-type': 'application/vnd.apache.arrow.stream' });
      res.end(Buffer.concat([header, IPC_EOS]));
      return;
    }
    if (url.pathname !== '/batches') return reply(res, 404, 'unknown path (GET /batches, /schema or /health)');
    const q = url.searchParams;
    let loader;
    let limit: number | undefined;
    try {
      limit = intParam(q, 'limit', 1);
      loader = await openFeedLoader(opts, { token: q.get('token') ?? undefined, rank: intParam(q, 'rank', 0), worldSize: intParam(q, 'world_size', 1) });
    } catch (err) {
      if (err instanceof FeedError || err instanceof LoaderError) return reply(res, 400, err.message);
      throw err;
    }
    let gone = false;
    res.on('close', () => (gone = true));
    active++;
    try {
      res.writeHead(200, { 'content-type': 'application/vnd.apache.arrow.stream', 'cache-control': 'no-store' });
      res.write(header);
      bytesSent += header.length;
      for (let n = 0; !gone && (limit === undefined || n < limit); n++) {
        const chunks = await encoder.message(encoder.encode(await loader.next()));
        if (gone) break;
        let ok = true;
        for (const c of chunks) {
          ok = res.write(c);
          bytesSent += c.byteLength;
        }
        // Backpressure: wait for the socket to take this batch before producing past the loader's prefetch.
        if (!ok) await drained(res);
      }
      if (!gone) res.end(IPC_EOS);
    } catch (err) {
      opts.onError?.(err);
      res.destroy(err as Error); // the client sees a truncated stream, never a silently short one
    } finally {
      active--;
      await loader.close();
    }
  };
  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      opts.onError?.(err);
      if (!res.headersSent) reply(res, 500, 'internal error (see the server log)');
      else res.destroy();
    });
  });
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    get active() {
      return active;
    },
    get bytesSent() {
      return bytesSent;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves when `res` drains or closes, leaving no listener behind. */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function reply(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
