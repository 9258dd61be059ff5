// Synthetic metadata rows for benchmarks and tests: captions in 10 languages, random 64-bit hashes with a
// planted near-duplicate set, and a planted gender × occupation correlation. Column-wise, no per-row objects
// beyond the strings themselves.
import { allocColumns, type CurateColumns } from './columns.js';
import { mulberry32 } from './hash.js';

const WORDS: Readonly<{ [lang: string]: { man: string; woman: string; occ: string[]; filler: string[] } }> = {
  en: {
    man: 'man',
    woman: 'woman',
    occ: ['doctor', 'nurse', 'engineer', 'teacher'],
    filler: ['a photo of a', 'working in the city', 'smiling at the camera', 'on a sunny day'],
  },
  es: {
    man: 'hombre',
    woman: 'mujer',
    occ: ['médico', 'enfermera', 'ingeniero', 'profesor'],
    filler: ['una foto de un', 'en la ciudad', 'sonriendo', 'en un día soleado'],
  },
  fr: {
    man: 'homme',
    woman: 'femme',
    occ: ['médecin', 'infirmière', 'ingénieur', 'professeur'],
    filler: ['une photo d’un', 'dans la ville', 'souriant', 'par une journée ensoleillée'],
  },
  de: {
    man: 'mann',
    woman: 'frau',
    occ: ['arzt', 'krankenschwester', 'ingenieur', 'lehrer'],
    filler: ['ein foto von einem', 'in der stadt', 'lächelnd', 'an einem sonnigen tag'],
  },
  it: {
    man: 'uomo',
    woman: 'donna',
    occ: ['medico', 'infermiera', 'ingegnere', 'insegnante'],
    filler: ['una foto di un', 'in città', 'sorridente', 'in una giornata di sole'],
  },
  pt: {
    man: 'homem',
    woman: 'mulher',
    occ: ['médico', 'enfermeira', 'engenheiro', 'professor'],
    filler: ['uma foto de um', 'na cidade', 'sorrindo', 'num dia de sol'],
  },
  nl: {
    man: 'man',
    woman: 'vrouw',
    occ: ['dokter', 'verpleegkundige', 'ingenieur', 'leraar'],
    filler: ['een foto van een', 'in de stad', 'lachend', 'op een zonnige dag'],
  },
  ru: {
    man: 'мужчина',
    woman: 'женщина',
    occ: ['врач', 'медсестра', 'инженер', 'учитель'],
    filler: ['фото', 'в городе', 'улыбается', 'в солнечный день'],
  },
  zh: {
    man: '男人',
    woman: '女人',
    occ: ['医生', '护士', '工程师', '老师'],
    filler: ['一张照片', '在城市里', '微笑着', '晴天'],
  },
  ja: {
    man: '男性',
    woman: '女性',
    occ: ['医師', '看護師', 'エンジニア', '教師'],
    filler: ['写真', '街で', '笑顔の', '晴れた日に'],
  },
};

/** Options of the synthetic generator. */
export interface SyntheticOptions {
  readonly rows: number;
  readonly seed: number;
  /** Fraction of rows that are near-duplicates (1..k bits flipped) of earlier rows. */
  readonly dupFraction: number;
  readonly k: number;
  /** Share of English rows (the rest spread over 9 languages). */
  readonly englishShare: number;
  /** Fraction of rows that mention a person. */
  readonly personFraction: number;
}

/** Generated columns plus the planted duplicate pairs (source row, duplicate row). */
export interface SyntheticData {
  readonly columns: CurateColumns;
  readonly dupSource: Int32Array;
  readonly dupRow: Int32Array;
}

/** Generates synthetic metadata rows (see the file comment). */
export function syntheticRows(o: SyntheticOptions): SyntheticData {
  const rand = mulberry32(o.seed);
  const c = allocColumns(o.rows);
  const langs = Object.keys(WORDS);
  const others = langs.filter((l) => l !== 'en');
  const nDup = Math.floor(o.rows * o.dupFraction);
  const nBase = o.rows - nDup;
  const dupSource = new Int32Array(nDup);
  const dupRow = new Int32Array(nDup);
  const u32 = (): number => (rand() * 4294967296) >>> 0;
  for (let i = 0; i < o.rows; i++) {
    c.id[i] = `syn-${o.seed}-${i}`;
    const lang = rand() < o.englishShare ? 'en' : others[Math.floor(rand() * others.length)]!;
    const w = WORDS[lang]!;
    const f = w.filler;
    let caption = `${f[Math.floor(rand() * f.length)]} ${f[Math.floor(rand() * f.length)]}`;
    if (rand() < o.personFraction) {
      const occIndex = Math.floor(rand() * 5);
      // Planted correlation: doctors/engineers mostly men, nurses/teachers mostly women, 60% men otherwise.
      const pMan = occIndex === 0 || occIndex === 2 ? 0.75 : occIndex === 1 || occIndex === 3 ? 0.3 : 0.6;
      const person = rand() < pMan ? w.man : w.woman;
      caption = occIndex < 4 ? `${caption} ${person} ${w.occ[occIndex]}` : `${caption} ${person}`;
    }
    c.caption[i] = caption;
    c.lang[i] = lang;
    c.langScore[i] = 0.6 + 0.4 * rand();
    c.width[i] = 150 + Math.floor(rand() * 900);
    c.height[i] = 150 + Math.floor(rand() * 900);
    c.status[i] = rand() < 0.03 ? 'http_error' : 'ok';
    c.hasPhash[i] = 1;
    if (i < nBase) {
      c.phashHi[i] = u32();
      c.phashLo[i] = u32();
      c.sha256[i] = `${c.phashHi[i]!.toString(16)}${c.phashLo[i]!.toString(16)}`;
    } else {
      const src = Math.floor(rand() * nBase);
      let hi = c.phashHi[src]!;
      let lo = c.phashLo[src]!;
      const flips = 1 + Math.floor(rand() * o.k);
      for (let b = 0; b < flips; b++) {
        const bit = Math.floor(rand() * 64);
        if (bit >= 32) hi = (hi ^ (1 << (bit - 32))) >>> 0;
        else lo = (lo ^ (1 << bit)) >>> 0;
      }
      c.phashHi[i] = hi;
      c.phashLo[i] = lo;
      c.sha256[i] = `dup-${i}`;
      dupSource[i - nBase] = src;
      dupRow[i - nBase] = i;
    }
  }
  return { columns: c, dupSource, dupRow };
}
