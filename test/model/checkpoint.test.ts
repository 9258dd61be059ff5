// safetensors and HF checkpoint round trips: golden fixture → sigforge → HF bytes reproduce every tensor.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { selectBackend } from '../../model/backend.js';
import { modelConfigFromHf } from '../../model/hf-config.js';
import { hfSafetensorsBytes, paramsFromHfTensors } from '../../model/hf-checkpoint.js';
import { decodeSafetensors, encodeSafetensors, type HostTensor } from '../../model/safetensors.js';
import { FIXTURES, readFixture } from './helpers.js';

const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'siglip-reference.json'), 'utf8')) as Record<'fixed' | 'naflex', { config: unknown }>;

describe('safetensors', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('round-trips float32 and int32 tensors with metadata', () => {
    const t = new Map<string, HostTensor>([
      ['b', { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -1e8]) }],
      ['a', { dtype: 'int32', shape: [4], data: Int32Array.from([0, -1, 2 ** 30, 7]) }],
    ]);
    const bytes = encodeSafetensors(t, { format: 'pt' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLen) % 8, 0, 'data is 8-byte aligned');
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.metadata, { format: 'pt' });
    assert.deepEqual([...back.tensors.keys()].sort(), ['a', 'b']);
    for (const [k, v] of t) assert.deepEqual(back.tensors.get(k), v);
  });

  it('reads F16 and BF16 and reports broken files with the reason', () => {
    const header = JSON.stringify({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] } });
    const buf = new Uint8Array(8 + header.length + 6);
    const dv = new DataView(buf.buffer);
    dv.setBigUint64(0, BigInt(header.length), true);
    buf.set(new TextEncoder().encode(header), 8);
    const o = 8 + header.length;
    dv.setUint16(o, 0x3c00, true); // 1.0
    dv.setUint16(o + 2, 0xc000, true); // -2.0
    dv.setUint16(o + 4, 0x4049, true); // bf16 ≈ 3.140625
    const t = decodeSafetensors(buf).tensors;
    assert.deepEqual([...t.get('h')!.data], [1, -2]);
    assert.equal(t.get('b')!.data[0], 3.140625);
    assert.throws(() => decodeSafetensors(buf.subarray(0, 5), 'x.safetensors'), /x.safetensors: file is 5 bytes/);
    assert.throws(() => decodeSafetensors(buf.subarray(0, o + 5)), /tensor "b" offsets \[4,6\) exceed the data \(5 bytes\)/);
  });
});

describe('HF checkpoints', () => {
  for (const kind of ['fixed', 'naflex'] as const) {
    it(`${kind}: import then export reproduces every HF tensor exactly`, async () => {
      await selectBackend('cpu');
      const file = kind === 'fixed' ? 'siglip-fixed.safetensors' : 'siglip2-naflex.safetensors';
      const original = readFixture(file);
      const config = modelConfigFromHf(meta[kind].config);
      const { params } = paramsFromHfTensors(config, original, file);
      const exported = decodeSafetensors(await hfSafetensorsBytes(config, params)).tensors;
      params.dispose();
      assert.deepEqual([...exported.keys()].sort(), [...original.keys()].sort());
      for (const [k, v] of original) {
        assert.deepEqual(exported.get(k)!.shape, v.shape, k);
        assert.deepEqual(exported.get(k)!.data, v.data, k);
      }
    });
  }
});
