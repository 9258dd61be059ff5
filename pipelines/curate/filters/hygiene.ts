// Caption hygiene: drops captions that are markup, links, file names, boilerplate or character junk.
import { z } from 'zod';
import { defineFilter } from './filter.js';

const HTML = /<\/?[a-z][^>]*>|&(?:[a-z]{2,8}|#\d{2,6});/i;
const URL_RE = /\bhttps?:\/\/|\bwww\.[a-z0-9-]+\.|\b[a-z0-9-]+\.(?:com|org|net|io|html?|php)\b/i;
const FILE_NAME = /^[\w\-. ()[\]]+\.(?:jpe?g|png|gif|webp|bmp|tiff?|heic|svg|avif)$/i;
const CAMERA_NAME = /^(?:img|dsc|dscn|dcim|pxl|p|photo|image|screenshot)[-_ ]?\d{2,}[\w-]*$/i;
const REPEATED = /(.)\1{5,}/u;

/** Captions that say nothing (compared lower-cased and trimmed of punctuation). */
export const BOILERPLATE_CAPTIONS: readonly string[] = [
  'image',
  'images',
  'untitled',
  'untitled image',
  'photo',
  'photos',
  'picture',
  'pic',
  'img',
  'no title',
  'no image',
  'placeholder',
  'thumbnail',
  'thumb',
  'default',
  'null',
  'undefined',
  'none',
  'n/a',
  'na',
  'logo',
  'icon',
  'banner',
  'image not found',
  'click to enlarge',
  'click here',
  'alt',
  'alt text',
  'loading',
  'spacer',
  'blank',
  'featured image',
];

/** Caption hygiene: HTML, URLs, file-name captions, boilerplate, repeated-character junk. */
export const hygieneFilter = defineFilter({
  name: 'hygiene',
  description:
    'caption hygiene: HTML, URLs, file-name captions, boilerplate ("image", "untitled"), repeated-character junk',
  params: z
    .object({
      html: z.boolean().default(true),
      urls: z.boolean().default(true),
      file_names: z.boolean().default(true),
      boilerplate: z.array(z.string()).default([...BOILERPLATE_CAPTIONS]),
      max_repeat: z.number().int().min(2).default(6),
      min_distinct_ratio: z.number().min(0).max(1).default(0.15),
    })
    .strict(),
  create(p) {
    const boiler = new Set(p.boilerplate.map((s) => s.toLowerCase()));
    const repeated = p.max_repeat === 6 ? REPEATED : new RegExp(`(.)\\1{${p.max_repeat - 1},}`, 'u');
    return {
      name: 'hygiene',
      test(c, i) {
        const cap = c.caption[i]!;
        const t = cap.trim();
        if (p.html && HTML.test(t)) return 'hygiene:html';
        if (p.urls && URL_RE.test(t)) return 'hygiene:url';
        if (p.file_names && (FILE_NAME.test(t) || CAMERA_NAME.test(t))) return 'hygiene:file_name';
        if (boiler.size > 0 && t.length <= 32) {
          const norm = t.toLowerCase().replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
          if (boiler.has(norm)) return 'hygiene:boilerplate';
        }
        if (repeated.test(t)) return 'hygiene:repeated_chars';
        if (t.length >= 12 && distinctRatio(t) < p.min_distinct_ratio) return 'hygiene:low_diversity';
        return null;
      },
    };
  },
});

function distinctRatio(s: string): number {
  const seen = new Set<number>();
  for (let i = 0; i < s.length; i++) seen.add(s.charCodeAt(i));
  return seen.size / s.length;
}
