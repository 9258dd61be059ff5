"""Arrow record batch -> dict of numpy arrays (zero-copy views of the Arrow buffers) or torch tensors."""

import base64
import json
import warnings

import numpy as np
import pyarrow as pa


class FeedError(Exception):
    """The stream refused a request (bad resume token, rank, limit) or broke off; the message says why."""


def feed_metadata(schema):
    """The stream's `sigforge.feed` schema metadata: dataset, tokenizer, pixel encoding, resolution, layout."""
    meta = schema.metadata or {}
    raw = meta.get(b"sigforge.feed")
    if raw is None:
        raise FeedError("not a sigforge batch stream: schema metadata has no sigforge.feed")
    info = json.loads(raw)
    if info.get("version") != "1":
        raise FeedError(f"sigforge.feed version {info.get('version')!r} is not supported (this client reads 1)")
    return info


def position_of(token):
    """The loader position inside a resume token (epoch, window, offset, batches, samples, rank, worldSize)."""
    pad = "=" * (-len(token) % 4)
    return json.loads(base64.urlsafe_b64decode(token + pad))["position"]


def _values(col, shape):
    """The flat child values of a list column as a numpy view, reshaped."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    flat = arr.flatten()
    return flat.to_numpy(zero_copy_only=True).reshape(shape)


def decode_batch(rb, info, as_torch=False):
    """One record batch as a dict: images, tokens, weights as arrays; ids, captions, boxes as lists; the token."""
    b = rb.num_rows
    col = rb.column
    names = rb.schema.names
    out = {
        "id": col(names.index("id")).to_pylist(),
        "caption": col(names.index("caption")).to_pylist(),
        "weight": col(names.index("weight")).to_numpy(zero_copy_only=True),
        "tokens": _values(col(names.index("tokens")), (b, info["tokenizer"]["length"])),
        "boxes": col(names.index("boxes")).to_pylist(),
        "resume_token": col(names.index("resume_token"))[b - 1].as_py() if b else None,
    }
    res = info["resolution"]
    if res["kind"] == "fixed":
        s = res["size"]
        out["image"] = _values(col(names.index("image")), (b, s, s, 3))
    else:
        dim = res["patchSize"] ** 2 * 3
        out["patches"] = _values(col(names.index("patches")), (b, -1, dim))
        out["mask"] = _values(col(names.index("mask")), (b, -1))
        out["spatial_shape"] = _values(col(names.index("spatial_shape")), (b, 2))
    if as_torch:
        import torch  # optional dependency

        with warnings.catch_warnings():
            # Arrow buffers are read-only; the tensors share them (no copy) and must not be written in place.
            warnings.simplefilter("ignore", UserWarning)
            for k, v in list(out.items()):
                if isinstance(v, np.ndarray):
                    out[k] = torch.from_numpy(v)
    return out
