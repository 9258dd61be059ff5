"""Client tests against live `sigforge batches` servers; test/feed/python-client.test.ts starts them and runs this.

FEED_EPOCH_URL serves batch size 1 (one sample per batch, so epochs are exact), FEED_FIXED_URL fixed-size batches,
FEED_NAFLEX_URL NaFlex batches. The torch path is tests/test_torch.py (run with SIGFORGE_TEST_TORCH=1).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from collections import Counter

import numpy as np

from sigforge_batches import BatchStream, FeedError, position_of

EPOCH = os.environ["FEED_EPOCH_URL"]
FIXED = os.environ["FEED_FIXED_URL"]
NAFLEX = os.environ["FEED_NAFLEX_URL"]


def epoch0(stream):
    """Samples (id, caption, pixel bytes) of epoch 0, reading until the first batch of epoch 1."""
    out = []
    for b in stream:
        if position_of(b["resume_token"])["epoch"] >= 1:
            break
        out.append((b["id"][0], b["caption"][0], b["image"].tobytes()))
    return out


class StreamTest(unittest.TestCase):
    def test_two_ranks_cover_exactly_the_single_loader_epoch(self):
        single = epoch0(BatchStream(EPOCH))
        self.assertGreater(len(single), 30)
        ranks = [epoch0(BatchStream(EPOCH, rank=r, world_size=2)) for r in range(2)]
        self.assertEqual(Counter(ranks[0] + ranks[1]), Counter(single))
        self.assertEqual(len(ranks[0]) + len(ranks[1]), len(single))
        self.assertLessEqual(abs(len(ranks[0]) - len(ranks[1])), 4)

    def test_kill_and_resume_mid_epoch_yields_the_uninterrupted_sequence(self):
        whole = [(b["id"], b["image"].tobytes(), b["tokens"].tobytes()) for b in BatchStream(FIXED, limit=9)]
        with tempfile.TemporaryDirectory() as d:
            state = os.path.join(d, "state.json")
            # A trainer that checkpoints after every batch and is SIGKILLed after the 4th.
            child = (
                "import json, os, signal, sys\n"
                "from sigforge_batches import BatchStream\n"
                "s = BatchStream(sys.argv[1])\n"
                "for i, b in enumerate(s):\n"
                "    tmp = sys.argv[2] + '.tmp'\n"
                "    json.dump(s.state_dict(), open(tmp, 'w'))\n"
                "    os.replace(tmp, sys.argv[2])\n"
                "    if i == 3: os.kill(os.getpid(), signal.SIGKILL)\n"
            )
            p = subprocess.run([sys.executable, "-c", child, FIXED, state], env=os.environ, timeout=120)
            self.assertEqual(p.returncode, -9, "the trainer was killed mid-stream")
            s = BatchStream(FIXED, limit=5)
            s.load_state_dict(json.load(open(state)))
            resumed = [(b["id"], b["image"].tobytes(), b["tokens"].tobytes()) for b in s]
        self.assertEqual(resumed, whole[4:])

    def test_batches_are_numpy_views_with_the_schema_metadata(self):
        s = BatchStream(FIXED, limit=2)
        b = next(iter(s))
        self.assertEqual(s.info["tokenizer"]["name"], "test-codepoints")
        self.assertEqual(b["image"].shape, (4, 16, 16, 3))
        self.assertEqual(b["image"].dtype, np.uint8)
        self.assertFalse(b["image"].flags.owndata, "a view of the Arrow buffer, not a copy")
        self.assertEqual(b["tokens"].shape, (4, 8))
        self.assertEqual(b["tokens"].dtype, np.int32)
        self.assertEqual(b["weight"].shape, (4,))
        self.assertEqual(len(b["id"]), 4)
        self.assertEqual(s.state_dict()["token"], b["resume_token"])
        n = next(iter(BatchStream(NAFLEX, limit=1)))
        L = n["mask"].shape[1]
        self.assertEqual(n["patches"].shape, (4, L, 4 * 4 * 3))
        self.assertEqual(n["patches"].dtype, np.float32)
        for i, (r, c) in enumerate(n["spatial_shape"]):
            self.assertEqual(int(n["mask"][i].sum()), r * c)

    def test_a_token_for_another_stream_is_refused_with_the_reason(self):
        token = next(iter(BatchStream(FIXED, limit=1)))["resume_token"]
        s = BatchStream(NAFLEX, limit=1)
        s.load_state_dict({"token": token})
        with self.assertRaisesRegex(FeedError, "resume token: was made with another loader config"):
            next(iter(s))
        with self.assertRaisesRegex(FeedError, "rank: must be an integer in"):
            next(iter(BatchStream(FIXED, rank=2, world_size=2, limit=1)))


if __name__ == "__main__":
    unittest.main()
