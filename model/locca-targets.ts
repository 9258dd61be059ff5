// Builds the three LocCa decoder targets of a row (recipe §3): captioning, ARef ("aref: {label} : {box}") and
// GCap ("gcap: {box} : {label}"), boxes written as four integers quantized to 0–(bins−1).
import { GEMMA, type TextEncoder } from './tokenizer.js';

/** A box in relative coordinates [0, 1] with its region text. */
export interface RelBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly label: string;
}

/** A decoder target: ids (model vocabulary) and a 0/1 loss mask, both of the sequence length. */
export interface LoccaSequence {
  readonly ids: Int32Array;
  readonly lossMask: Float32Array;
}

export interface LoccaTargetOptions {
  /** Sequence length (the text tower's). */
  readonly length: number;
  /** Box quantization bins (500 → 0–499). */
  readonly bins?: number;
  /** Maps Gemma ids to model ids (e.g. a compacted vocabulary); identity when absent. */
  readonly mapIds?: (ids: ArrayLike<number>) => ArrayLike<number>;
}

/** Box as text "x0 y0 x1 y1", integers in [0, bins). */
export function boxText(box: RelBox, bins = 500): string {
  const q = (v: number) => Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
  return `${q(box.x0)} ${q(box.y0)} ${q(box.x1)} ${q(box.y1)}`;
}

function sequence(enc: TextEncoder, prefix: string, target: string, o: LoccaTargetOptions): LoccaSequence {
  const pre = prefix ? enc.encode(prefix.toLowerCase()) : [];
  const tgt = [...enc.encode(target.toLowerCase()), GEMMA.eos];
  const all = [...pre, ...tgt].slice(0, o.length);
  // Keep the EOS when truncating, as the text tower does.
  if (pre.length + tgt.length > o.length) all[o.length - 1] = GEMMA.eos;
  const gemmaIds = new Int32Array(o.length);
  gemmaIds.set(all);
  const ids = Int32Array.from(o.mapIds ? o.mapIds(gemmaIds) : gemmaIds);
  const lossMask = new Float32Array(o.length);
  for (let i = Math.min(pre.length, o.length); i < all.length; i++) lossMask[i] = 1;
  return { ids, lossMask };
}

/** Captioning target: the caption then EOS, loss on every non-pad position. */
export function captionTarget(enc: TextEncoder, caption: string, o: LoccaTargetOptions): LoccaSequence {
  return sequence(enc, '', caption, o);
}

/** ARef target: prefix "aref: {label} :" (no loss), then the box text and EOS (loss). */
export function arefTarget(enc: TextEncoder, box: RelBox, o: LoccaTargetOptions): LoccaSequence {
  return sequence(enc, `aref: ${box.label} :`, ` ${boxText(box, o.bins)}`, o);
}

/** GCap target: prefix "gcap: {box} :" (no loss), then the region text and EOS (loss). */
export function gcapTarget(enc: TextEncoder, box: RelBox, o: LoccaTargetOptions): LoccaSequence {
  return sequence(enc, `gcap: ${boxText(box, o.bins)} :`, ` ${box.label}`, o);
}

/** An all-zero target (a row without boxes contributes nothing to ARef/GCap). */
export function emptyTarget(length: number): LoccaSequence {
  return { ids: new Int32Array(length), lossMask: new Float32Array(length) };
}
