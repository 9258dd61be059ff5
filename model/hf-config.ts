// HF config.json (SiglipModel / Siglip2Model) → sigforge ModelConfig, with HF's defaults for missing fields.
import { z } from 'zod';
import { type ModelConfig, parseModelConfig } from './config.js';
import { CheckpointError } from './errors.js';

const hfTower = {
  hidden_size: z.number().int().default(768),
  intermediate_size: z.number().int().default(3072),
  num_hidden_layers: z.number().int().default(12),
  num_attention_heads: z.number().int().default(12),
  layer_norm_eps: z.number().default(1e-6),
  hidden_act: z.string().default('gelu_pytorch_tanh'),
};

const hfConfigSchema = z.object({
  model_type: z.enum(['siglip', 'siglip2']),
  text_config: z
    .object({
      ...hfTower,
      vocab_size: z.number().int().default(32000),
      max_position_embeddings: z.number().int().default(64),
      projection_size: z.number().int().nullish(),
    })
    .default({} as never),
  vision_config: z
    .object({
      ...hfTower,
      image_size: z.number().int().default(224),
      patch_size: z.number().int().default(16),
      num_patches: z.number().int().default(256),
      num_channels: z.number().int().default(3),
      vision_use_head: z.boolean().default(true),
    })
    .default({} as never),
});

/** Maps an HF SigLIP / SigLIP 2 config.json object to a ModelConfig (NaFlex for model_type "siglip2"). */
export function modelConfigFromHf(json: unknown, where = 'config.json'): ModelConfig {
  const r = hfConfigSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CheckpointError(`${issue.path.join('.') || '(root)'}: ${issue.message}`, where, { cause: r.error });
  }
  const { model_type, text_config: t, vision_config: v } = r.data;
  for (const [tower, act] of [['text_config', t.hidden_act], ['vision_config', v.hidden_act]] as const) {
    if (act !== 'gelu_pytorch_tanh') throw new CheckpointError(`${tower}.hidden_act "${act}" is not supported (gelu_pytorch_tanh only)`, where);
  }
  if (v.num_channels !== 3) throw new CheckpointError(`vision_config.num_channels must be 3, got ${v.num_channels}`, where);
  const naflex = model_type === 'siglip2';
  const posGrid = Math.round(Math.sqrt(v.num_patches));
  return parseModelConfig({
    name: `hf-${model_type}`,
    vision: {
      width: v.hidden_size,
      depth: v.num_hidden_layers,
      heads: v.num_attention_heads,
      mlpDim: v.intermediate_size,
      patchSize: v.patch_size,
      imageSize: naflex ? posGrid * v.patch_size : v.image_size,
      naflex,
      posGrid,
      useHead: v.vision_use_head,
    },
    text: {
      width: t.hidden_size,
      depth: t.num_hidden_layers,
      heads: t.num_attention_heads,
      mlpDim: t.intermediate_size,
      vocabSize: t.vocab_size,
      maxLength: t.max_position_embeddings,
      // Kept only when it differs, so configs of models whose towers agree stay as they were.
      ...(t.layer_norm_eps !== v.layer_norm_eps && { layerNormEps: t.layer_norm_eps }),
    },
    embedDim: t.projection_size ?? t.hidden_size,
    decoderDepth: 0,
    sdWeight: 0,
    layerNormEps: v.layer_norm_eps,
  });
}

/** The HF config.json object for a ModelConfig (SiglipModel for fixed resolution, Siglip2Model for NaFlex). */
export function hfConfigFromModel(c: ModelConfig): Record<string, unknown> {
  const tower = (t: { width: number; depth: number; heads: number; mlpDim: number; layerNormEps?: number }) => ({
    hidden_size: t.width,
    intermediate_size: t.mlpDim,
    num_hidden_layers: t.depth,
    num_attention_heads: t.heads,
    layer_norm_eps: t.layerNormEps ?? c.layerNormEps,
    hidden_act: 'gelu_pytorch_tanh',
  });
  const naflex = c.vision.naflex;
  return {
    model_type: naflex ? 'siglip2' : 'siglip',
    architectures: [naflex ? 'Siglip2Model' : 'SiglipModel'],
    text_config: {
      ...tower(c.text),
      vocab_size: c.text.vocabSize,
      max_position_embeddings: c.text.maxLength,
      projection_size: c.embedDim,
      model_type: naflex ? 'siglip2_text_model' : 'siglip_text_model',
    },
    vision_config: {
      ...tower(c.vision),
      patch_size: c.vision.patchSize,
      num_channels: 3,
      vision_use_head: c.vision.useHead,
      ...(naflex ? { num_patches: c.vision.posGrid ** 2 } : { image_size: c.vision.imageSize }),
      model_type: naflex ? 'siglip2_vision_model' : 'siglip_vision_model',
    },
  };
}
