"""Train a tiny HF transformers SiglipModel with the sigmoid loss on sigforge's curated batch stream.

Start the stream first (fixed resolution = the model's image size, token length = its max_position_embeddings):

    sigforge batches serve --data emoji@latest --text-length 16 \
        --loader '{"batchSize": 32, "resolution": {"kind": "fixed", "size": 64}, "cropScale": [0.6, 1]}'

then `python examples/pytorch/train_siglip.py --url http://127.0.0.1:8765 --steps 300 --out runs/pytorch-siglip`.
The checkpoint is HF layout (config.json + model.safetensors + sigforge's compact vocab.json), so `sigforge eval --model runs/pytorch-siglip` reads it.
Kill it at any point: it checkpoints model, optimizer and the stream's resume token, and continues exactly.
Needs: pip install torch transformers safetensors ./clients/python
"""

import argparse
import json
import os
import time

import torch
from transformers import SiglipConfig, SiglipModel

from sigforge_batches import BatchStream


def compact_vocab(url, batches):
    """Gemma ids the first `batches` batches use, as sigforge's compact vocabulary (entries 0-2: pad, EOS, unknown).

    A 256k x width embedding would dominate a tiny model; sigforge eval maps Gemma ids through the saved vocab.json.
    """
    seen = set()
    for b in BatchStream(url, limit=batches):
        seen.update(int(x) for x in set(b["tokens"].ravel().tolist()))
    gemma_pad, gemma_eos, gemma_unk = 0, 1, 3
    return [gemma_pad, gemma_eos, gemma_unk] + sorted(seen - {gemma_pad, gemma_eos, gemma_unk})


def tiny_config(info, width, vocab_size):
    """A small SiglipModel matching the stream: its image size, token length and tokenizer vocabulary."""
    res = info["resolution"]
    if res["kind"] != "fixed":
        raise SystemExit("this example trains SiglipModel (fixed resolution); serve a fixed resolution")
    tower = dict(hidden_size=width, intermediate_size=4 * width, num_hidden_layers=2, num_attention_heads=max(1, width // 32))
    return SiglipConfig(
        text_config=dict(tower, vocab_size=vocab_size, max_position_embeddings=info["tokenizer"]["length"]),
        vision_config=dict(tower, image_size=res["size"], patch_size=16),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8765")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--out", default="runs/pytorch-siglip")
    ap.add_argument("--rank", type=int, default=None)
    ap.add_argument("--world-size", type=int, default=None)
    ap.add_argument("--vocab-batches", type=int, default=40, help="batches scanned for the compact vocabulary")
    args = ap.parse_args()
    torch.manual_seed(0)

    stream = BatchStream(args.url, rank=args.rank, world_size=args.world_size, as_torch=True)
    state_path = os.path.join(args.out, "train_state.pt")
    saved = torch.load(state_path, weights_only=False) if os.path.exists(state_path) else None
    if saved:
        stream.load_state_dict(saved["stream"])  # continue after the last batch trained on
    it = iter(stream)
    first = next(it)  # the schema metadata (tokenizer, resolution) sizes the model
    vocab_path = os.path.join(args.out, "vocab.json")
    if saved:
        gemma_ids = json.load(open(vocab_path))["gemmaIds"]
    else:
        gemma_ids = compact_vocab(args.url, args.vocab_batches)
        os.makedirs(args.out, exist_ok=True)
        with open(vocab_path, "w") as f:
            json.dump({"kind": "compact-vocab", "version": 1, "gemmaIds": gemma_ids}, f)
    to_compact = torch.full((stream.info["tokenizer"]["vocabSize"],), 2, dtype=torch.long)  # unknown -> entry 2
    to_compact[torch.tensor(gemma_ids)] = torch.arange(len(gemma_ids))
    model = SiglipModel(tiny_config(stream.info, args.width, len(gemma_ids)))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    step = 0
    if saved:
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        step = saved["step"]
    start = step  # the schedule continues from the restored step
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + start + 1) / 20) * max(0.05, 1 - (s + start) / args.steps))
    model.train()
    t0, losses = time.time(), []
    while step < args.steps:
        batch = first if first is not None else next(it)
        first = None
        img = batch["image"]
        pixels = img.permute(0, 3, 1, 2).float()  # NHWC -> NCHW
        if img.dtype == torch.uint8:  # --pixels uint8: back to [-1, 1]
            pixels = pixels / 127.5 - 1
        out = model(input_ids=to_compact[batch["tokens"].long()], pixel_values=pixels, return_loss=True)  # sigmoid loss
        opt.zero_grad()
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        losses.append(out.loss.item())
        if step % 25 == 0 or step == args.steps:
            print(json.dumps({"step": step, "loss": round(sum(losses[-25:]) / len(losses[-25:]), 4), "s": round(time.time() - t0, 1)}), flush=True)
        if step % 100 == 0 or step == args.steps:
            os.makedirs(args.out, exist_ok=True)
            model.save_pretrained(args.out, safe_serialization=True)  # HF layout: config.json + model.safetensors
            tmp = state_path + ".tmp"
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "stream": stream.state_dict(), "step": step}, tmp)
            os.replace(tmp, state_path)
    print(json.dumps({"done": step, "first_loss": round(losses[0], 4) if losses else None, "last25_loss": round(sum(losses[-25:]) / max(1, len(losses[-25:])), 4), "out": args.out}))


if __name__ == "__main__":
    main()
