"""The torch path against a live server (FEED_FIXED_URL); test/feed/python-client.test.ts runs it when
SIGFORGE_TEST_TORCH=1 (torch installed in .tools/python: `.tools/python/bin/python -m pip install torch`)."""

import os
import unittest

import torch

from sigforge_batches import BatchStream

FIXED = os.environ["FEED_FIXED_URL"]


class TorchTest(unittest.TestCase):
    def test_tensors_share_the_arrow_buffers_and_resume(self):
        s = BatchStream(FIXED, limit=3, as_torch=True)
        got = list(s)
        b = got[0]
        self.assertIsInstance(b["image"], torch.Tensor)
        self.assertEqual(tuple(b["image"].shape), (4, 16, 16, 3))
        self.assertEqual(b["tokens"].dtype, torch.int32)
        r = BatchStream(FIXED, limit=2, as_torch=True)
        r.load_state_dict({"token": got[0]["resume_token"]})
        again = list(r)
        for x, y in zip(again, got[1:]):
            self.assertTrue(torch.equal(x["image"], y["image"]))
            self.assertEqual(x["id"], y["id"])


if __name__ == "__main__":
    unittest.main()
