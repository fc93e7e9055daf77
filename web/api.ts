/** Browser client for ragkit's REST API: JSON calls, SSE over fetch, per-file uploads with progress. */

import type { ReviewAgreement, ReviewRating } from "../src/types.js";

export interface Citation {
  marker: number;
  documentId: string;
  chunkId: string;
  source: string;
  start: number;
  end: number;
  quote: string;
}

export interface HitJson {
  documentId: string;
  chunkId: string;
  source: string;
  score: number;
  scores: { dense?: number; lexical?: number; fused?: number; rerank?: number };
  text: string;
  start: number;
  end: number;
  metadata: Record<string, unknown>;
}

export interface AnswerJson {
  answer: string;
  grounded: boolean;
  citations: Citation[];
  hits: HitJson[];
  model: string;
}

export interface DocumentSummary {
  id: string;
  source: string;
  title: string | null;
  filename: string;
  chunks: number;
  chars: number;
  updatedAt: string;
  metadata?: Record<string, unknown>;
}

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function headers(key: string, json = true): Record<string, string> {
  return { ...(json ? { "content-type": "application/json" } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) };
}

async function call<T>(key: string, method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: headers(key, body !== undefined),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(data?.error?.code ?? String(response.status), data?.error?.message ?? response.statusText);
  return data as T;
}

export interface ReviewNext {
  item: { id: string; question: string; answer: string; gold: string[]; citations: Array<{ marker: number; quote: string }> } | null;
  remaining: number;
}

/** A rating as the server takes it (the shared type; only types cross into the browser bundle). */
export type ReviewRatingBody = Omit<ReviewRating, "createdAt">;

export const api = {
  reviewRuns: (key: string) => call<{ runs: string[] }>(key, "GET", "/api/review/runs"),
  reviewNext: (key: string, run: string, reviewer: string) =>
    call<ReviewNext>(key, "GET", `/api/review/next?run=${encodeURIComponent(run)}&reviewer=${encodeURIComponent(reviewer)}`),
  reviewRate: (key: string, body: ReviewRatingBody) => call<{ saved: boolean }>(key, "POST", "/api/review/rate", body),
  reviewStats: (key: string, run: string) =>
    call<{ ratings: number; agreement: ReviewAgreement[] }>(key, "GET", `/api/review/stats?run=${encodeURIComponent(run)}`),
  documents: (key: string) => call<{ documents: DocumentSummary[] }>(key, "GET", "/api/documents"),
  document: (key: string, id: string) =>
    call<{ document: DocumentSummary & { text: string } }>(key, "GET", `/api/documents/${encodeURIComponent(id)}`),
  remove: (key: string, id: string) => call<{ removed: number }>(key, "DELETE", `/api/documents/${encodeURIComponent(id)}`),
  search: (key: string, query: string, k: number, mode: string, rerank?: boolean) =>
    call<{ hits: HitJson[]; warnings?: string[] }>(key, "POST", "/api/search", { query, k, mode, ...(rerank === false ? { rerank } : {}) }),
  feedback: (key: string, body: { query: string; rating: 1 | -1; documentId?: string; chunkId?: string; answer?: string }) =>
    call<{ id: string }>(key, "POST", "/api/feedback", body),
  stats: (key: string) =>
    call<{ embedder: { id: string }; reranker: string | null; answerer: string; documents: number }>(key, "GET", "/api/stats"),
};

/** Streams `/api/chat`: tokens as they come, then the finished answer. */
export async function streamChat(
  key: string,
  messages: ChatMessage[],
  options: { k: number; mode: string; rerank?: boolean },
  onToken: (text: string) => void,
  signal?: AbortSignal,
): Promise<AnswerJson> {
  const response = await fetch("/api/chat", {
    method: "POST",
    headers: headers(key),
    body: JSON.stringify({
      messages,
      stream: true,
      k: options.k,
      mode: options.mode,
      ...(options.rerank === false ? { rerank: false } : {}),
    }),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok || !response.body) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError(data?.error?.code ?? String(response.status), data?.error?.message ?? response.statusText);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let answer: AnswerJson | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) {
        const payload = JSON.parse(data);
        if (event === "token") onToken(payload.text);
        else if (event === "answer") answer = payload;
        else if (event === "error") throw new ApiError(payload.error.code, payload.error.message);
      }
      cut = buffer.indexOf("\n\n");
    }
  }
  if (!answer) throw new ApiError("INTERNAL", "The answer stream ended early");
  return answer;
}

export interface UploadResult {
  name: string;
  status: "indexed" | "failed";
  error?: { code: string; message: string };
}

/** One request per file, so each file has its own progress and its own error. */
export function uploadFile(key: string, file: File, onProgress: (fraction: number) => void): Promise<UploadResult> {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append("files", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/ingest");
    if (key) xhr.setRequestHeader("authorization", `Bearer ${key}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      try {
        const data = JSON.parse(xhr.responseText);
        if (xhr.status >= 400) resolve({ name: file.name, status: "failed", error: data.error });
        else resolve(data.files?.[0] ?? { name: file.name, status: "failed", error: { code: "INTERNAL", message: "no result" } });
      } catch {
        resolve({ name: file.name, status: "failed", error: { code: String(xhr.status), message: xhr.statusText } });
      }
    };
    xhr.onerror = () => resolve({ name: file.name, status: "failed", error: { code: "NETWORK", message: "The upload failed" } });
    xhr.send(form);
  });
}
