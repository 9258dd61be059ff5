"""Peer for `npm run bench -- eval`: image and text embeddings/s of the same tiny SigLIP shapes in HF transformers
(PyTorch, CPU), images decoded from the same 64 px emoji PNGs with PIL and resized to 32 px, texts as token ids.

Usage: python3 scripts/reference/eval_throughput_torch.py [images=256] [texts=512]
Prints one JSON object. Not run by CI (needs torch + transformers).
"""
import glob, json, os, sys, time

import numpy as np
import torch
from PIL import Image
from transformers import SiglipConfig, SiglipModel

n_img = int(sys.argv[1]) if len(sys.argv) > 1 else 256
n_txt = int(sys.argv[2]) if len(sys.argv) > 2 else 512
torch.manual_seed(0)
cfg = SiglipConfig(
    text_config=dict(hidden_size=64, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4, vocab_size=1024, max_position_embeddings=16),
    vision_config=dict(hidden_size=64, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4, image_size=32, patch_size=8),
)
model = SiglipModel(cfg).eval()
root = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "emoji-datasource-facebook", "img", "facebook", "64")
files = sorted(glob.glob(os.path.join(root, "*.png")))[:n_img]


def pixels(path):
    im = Image.open(path).convert("RGBA")
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    im = Image.alpha_composite(bg, im).convert("RGB").resize((32, 32), Image.LANCZOS)
    return (np.asarray(im, dtype=np.float32) / 127.5 - 1).transpose(2, 0, 1)


def images_per_s():
    t = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(files), 32):
            batch = torch.from_numpy(np.stack([pixels(f) for f in files[i : i + 32]]))
            torch.nn.functional.normalize(model.get_image_features(pixel_values=batch).pooler_output, dim=-1)
    return len(files) / (time.perf_counter() - t)


def texts_per_s():
    ids = torch.randint(3, 1024, (n_txt, 16))
    t = time.perf_counter()
    with torch.no_grad():
        for i in range(0, n_txt, 64):
            torch.nn.functional.normalize(model.get_text_features(input_ids=ids[i : i + 64]).pooler_output, dim=-1)
    return n_txt / (time.perf_counter() - t)


images_per_s(), texts_per_s()  # warm-up
print(json.dumps({
    "peer": f"transformers {__import__('transformers').__version__} / torch {torch.__version__} CPU, {torch.get_num_threads()} threads",
    "image_embeddings_per_s": images_per_s(),
    "text_embeddings_per_s_forward_only": texts_per_s(),
    "images": len(files),
    "texts": n_txt,
}))
