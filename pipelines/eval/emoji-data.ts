// The bundled multilingual emoji benchmark's raw material, read from npm packages that ship with sigforge:
// emoji-datasource-<style> (64 px PNGs + emoji.json) and cldr-annotations(-derived)-full (names per locale).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Image styles shipped as npm packages. */
export const EMOJI_STYLES = ['google', 'twitter', 'apple', 'facebook'] as const;
export type EmojiStyle = (typeof EMOJI_STYLES)[number];

/** One emoji of emoji.json (the fields we use). */
export interface EmojiEntry {
  unified: string;
  image: string;
  short_name: string;
  category: string;
  subcategory: string;
  sort_order: number;
  has_img_google: boolean;
  has_img_twitter: boolean;
  has_img_apple: boolean;
  has_img_facebook: boolean;
}

function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

/** Name and version of an npm package as installed (recorded in the dataset lineage). */
export function packageVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The emoji list of a style's package (all packages share the same emoji.json schema). */
export function readEmojiList(style: EmojiStyle): EmojiEntry[] {
  return JSON.parse(readFileSync(path.join(packageDir(`emoji-datasource-${style}`), 'emoji.json'), 'utf8')) as EmojiEntry[];
}

/** The 64 px PNG of an emoji in a style. */
export function readEmojiPng(style: EmojiStyle, image: string): Uint8Array {
  return readFileSync(path.join(packageDir(`emoji-datasource-${style}`), 'img', style, '64', image));
}

/** The package-relative path of an emoji PNG (used as the row's `url`). */
export function emojiPngUrl(style: EmojiStyle, image: string): string {
  return `npm:emoji-datasource-${style}@${packageVersion(`emoji-datasource-${style}`)}/img/${style}/64/${image}`;
}

/** The emoji character(s) of a unified code point list such as `1F469-200D-2695-FE0F`. */
export function emojiChar(unified: string): string {
  return String.fromCodePoint(...unified.split('-').map((h) => parseInt(h, 16)));
}

type Annotations = { [emoji: string]: { tts?: string[]; default?: string[] } };

function readAnnotations(pkg: string, folder: string, top: string, locale: string): Annotations {
  const file = path.join(packageDir(pkg), folder, locale, 'annotations.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { [k: string]: { annotations: Annotations } };
  return json[top]!.annotations;
}

/** CLDR short names (the `tts` annotation) of every emoji in a locale, base and derived sequences together. */
export function cldrNames(locale: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (a: Annotations) => {
    for (const [k, v] of Object.entries(a)) {
      const name = v.tts?.[0];
      if (name && name !== '↑↑↑') out.set(k.replace(/\uFE0F/g, ''), name);
    }
  };
  add(readAnnotations('cldr-annotations-full', 'annotations', 'annotations', locale));
  add(readAnnotations('cldr-annotations-derived-full', 'annotationsDerived', 'annotationsDerived', locale));
  return out;
}

/** The CLDR name of an emoji (looked up without variation selectors), or undefined. */
export function nameOf(names: Map<string, string>, unified: string): string | undefined {
  return names.get(emojiChar(unified).replace(/\uFE0F/g, ''));
}
