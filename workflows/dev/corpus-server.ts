import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EMOJI_STYLES } from '../../pipelines/eval/emoji-data.js';

const require = createRequire(import.meta.url);

/** A loopback HTTP server for the demo corpus: `GET /<style>/<image>.png` serves the emoji package's 64 px PNG. */
export interface CorpusServer {
  readonly baseUrl: string;
  /** Requests answered so far (the demo prints it to show ingestion really went over HTTP). */
  readonly requests: () => number;
  close(): Promise<void>;
}

function styleDir(style: string): string {
  return path.join(path.dirname(require.resolve(`emoji-datasource-${style}/package.json`)), 'img', style, '64');
}

/** Starts the server on 127.0.0.1 (the preferred port if free, else any free port). */
export async function startCorpusServer(preferredPort = 0): Promise<CorpusServer> {
  const dirs = new Map<string, string>(EMOJI_STYLES.map((s) => [s, styleDir(s)]));
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    const m = /^\/([a-z]+)\/([0-9a-f-]+\.png)$/.exec(req.url ?? '');
    const dir = m ? dirs.get(m[1]!) : undefined;
    if (!m || !dir || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    const file = path.join(dir, m[2]!);
    stat(file).then(
      (s) => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': s.size });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(preferredPort);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || preferredPort === 0) throw err;
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
