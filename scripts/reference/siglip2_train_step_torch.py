#!/usr/bin/env python3
"""PyTorch peer of `npm run bench -- train-step`: the same two towers (HF SiglipModel), the same LocCa decoder and
losses, AdamW, batch and thread count, timed on CPU. Prints one JSON line.

    python scripts/reference/siglip2_train_step_torch.py '<json config>' <batch> <steps> <threads>
"""
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F
from transformers import SiglipConfig, SiglipModel


class DecoderLayer(torch.nn.Module):
    def __init__(self, d: int, dv: int, heads: int, mlp: int):
        super().__init__()
        self.ln1, self.ln2, self.ln3 = (torch.nn.LayerNorm(d, eps=1e-6) for _ in range(3))
        self.self_attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)
        self.cross_attn = torch.nn.MultiheadAttention(d, heads, kdim=dv, vdim=dv, batch_first=True)
        self.fc1, self.fc2 = torch.nn.Linear(d, mlp), torch.nn.Linear(mlp, d)

    def forward(self, x, img, mask):
        h = self.ln1(x)
        x = x + self.self_attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        h = self.ln2(x)
        x = x + self.cross_attn(h, img, img, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.ln3(x)), approximate="tanh"))


class Decoder(torch.nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        d, t = c["text"]["width"], c["text"]["maxLength"]
        self.emb = torch.nn.Embedding(c["text"]["vocabSize"], d)
        self.pos = torch.nn.Parameter(torch.randn(1, t, d) / d**0.5)
        self.bos = torch.nn.Parameter(torch.randn(1, 1, d))
        self.mask_token = torch.nn.Parameter(torch.randn(1, 1, d))
        self.layers = torch.nn.ModuleList(
            DecoderLayer(d, c["vision"]["width"], c["text"]["heads"], c["text"]["mlpDim"]) for _ in range(c["decoderDepth"]))
        self.ln = torch.nn.LayerNorm(d, eps=1e-6)
        self.bias = torch.nn.Parameter(torch.zeros(c["text"]["vocabSize"]))

    def loss(self, targets, loss_mask, parallel, img):
        b, t = targets.shape
        ar = torch.cat([self.bos.expand(b, 1, -1), self.emb(targets[:, :-1])], 1)
        par = parallel.view(b, 1, 1).float()
        x = ar * (1 - par) + self.mask_token.expand(b, t, -1) * par + self.pos
        causal = torch.triu(torch.full((t, t), -1e9), 1)
        mask = (causal.unsqueeze(0) * (1 - par)).repeat_interleave(self.layers[0].self_attn.num_heads, 0) if len(self.layers) else None
        for layer in self.layers:
            x = layer(x, img, mask)
        logits = self.ln(x) @ self.emb.weight.T + self.bias
        nll = F.cross_entropy(logits.reshape(b * t, -1), targets.reshape(-1), reduction="none")
        return (nll * loss_mask.reshape(-1)).sum() / loss_mask.sum().clamp(min=1)


def main() -> None:
    c = json.loads(sys.argv[1])
    batch, steps, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    v, t = c["vision"], c["text"]
    tower = lambda x: dict(hidden_size=x["width"], intermediate_size=x["mlpDim"], num_hidden_layers=x["depth"],
                           num_attention_heads=x["heads"], layer_norm_eps=1e-6, hidden_act="gelu_pytorch_tanh")
    cfg = SiglipConfig(text_config=dict(tower(t), vocab_size=t["vocabSize"], max_position_embeddings=t["maxLength"],
                                        projection_size=c["embedDim"]),
                       vision_config=dict(tower(v), image_size=v["imageSize"], patch_size=v["patchSize"]))
    model, dec = SiglipModel(cfg).train(), Decoder(c).train()
    params = list(model.parameters()) + (list(dec.parameters()) if c["decoderDepth"] > 0 else [])
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    pixels = torch.rand(batch, 3, v["imageSize"], v["imageSize"]) * 2 - 1
    ids = torch.randint(3, t["vocabSize"], (batch, t["maxLength"]))
    loss_mask = (torch.arange(t["maxLength"]) < t["maxLength"] // 2).float().expand(batch, -1)
    parallel = torch.arange(batch) % 2 == 0
    no_par = torch.zeros(batch, dtype=torch.bool)

    def step():
        out = model(pixel_values=pixels, input_ids=ids)
        logits = out.logits_per_text
        z = 2 * torch.eye(batch) - 1
        sig = -F.logsigmoid(z * logits).sum() / batch
        loss = sig
        if c["decoderDepth"] > 0:
            img = out.vision_model_output.last_hidden_state
            loss = loss + (dec.loss(ids, loss_mask, parallel, img) + dec.loss(ids, loss_mask, no_par, img)
                           + dec.loss(ids, loss_mask, no_par, img)) / 3
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return float(loss)

    for _ in range(2):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    dt = (time.perf_counter() - t0) / steps
    # CPU seconds per step (all threads): steadier than wall time on a shared machine.
    cpu = (time.process_time() - c0) / steps
    print(json.dumps({"step_s": dt, "cpu_s_per_step": cpu, "steps_per_s": 1 / dt, "images_per_s": batch / dt, "threads": threads,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
