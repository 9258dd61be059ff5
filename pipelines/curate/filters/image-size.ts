// Image size bounds on the stored image: sides, pixel count and aspect ratio.
import { z } from 'zod';
import { defineFilter } from './filter.js';

/** Keeps images whose sides, area and aspect ratio are within bounds. */
export const imageSizeFilter = defineFilter({
  name: 'image_size',
  description: 'min/max image side and pixel count, max aspect ratio',
  params: z
    .object({
      min_side: z.number().int().nonnegative().default(0),
      max_side: z.number().int().positive().default(Number.MAX_SAFE_INTEGER),
      min_pixels: z.number().nonnegative().default(0),
      max_pixels: z.number().positive().default(Number.MAX_SAFE_INTEGER),
      max_aspect: z.number().min(1).default(Number.POSITIVE_INFINITY),
    })
    .strict()
    .refine((p) => p.min_side <= p.max_side, { message: 'min_side must be ≤ max_side', path: ['min_side'] })
    .refine((p) => p.min_pixels <= p.max_pixels, { message: 'min_pixels must be ≤ max_pixels', path: ['min_pixels'] }),
  create(p) {
    return {
      name: 'image_size',
      test(c, i) {
        const w = c.width[i]!;
        const h = c.height[i]!;
        const lo = Math.min(w, h);
        const hi = Math.max(w, h);
        if (lo < p.min_side) return 'image_size:too_small';
        if (hi > p.max_side) return 'image_size:too_large';
        if (w * h < p.min_pixels) return 'image_size:too_few_pixels';
        if (w * h > p.max_pixels) return 'image_size:too_many_pixels';
        if (hi > p.max_aspect * lo) return 'image_size:aspect';
        return null;
      },
    };
  },
});
