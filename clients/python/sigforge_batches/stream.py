"""The HTTP batch stream as an iterable with `state_dict()` / `load_state_dict()`, and exported-file reading."""

import glob
import os
import urllib.error
import urllib.parse
import urllib.request

import pyarrow as pa

from .batches import FeedError, decode_batch, feed_metadata


class BatchStream:
    """Iterates batches of `sigforge batches serve` at `url` (e.g. http://127.0.0.1:8765).

    Each batch is a dict of numpy arrays (or torch tensors with ``as_torch=True``). ``state_dict()`` holds the resume
    token of the last batch yielded; after ``load_state_dict()`` iteration continues exactly after that batch, in this
    or in a new process. ``rank``/``world_size`` pick a data-parallel share of a fresh stream (a token carries its own).
    A broken connection is resumed from the last token up to ``retries`` times.
    """

    def __init__(self, url, rank=None, world_size=None, limit=None, as_torch=False, timeout=300, retries=3):
        self.url = url.rstrip("/")
        self.rank = rank
        self.world_size = world_size
        self.limit = limit
        self.as_torch = as_torch
        self.timeout = timeout
        self.retries = retries
        self.token = None
        self.info = None

    def state_dict(self):
        """What a checkpoint saves: the resume token after the last batch yielded (None before the first)."""
        return {"token": self.token}

    def load_state_dict(self, state):
        """Continues after the batch whose token `state` holds."""
        self.token = state.get("token")

    def _open(self, remaining):
        q = {}
        if self.token is not None:
            q["token"] = self.token
        if self.rank is not None:
            q["rank"] = str(self.rank)
        if self.world_size is not None:
            q["world_size"] = str(self.world_size)
        if remaining is not None:
            q["limit"] = str(remaining)
        url = f"{self.url}/batches" + (f"?{urllib.parse.urlencode(q)}" if q else "")
        try:
            return urllib.request.urlopen(url, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            raise FeedError(err.read().decode("utf-8", "replace").strip() or f"HTTP {err.code}") from None

    def __iter__(self):
        done = 0
        failures = 0
        while self.limit is None or done < self.limit:
            resp = self._open(None if self.limit is None else self.limit - done)
            try:
                reader = pa.ipc.open_stream(resp)
                self.info = feed_metadata(reader.schema)
                for rb in reader:
                    batch = decode_batch(rb, self.info, self.as_torch)
                    self.token = batch["resume_token"]
                    done += 1
                    failures = 0
                    yield batch
                return
            except (pa.ArrowInvalid, OSError) as err:
                failures += 1
                if failures > self.retries:
                    raise FeedError(f"stream broke off after {done} batches: {err}") from err
            finally:
                resp.close()


def read_exported(directory, as_torch=False):
    """Yields the batches of a `sigforge batches export` directory (part-*.arrow, in order), memory-mapped."""
    files = sorted(glob.glob(os.path.join(directory, "part-*.arrow")))
    if not files:
        raise FeedError(f"{directory}: no part-*.arrow files (not a sigforge batches export?)")
    for path in files:
        with pa.memory_map(path) as source:
            reader = pa.ipc.open_file(source)
            info = feed_metadata(reader.schema)
            for i in range(reader.num_record_batches):
                yield decode_batch(reader.get_batch(i), info, as_torch)
