#!/usr/bin/env python3
"""PyTorch peer of bench/gpu/step.ts on CUDA (or CPU): the same SigLIP 2 towers, LocCa decoder (3 tasks, 50% parallel
captioning), sigmoid loss and AdamW with gradient clipping, in plain torch (no transformers: the GPU machine has only
PyTorch). fp32, or bf16 autocast. Prints one JSON line.

    python3 torch_step.py '<json model config>' <batch> <steps> <fp32|bf16> [cuda|cpu]

The decoder follows scripts/reference/siglip2_train_step_torch.py; the towers follow HF SiglipModel (pre-LN blocks,
tanh GELU, MAP head on images, last-token head on texts).
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

nn = torch.nn


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-6), nn.LayerNorm(d, eps=1e-6)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, mlp), nn.Linear(mlp, d)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Vision(nn.Module):
    def __init__(self, v, e):
        super().__init__()
        d, p = v["width"], v["patchSize"]
        self.patch = nn.Conv2d(3, d, p, p)
        self.pos = nn.Parameter(torch.randn(1, (v["imageSize"] // p) ** 2, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, v["heads"], v["mlpDim"]) for _ in range(v["depth"]))
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.probe = nn.Parameter(torch.randn(1, 1, d))
        self.map_attn = nn.MultiheadAttention(d, v["heads"], batch_first=True)
        self.map_ln = nn.LayerNorm(d, eps=1e-6)
        self.map_mlp = nn.Sequential(nn.Linear(d, v["mlpDim"]), nn.GELU("tanh"), nn.Linear(v["mlpDim"], d))
        self.head = nn.Linear(d, e) if d != e else nn.Identity()

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2) + self.pos
        for b in self.blocks:
            x = b(x)
        tokens = self.ln(x)
        h = self.map_attn(self.probe.expand(x.shape[0], -1, -1), tokens, tokens, need_weights=False)[0]
        h = h + self.map_mlp(self.map_ln(h))
        return self.head(h[:, 0]), tokens


class Text(nn.Module):
    def __init__(self, t, e):
        super().__init__()
        d = t["width"]
        self.emb = nn.Embedding(t["vocabSize"], d)
        self.pos = nn.Parameter(torch.randn(1, t["maxLength"], d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, t["heads"], t["mlpDim"]) for _ in range(t["depth"]))
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, e)

    def forward(self, ids):
        x = self.emb(ids) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln(x)[:, -1])


class DecoderLayer(nn.Module):
    def __init__(self, d, dv, heads, mlp):
        super().__init__()
        self.ln1, self.ln2, self.ln3 = (nn.LayerNorm(d, eps=1e-6) for _ in range(3))
        self.self_attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(d, heads, kdim=dv, vdim=dv, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, mlp), nn.Linear(mlp, d)

    def forward(self, x, img, mask):
        h = self.ln1(x)
        x = x + self.self_attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        h = self.ln2(x)
        x = x + self.cross_attn(h, img, img, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.ln3(x)), approximate="tanh"))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, t = c["text"]["width"], c["text"]["maxLength"]
        self.emb = nn.Embedding(c["text"]["vocabSize"], d)
        self.pos = nn.Parameter(torch.randn(1, t, d) / d**0.5)
        self.bos = nn.Parameter(torch.randn(1, 1, d))
        self.mask_token = nn.Parameter(torch.randn(1, 1, d))
        self.layers = nn.ModuleList(
            DecoderLayer(d, c["vision"]["width"], c["text"]["heads"], c["text"]["mlpDim"]) for _ in range(c["decoderDepth"]))
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.bias = nn.Parameter(torch.zeros(c["text"]["vocabSize"]))

    def loss(self, targets, loss_mask, parallel, img):
        b, t = targets.shape
        ar = torch.cat([self.bos.expand(b, 1, -1), self.emb(targets[:, :-1])], 1)
        par = parallel.view(b, 1, 1).to(ar.dtype)
        x = ar * (1 - par) + self.mask_token.expand(b, t, -1) * par + self.pos
        causal = torch.triu(torch.full((t, t), -1e9, device=targets.device), 1)
        mask = (causal.unsqueeze(0) * (1 - par.float())).repeat_interleave(self.layers[0].self_attn.num_heads, 0)
        for layer in self.layers:
            x = layer(x, img, mask.to(x.dtype))
        logits = self.ln(x) @ self.emb.weight.T + self.bias
        nll = F.cross_entropy(logits.reshape(b * t, -1).float(), targets.reshape(-1), reduction="none")
        return (nll * loss_mask.reshape(-1)).sum() / loss_mask.sum().clamp(min=1)


def main():
    c = json.loads(sys.argv[1])
    batch, steps, dtype = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    dev = torch.device(sys.argv[5] if len(sys.argv) > 5 else ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 means fp32, as on webgpu
    torch.backends.cudnn.allow_tf32 = False
    v, t, e = c["vision"], c["text"], c["embedDim"]
    vision, text, dec = Vision(v, e).to(dev), Text(t, e).to(dev), Decoder(c).to(dev)
    scale, bias = nn.Parameter(torch.tensor(2.302585, device=dev)), nn.Parameter(torch.tensor(-10.0, device=dev))
    params = [*vision.parameters(), *text.parameters(), scale, bias] + (list(dec.parameters()) if c["decoderDepth"] > 0 else [])
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.95), weight_decay=1e-4, fused=dev.type == "cuda")
    pixels = torch.rand(batch, 3, v["imageSize"], v["imageSize"], device=dev) * 2 - 1
    ids = torch.randint(3, t["vocabSize"], (batch, t["maxLength"]), device=dev)
    loss_mask = (torch.arange(t["maxLength"], device=dev) < t["maxLength"] // 2).float().expand(batch, -1)
    parallel = torch.arange(batch, device=dev) % 2 == 0
    no_par = torch.zeros(batch, dtype=torch.bool, device=dev)
    z = 2 * torch.eye(batch, device=dev) - 1

    def step():
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dtype == "bf16"):
            zi, img = vision(pixels)
            zt = text(ids)
            zi, zt = F.normalize(zi.float(), dim=-1), F.normalize(zt.float(), dim=-1)
            logits = zi @ zt.T * scale.exp() + bias
            loss = -F.logsigmoid(z * logits).sum() / batch
            if c["decoderDepth"] > 0:
                loss = loss + (dec.loss(ids, loss_mask, parallel, img) + dec.loss(ids, loss_mask, no_par, img)
                               + dec.loss(ids, loss_mask, no_par, img)) / 3
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss

    for _ in range(2):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        last = step()
    float(last.detach())  # waits for the queue, as the webgpu bench's one read does
    dt = (time.perf_counter() - t0) / steps
    peak = torch.cuda.max_memory_allocated() / 2**30 if dev.type == "cuda" else None
    print(json.dumps({"step_s": dt, "images_per_s": batch / dt, "batch": batch, "dtype": dtype, "device": str(dev),
                      "gpu": torch.cuda.get_device_name() if dev.type == "cuda" else None, "peak_gib": peak,
                      "torch": torch.__version__, "params_m": sum(p.numel() for p in params) / 1e6}))


if __name__ == "__main__":
    main()
