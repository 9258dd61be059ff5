// Encodes loader batches as Arrow record batches over the shared column buffers (no per-value copies), and frames
// them as one IPC stream: the schema message once, then each record batch message, then the end-of-stream marker.
import { type Data, type DataType, makeData, RecordBatch, RecordBatchStreamWriter, type Schema, Struct, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { type LoaderBatch } from '../loader/loader.js';
import { FeedError } from './errors.js';
import { feedSchema, type FeedSpec } from './schema.js';
import { encodeToken, feedIdentity } from './token.js';

/** The IPC end-of-stream marker (continuation token, zero length). */
export const IPC_EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function pixelsOf(spec: FeedSpec, x: Float32Array): Float32Array | Uint8Array {
  if (spec.pixels === 'float32') return x;
  const out = new Uint8Array(x.length);
  const clamped = new Uint8ClampedArray(out.buffer); // clamps to [0, 255] and rounds (half to even)
  for (let i = 0; i < x.length; i++) clamped[i] = (x[i]! + 1) * 127.5;
  return out;
}

const child = (field: { type: DataType }): DataType => (field.type as { children: { type: DataType }[] }).children[0]!.type;

function fixedList(type: DataType, length: number, values: ArrayBufferView & { length: number }): Data {
  const values_ = makeData({ type: child({ type }), length: values.length, nullCount: 0, data: values } as never);
  return makeData({ type, length, nullCount: 0, child: values_ } as never);
}

function varList(type: DataType, rows: number, per: number, values: ArrayBufferView & { length: number }): Data {
  const valueOffsets = Int32Array.from({ length: rows + 1 }, (_, i) => i * per);
  const values_ = makeData({ type: child({ type }), length: values.length, nullCount: 0, data: values } as never);
  return makeData({ type, length: rows, nullCount: 0, valueOffsets, child: values_ } as never);
}

/** The stream's schema and an encoder of loader batches into record batches of it. */
export class FeedEncoder {
  readonly schema: Schema;

  private readonly headerLength: number;

  constructor(readonly spec: FeedSpec) {
    this.schema = feedSchema(spec, feedIdentity(spec));
    this.headerLength = this.header().length;
  }

  /** One record batch: a row per sample, the resume token (position after this batch) on every row. */
  encode(batch: LoaderBatch): RecordBatch {
    const b = batch.ids.length;
    const type = (name: string): DataType => this.schema.fields.find((f) => f.name === name)!.type;
    const str = (name: string, values: string[]): Data => vectorFromArray(values, type(name)).data[0]!;
    const token = encodeToken(this.spec, batch.position);
    const columns: Data[] = [str('id', batch.ids), str('caption', batch.captions)];
    columns.push(makeData({ type: type('weight'), length: b, nullCount: 0, data: Float32Array.from(batch.weights) } as never));
    if (batch.tokens.length !== b * this.spec.tokenizer.length) {
      throw new FeedError('tokens', `have ${batch.tokens.length} ids for ${b} captions, expected ${this.spec.tokenizer.length} each`);
    }
    columns.push(fixedList(type('tokens'), b, batch.tokens));
    const im = batch.images;
    if (im.kind === 'fixed') {
      columns.push(fixedList(type('image'), b, pixelsOf(this.spec, im.pixels)));
    } else {
      const dim = im.patchSize * im.patchSize * 3;
      columns.push(varList(type('patches'), b, im.seqLen * dim, pixelsOf(this.spec, im.patches)));
      columns.push(varList(type('mask'), b, im.seqLen, Uint8Array.from(im.mask)));
      columns.push(fixedList(type('spatial_shape'), b, Int32Array.from(im.spatialShapes.flat())));
    }
    columns.push(vectorFromArray(batch.boxes, type('boxes')).data[0]!);
    columns.push(str('resume_token', new Array<string>(b).fill(token)));
    const data = makeData({ type: new Struct(this.schema.fields), length: b, nullCount: 0, children: columns });
    return new RecordBatch(this.schema, data);
  }

  /** The IPC schema message (the start of a stream). */
  header(): Uint8Array {
    const bytes = tableToIPC(new Table(this.schema), 'stream');
    return bytes.subarray(0, schemaMessageLength(bytes));
  }

  /**
   * The IPC message of one record batch, to follow `header()` (without end-of-stream), as chunks that view the
   * batch's own buffers (no copy of the pixels: write them out in order).
   */
  async message(batch: RecordBatch): Promise<Uint8Array[]> {
    const writer = new RecordBatchStreamWriter();
    writer.write(batch);
    writer.finish();
    const chunks: Uint8Array[] = [];
    for await (const chunk of writer) chunks.push(chunk);
    // The writer starts with the schema message (as header()) and ends with end-of-stream: keep what lies between.
    let skip = this.headerLength;
    while (skip > 0 && chunks.length > 0) {
      const c = chunks.shift()!;
      if (c.byteLength > skip) chunks.unshift(c.subarray(skip));
      skip -= Math.min(skip, c.byteLength);
    }
    let tail = IPC_EOS.length;
    while (tail > 0 && chunks.length > 0) {
      const c = chunks.pop()!;
      if (c.byteLength > tail) chunks.push(c.subarray(0, c.byteLength - tail));
      tail -= Math.min(tail, c.byteLength);
    }
    return chunks;
  }
}

/** Length of the leading schema message of an IPC stream: continuation, metadata length, padded flatbuffer. */
function schemaMessageLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== 0xffffffff) throw new FeedError('arrow encoding', 'IPC stream does not start with a continuation marker');
  return 8 + view.getInt32(4, true);
}
