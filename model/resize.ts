// Anti-aliased bilinear resize as explicit matrices (PyTorch `interpolate(mode='bilinear', antialias=True,
// align_corners=False)` / PIL semantics): the kernel support widens by the scale when down-sampling.
// Position embeddings are resized as M·pos, so the resize is one matmul and differentiable.

/** Weights [outSize × inSize] (row-major) of a 1-D anti-aliased linear resize. */
export function aaResizeMatrix(inSize: number, outSize: number): Float64Array {
  const m = new Float64Array(outSize * inSize);
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? 1 / scale : 1;
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let j = xmin; j < xmax; j++) {
      const w = Math.max(0, 1 - Math.abs((j - center + 0.5) * invScale));
      m[i * inSize + j] = w;
      total += w;
    }
    if (total > 0) for (let j = xmin; j < xmax; j++) m[i * inSize + j]! /= total;
  }
  return m;
}

/** Weights [(outH·outW) × (inH·inW)] resizing a row-major grid, the Kronecker product of the two 1-D resizes. */
export function gridResizeMatrix(inH: number, inW: number, outH: number, outW: number): Float32Array {
  const my = aaResizeMatrix(inH, outH);
  const mx = aaResizeMatrix(inW, outW);
  const out = new Float32Array(outH * outW * inH * inW);
  const cols = inH * inW;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const row = (oy * outW + ox) * cols;
      for (let iy = 0; iy < inH; iy++) {
        const wy = my[oy * inH + iy]!;
        if (wy === 0) continue;
        for (let ix = 0; ix < inW; ix++) out[row + iy * inW + ix] = wy * mx[ox * inW + ix]!;
      }
    }
  }
  return out;
}
