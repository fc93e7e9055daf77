import { describe, expect, it } from "vitest";
import {
  corpusBleu,
  exactMatch,
  maxOverGold,
  normalizeSquad,
  rougeL,
  rougeN,
  sentenceBleu,
  tokenF1,
  tokenize13a,
} from "../src/eval/answer-metrics.js";

describe("answer metrics match their reference implementations", () => {
  it("SQuAD EM and F1 (official evaluate-v1.1.py normalisation)", () => {
    expect(normalizeSquad("The  Denver Broncos!")).toBe("denver broncos");
    expect(exactMatch("the Denver Broncos", "Denver Broncos")).toBe(1);
    expect(exactMatch("Denver", "Denver Broncos")).toBe(0);
    // precision 1/1, recall 1/2 → 2/3
    expect(tokenF1("Denver", "Denver Broncos")).toBeCloseTo(2 / 3, 10);
    // "a" is an article and goes: "b b" vs "b b c" → precision 1, recall 2/3 → 0.8.
    expect(tokenF1("a b b", "b b c")).toBeCloseTo(0.8, 10);
    expect(maxOverGold(tokenF1, "Broncos", ["Denver Broncos", "Broncos"])).toBe(1);
  });

  it("corpus BLEU: sacrebleu test/test_bleu.py, README example, default settings → 48.530827", () => {
    const refs = [
      ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
      ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];
    const hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    expect(corpusBleu(hyps, refs)).toBeCloseTo(48.530827, 5);
    // Same file: empty hypotheses are scored, not removed.
    expect(corpusBleu(["", "", ""], refs)).toBe(0);
  });

  it("sentence BLEU: sacrebleu test/test_sentence_bleu.py, issue #98, exp smoothing, 13a → 8.493", () => {
    const ref = "producţia de zahăr brut se exprimă în zahăr alb;";
    const sys = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
    expect(Math.abs(sentenceBleu(sys, [ref]) - 8.493)).toBeLessThan(1e-3);
    // Same file, issue #141: no overlap at all → 0.
    expect(sentenceBleu("this is a cat", ["okay thanks"])).toBe(0);
    // 13a keeps apostrophes and decimals, splits a dash after a digit and other punctuation.
    expect(tokenize13a("It wasn't 3.5-fold, was it?")).toEqual(["It", "wasn't", "3.5", "-", "fold", ",", "was", "it", "?"]);
  });

  it("ROUGE: google-research rouge/rouge_scorer_test.py vectors", () => {
    // testRouge1: score("testing one two", "testing")
    expect(rougeN("testing one two", "testing", 1)).toEqual({ precision: 1, recall: 1 / 3, fmeasure: 1 / 2 });
    // testRouge2
    const r2 = rougeN("testing one two", "testing one", 2);
    expect([r2.precision, r2.recall, r2.fmeasure].map((v) => Number(v.toFixed(10)))).toEqual([1, 0.5, Number((2 / 3).toFixed(10))]);
    // testRougeLConsecutive / NonConsecutive
    for (const prediction of ["testing one", "testing two"]) {
      const l = rougeL("testing one two", prediction);
      expect(l.precision).toBeCloseTo(1, 10);
      expect(l.recall).toBeCloseTo(2 / 3, 10);
      expect(l.fmeasure).toBeCloseTo(4 / 5, 10);
    }
    // testRougeEmpty
    expect(rougeL("testing one two", "")).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(rougeN("testing one two", "", 2).fmeasure).toBe(0);
  });
});
