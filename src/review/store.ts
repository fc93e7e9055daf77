import path from "node:path";
import Database from "better-sqlite3";
import { RagkitError } from "../errors.js";
import type { ReviewAgreement as Agreement, ReviewRating as Rating, ReviewItem, Reviews } from "../types.js";
import { cohensKappa } from "./kappa.js";

export type { ReviewAgreement as Agreement, ReviewItem, ReviewRating as Rating } from "../types.js";

/** Ratings in SQLite inside the index folder: they survive restarts, one row per reviewer and item. */
export class ReviewStore implements Reviews {
  private readonly db: Database.Database;

  constructor(indexDir: string) {
    this.db = new Database(path.join(indexDir, "reviews.sqlite"));
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS items (run TEXT NOT NULL, id TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
        gold TEXT NOT NULL, citations TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (run, id));
      CREATE TABLE IF NOT EXISTS ratings (run TEXT NOT NULL, item_id TEXT NOT NULL, reviewer TEXT NOT NULL,
        correctness INTEGER NOT NULL CHECK (correctness BETWEEN 1 AND 5), grounded INTEGER NOT NULL, citations_correct INTEGER NOT NULL,
        comment TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, PRIMARY KEY (run, item_id, reviewer));
    `);
  }

  /** Adds a run's questions to the queue (again-adding is harmless). */
  addItems(items: Omit<ReviewItem, "run">[], run: string): number {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO items (run, id, question, answer, gold, citations, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const tx = this.db.transaction(() => {
      for (const [i, item] of items.entries()) {
        insert.run(run, item.id, item.question, item.answer, JSON.stringify(item.gold), JSON.stringify(item.citations), i);
      }
    });
    tx();
    return items.length;
  }

  /** The next item this reviewer has not rated, in run order. */
  next(run: string, reviewer: string): { item: ReviewItem; remaining: number } | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM items i WHERE run = ? AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.run = i.run AND r.item_id = i.id AND r.reviewer = ?) ORDER BY position LIMIT 1",
      )
      .get(run, reviewer) as Record<string, string> | undefined;
    if (!row) return undefined;
    const remaining = (
      this.db
        .prepare(
          "SELECT COUNT(*) AS n FROM items i WHERE run = ? AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.run = i.run AND r.item_id = i.id AND r.reviewer = ?)",
        )
        .get(run, reviewer) as { n: number }
    ).n;
    return {
      item: {
        run,
        id: row.id as string,
        question: row.question as string,
        answer: row.answer as string,
        gold: JSON.parse(row.gold as string),
        citations: JSON.parse(row.citations as string),
      },
      remaining,
    };
  }

  rate(rating: Omit<Rating, "createdAt">): void {
    if (!rating.reviewer.trim()) throw new RagkitError("INVALID_ARGUMENT", "A rating needs a reviewer name");
    if (!Number.isInteger(rating.correctness) || rating.correctness < 1 || rating.correctness > 5) {
      throw new RagkitError("INVALID_ARGUMENT", "correctness is an integer from 1 to 5");
    }
    const exists = this.db.prepare("SELECT 1 FROM items WHERE run = ? AND id = ?").get(rating.run, rating.itemId);
    if (!exists) throw new RagkitError("NOT_FOUND", `No item ${rating.itemId} in run ${rating.run}`);
    this.db
      .prepare(
        "INSERT OR REPLACE INTO ratings (run, item_id, reviewer, correctness, grounded, citations_correct, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        rating.run,
        rating.itemId,
        rating.reviewer.trim(),
        rating.correctness,
        rating.grounded ? 1 : 0,
        rating.citationsCorrect ? 1 : 0,
        rating.comment.slice(0, 5000),
        new Date().toISOString(),
      );
  }

  ratings(run?: string): Rating[] {
    const rows = (
      run
        ? this.db.prepare("SELECT * FROM ratings WHERE run = ? ORDER BY item_id, reviewer").all(run)
        : this.db.prepare("SELECT * FROM ratings ORDER BY run, item_id, reviewer").all()
    ) as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      run: r.run as string,
      itemId: r.item_id as string,
      reviewer: r.reviewer as string,
      correctness: r.correctness as number,
      grounded: r.grounded === 1,
      citationsCorrect: r.citations_correct === 1,
      comment: r.comment as string,
      createdAt: r.created_at as string,
    }));
  }

  /** Cohen's kappa for every pair of reviewers, over the items both rated. */
  agreement(run: string): Agreement[] {
    const ratings = this.ratings(run);
    const reviewers = [...new Set(ratings.map((r) => r.reviewer))].sort();
    const out: Agreement[] = [];
    for (let i = 0; i < reviewers.length; i++) {
      for (let j = i + 1; j < reviewers.length; j++) {
        const a = new Map(ratings.filter((r) => r.reviewer === reviewers[i]).map((r) => [r.itemId, r]));
        const both = ratings
          .filter((r) => r.reviewer === reviewers[j] && a.has(r.itemId))
          .map((r) => [a.get(r.itemId) as Rating, r] as const);
        out.push({
          reviewers: [reviewers[i] as string, reviewers[j] as string],
          items: both.length,
          correctness: cohensKappa(both.map(([x, y]) => [x.correctness, y.correctness])),
          grounded: cohensKappa(both.map(([x, y]) => [Number(x.grounded), Number(y.grounded)])),
          citationsCorrect: cohensKappa(both.map(([x, y]) => [Number(x.citationsCorrect), Number(y.citationsCorrect)])),
        });
      }
    }
    return out;
  }

  runs(): string[] {
    return (this.db.prepare("SELECT DISTINCT run FROM items ORDER BY run").all() as Array<{ run: string }>).map((r) => r.run);
  }

  close(): void {
    this.db.close();
  }
}
