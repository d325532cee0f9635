let segmenter: Intl.Segmenter | undefined;

/**
 * The process's one grapheme segmenter (what a person sees as one character: `é`, `👩‍💻`), made on first
 * use: creating one loads ICU's break rules, about 10 ms that a start need not pay.
 */
export function graphemeSegmenter(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  return segmenter;
}
