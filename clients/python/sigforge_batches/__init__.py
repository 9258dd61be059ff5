"""Curated sigforge training batches for PyTorch, JAX or numpy: an iterable over `sigforge batches serve`
(Arrow IPC over HTTP) with a resume token in `state_dict()`, and a reader of `sigforge batches export` files."""

from .batches import FeedError, decode_batch, feed_metadata, position_of
from .stream import BatchStream, read_exported

__all__ = ["BatchStream", "FeedError", "decode_batch", "feed_metadata", "position_of", "read_exported"]
