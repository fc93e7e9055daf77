import type { AnswerJson } from "./api.js";

/** Settings and conversations live in this browser's localStorage. */
export const load = <T>(key: string, fallback: T): T => {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
};

export const save = (key: string, value: unknown) => {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled storage: the session still works, it is just not kept.
  }
};

export interface Settings {
  apiKey: string;
  k: number;
  mode: "hybrid" | "lexical" | "dense";
  /** Rerank with the server's reranker, when it has one. */
  rerank?: boolean;
}

export interface Turn {
  question: string;
  answer: string;
  result?: AnswerJson;
  error?: string;
  /** The user stopped the answer while it was streaming. */
  stopped?: boolean;
  /** Ratings given: "answer" or a citation's marker → +1 / -1. */
  rated?: Record<string, 1 | -1>;
}

export interface Conversation {
  id: string;
  title: string;
  updatedAt: number;
  turns: Turn[];
}

const KEY = "ragkit.conversations";
const MAX_CONVERSATIONS = 50;

export function loadConversations(): Conversation[] {
  const saved = load<Conversation[]>(KEY, []);
  // The single chat of earlier versions becomes the first conversation.
  const legacy = load<Turn[]>("ragkit.chat", []);
  if (saved.length === 0 && legacy.length > 0) return [newConversation(legacy)];
  return saved;
}

export function saveConversations(conversations: Conversation[]): void {
  const kept = conversations.filter((c) => c.turns.length > 0).slice(0, MAX_CONVERSATIONS);
  save(KEY, kept);
  localStorage.removeItem("ragkit.chat");
}

// crypto.randomUUID exists only in secure contexts: a server reached over plain http on a LAN
// address has none, and the chat must still work there.
const newId = () => globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

export function newConversation(turns: Turn[] = []): Conversation {
  return { id: newId(), title: turns[0]?.question.slice(0, 80) ?? "New chat", updatedAt: Date.now(), turns };
}
