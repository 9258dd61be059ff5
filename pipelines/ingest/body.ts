/**
 * Reads a response body as a browser would: `Content-Encoding` (gzip, deflate, br) decoded, with the byte cap on
 * the decoded size, checked chunk by chunk (a compression bomb stops at the cap, never after inflating), and a
 * body that ends before its `Content-Length` reported as `truncated`, an empty one as `empty`.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { RowError } from './errors.js';

/** Content codings the fetcher decodes (and so offers in Accept-Encoding). */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const DECODERS: { [coding: string]: () => Transform } = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** What the body reader needs from the response. */
export interface BodyInput {
  body: Readable;
  contentEncoding: string | undefined;
  /** The declared Content-Length (of the encoded body), or NaN. */
  declared: number;
  maxBytes: number;
  url: string;
}

function decoders(contentEncoding: string | undefined, url: string): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  // Codings are listed in the order they were applied: undo them from the last.
  return codings.reverse().map((c) => {
    const make = DECODERS[c];
    if (!make) throw new RowError('not_image', `unsupported Content-Encoding ${JSON.stringify(c)}`, url);
    return make();
  });
}

/** Stops reading a body; the abort error undici then emits has nowhere to go and is dropped. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Reads the whole (decoded) body; throws RowError `too_large`, `truncated`, `empty` or `decode_error`. */
export async function readBody({ body, contentEncoding, declared, maxBytes, url }: BodyInput): Promise<Buffer> {
  let stages: Transform[];
  try {
    stages = decoders(contentEncoding, url);
  } catch (err) {
    discard(body);
    throw err;
  }
  // Bytes on the wire (what Content-Length counts): the decoded size itself when nothing is decoded.
  let wire = 0;
  const received = (): number => (stages.length === 0 ? size : wire);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      wire += chunk.length;
      done(null, chunk);
    },
  });
  const out: Readable = stages.length === 0 ? body : (pipeline([body, counter, ...stages], () => undefined) as unknown as Readable);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of out as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) {
        const encoded = stages.length > 0 ? ' (decoded)' : '';
        throw new RowError('too_large', `body${encoded} exceeds maxBodyBytes ${maxBytes}`, url);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    discard(body);
    counter.destroy();
    for (const s of stages) s.destroy();
    if (err instanceof RowError) throw err;
    if (Number.isFinite(declared) && received() < declared) {
      throw new RowError('truncated', `body ended after ${received()} of ${declared} bytes (Content-Length)`, url, { cause: err, retryable: true });
    }
    if (stages.length > 0 && (err as { code?: string }).code?.startsWith('Z_')) {
      throw new RowError('decode_error', `Content-Encoding ${contentEncoding} does not decode: ${(err as Error).message}`, url, { cause: err });
    }
    throw err;
  }
  if (Number.isFinite(declared) && received() < declared) {
    throw new RowError('truncated', `body ended after ${received()} of ${declared} bytes (Content-Length)`, url, { retryable: true });
  }
  if (size === 0) throw new RowError('empty', 'the response has an empty body', url);
  return Buffer.concat(chunks, size);
}
