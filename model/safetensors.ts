// safetensors (de)serialization: an 8-byte little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets}} (plus optional __metadata__), then the raw little-endian tensor bytes.
import { CheckpointError } from './errors.js';

/** A host-side tensor: float32 or int32 values with their shape. */
export interface HostTensor {
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

const ELEMENT_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes one tensor's raw little-endian bytes. */
export function decodeTensor(name: string, dtype: string, shape: number[], bytes: Uint8Array, where: string): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = ELEMENT_BYTES[dtype];
  if (width === undefined) throw new CheckpointError(`tensor "${name}" has unsupported dtype ${dtype}`, where);
  if (bytes.byteLength !== n * width) {
    throw new CheckpointError(`tensor "${name}" has ${bytes.byteLength} bytes, shape [${shape.join(',')}] × ${dtype} needs ${n * width}`, where);
  }
  const isFloat = dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
  const out = isFloat ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    switch (dtype) {
      case 'F32': out[i] = view.getFloat32(o, true); break;
      case 'F64': out[i] = view.getFloat64(o, true); break;
      case 'F16': out[i] = f16ToF32(view.getUint16(o, true)); break;
      case 'BF16': {
        out[i] = bf16(view.getUint16(o, true));
        break;
      }
      case 'I64': out[i] = Number(view.getBigInt64(o, true)); break;
      case 'I32': out[i] = view.getInt32(o, true); break;
      case 'I16': out[i] = view.getInt16(o, true); break;
      case 'I8': out[i] = view.getInt8(o); break;
      default: out[i] = view.getUint8(o); // U8, BOOL
    }
  }
  return { dtype: isFloat ? 'float32' : 'int32', shape, data: out };
}

const scratch = new DataView(new ArrayBuffer(4));
function bf16(h: number): number {
  scratch.setUint32(0, h << 16, true);
  return scratch.getFloat32(0, true);
}

/** One header entry: dtype, shape and byte range within the data section. */
export interface TensorEntry {
  readonly dtype: string;
  readonly shape: number[];
  readonly start: number;
  readonly end: number;
}

/** Parses the JSON header (given its bytes) and checks every entry against the data section's size. */
export function parseHeader(json: Uint8Array, dataBytes: number, where: string): { entries: Map<string, TensorEntry>; metadata: Record<string, string> } {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(json)) as Record<string, unknown>;
  } catch (cause) {
    throw new CheckpointError('header is not valid JSON', where, { cause });
  }
  const entries = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) {
      throw new CheckpointError(`header entry "${name}" lacks dtype, shape or data_offsets`, where);
    }
    const [start, end] = e.data_offsets;
    if (end > dataBytes || start > end) throw new CheckpointError(`tensor "${name}" offsets [${start},${end}) exceed the data (${dataBytes} bytes)`, where);
    entries.set(name, { dtype: e.dtype, shape: e.shape, start, end });
  }
  return { entries, metadata };
}

/** Reads the 8-byte little-endian header length. */
export function headerLength(first8: Uint8Array, fileBytes: number, where: string): number {
  if (first8.byteLength < 8) throw new CheckpointError(`file is ${first8.byteLength} bytes, shorter than the 8-byte header length`, where);
  const n = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > fileBytes) throw new CheckpointError(`header length ${n} exceeds the file size ${fileBytes}`, where);
  return n;
}

/** Parses a safetensors buffer into host tensors (F16/BF16/F64 widen or narrow to float32, integers to int32). */
export function decodeSafetensors(buf: Uint8Array, where = '(buffer)'): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  const headerLen = headerLength(buf.subarray(0, 8), buf.byteLength, where);
  const body = buf.subarray(8 + headerLen);
  const { entries, metadata } = parseHeader(buf.subarray(8, 8 + headerLen), body.byteLength, where);
  const tensors = new Map<string, HostTensor>();
  for (const [name, e] of entries) tensors.set(name, decodeTensor(name, e.dtype, e.shape, body.subarray(e.start, e.end), where));
  return { tensors, metadata };
}

/** Serializes host tensors (F32 / I32) to a safetensors buffer, names sorted, data 8-byte aligned. */
export function encodeSafetensors(tensors: ReadonlyMap<string, HostTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = t.data.length * 4;
    header[name] = { dtype: t.dtype === 'float32' ? 'F32' : 'I32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const name of names) {
    const t = tensors.get(name)!;
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    // Host byte order is little-endian on every platform Node supports.
    out.set(src, pos);
    pos += src.byteLength;
  }
  return out;
}
