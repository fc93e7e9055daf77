import { useEffect, useRef, useState } from "preact/hooks";
import { AnswerView } from "./answer.js";
import { api, type ChatMessage, streamChat } from "./api.js";
import type { OpenSpan } from "./source.js";
import { type Conversation, loadConversations, newConversation, type Settings, saveConversations, type Turn } from "./storage.js";

function History({
  conversations,
  current,
  onPick,
  onDelete,
}: {
  conversations: Conversation[];
  current: string;
  onPick: (id: string) => void;
  onDelete: (id: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const past = conversations.filter((c) => c.turns.length > 0);
  return (
    <nav class="history" aria-label="Conversations">
      <button type="button" class="history-toggle secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
        Conversations ({past.length})
      </button>
      <ul class={`history-list ${open ? "open" : ""}`}>
        {past.length === 0 && <li class="hint">No earlier conversations.</li>}
        {past.map((c) => (
          <li key={c.id} class={c.id === current ? "current" : ""}>
            <button type="button" class="link" aria-current={c.id === current} onClick={() => onPick(c.id)}>
              {c.title}
            </button>
            <button type="button" class="link remove" aria-label={`Delete conversation: ${c.title}`} onClick={() => onDelete(c.id)}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Chat: conversations kept in this browser, answers streamed with a stop button, copy and regenerate. */
export function ChatView({ settings, onOpen }: { settings: Settings; onOpen: (s: OpenSpan) => void }) {
  const [conversations, setConversations] = useState<Conversation[]>(() => {
    const saved = loadConversations();
    return saved.length > 0 ? saved : [newConversation()];
  });
  const [currentId, setCurrentId] = useState(() => conversations[0]?.id ?? "");
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const stop = useRef<AbortController | undefined>(undefined);
  const end = useRef<HTMLDivElement>(null);
  const current = conversations.find((c) => c.id === currentId) ?? conversations[0];
  const turns = current?.turns ?? [];
  useEffect(() => saveConversations(conversations), [conversations]);
  useEffect(() => end.current?.scrollIntoView({ block: "end" }), [turns.length, turns.at(-1)?.answer]);

  const setTurns = (id: string, change: (turns: Turn[]) => Turn[]) =>
    setConversations((all) =>
      all.map((c) => {
        if (c.id !== id) return c;
        const next = change(c.turns);
        return { ...c, turns: next, title: next[0]?.question.slice(0, 80) ?? c.title, updatedAt: Date.now() };
      }),
    );

  /** Answers `question` as turn `index` of the conversation, with the turns before it as history. */
  const answer = async (id: string, index: number, question: string, before: Turn[]) => {
    setBusy(true);
    const controller = new AbortController();
    stop.current = controller;
    const update = (patch: Partial<Turn>) => setTurns(id, (all) => all.map((t, i) => (i === index ? { ...t, ...patch } : t)));
    const history: ChatMessage[] = before.flatMap((t) => [
      { role: "user" as const, content: t.question },
      { role: "assistant" as const, content: t.answer },
    ]);
    let text = "";
    try {
      const messages = [...history, { role: "user" as const, content: question }];
      const result = await streamChat(
        settings.apiKey,
        messages,
        settings,
        (token) => {
          text += token;
          update({ answer: text });
        },
        controller.signal,
      );
      update({ answer: result.answer, result });
    } catch (error) {
      if (controller.signal.aborted) update({ stopped: true });
      else update({ error: (error as Error).message });
    } finally {
      stop.current = undefined;
      setBusy(false);
    }
  };

  const ask = (event: Event) => {
    event.preventDefault();
    const question = input.trim();
    if (!question || busy || !current) return;
    setInput("");
    const before = turns;
    setTurns(current.id, (all) => [...all, { question, answer: "" }]);
    void answer(current.id, before.length, question, before);
  };

  const regenerate = (index: number) => {
    const turn = turns[index];
    if (!turn || busy || !current) return;
    setTurns(current.id, (all) => all.map((t, i) => (i === index ? { question: t.question, answer: "" } : t)));
    void answer(current.id, index, turn.question, turns.slice(0, index));
  };

  // A rated answer vouches for (or against) each document it cites; a rated citation for its own.
  const rate = (index: number, target: string, rating: 1 | -1) => {
    const turn = turns[index];
    if (!turn?.result || !current) return;
    const id = current.id;
    const cited =
      target === "answer" ? turn.result.citations.slice(0, 3) : turn.result.citations.filter((c) => String(c.marker) === target);
    const base = { query: turn.question, rating, answer: turn.answer.slice(0, 20_000) };
    const posts = cited.length > 0 ? cited.map((c) => ({ ...base, documentId: c.documentId, chunkId: c.chunkId })) : [base];
    Promise.all(posts.map((body) => api.feedback(settings.apiKey, body)))
      .then(() => setTurns(id, (all) => all.map((t, i) => (i === index ? { ...t, rated: { ...t.rated, [target]: rating } } : t))))
      .catch((error: Error) => setTurns(id, (all) => all.map((t, i) => (i === index ? { ...t, error: error.message } : t))));
  };

  const startNew = () => {
    const fresh = newConversation();
    setConversations((all) => [fresh, ...all.filter((c) => c.turns.length > 0)]);
    setCurrentId(fresh.id);
  };
  const remove = (id: string) => {
    const rest = conversations.filter((c) => c.id !== id);
    const next = rest.length > 0 ? rest : [newConversation()];
    setConversations(next);
    if (id === currentId) setCurrentId(next[0]?.id ?? "");
  };

  return (
    <section class="chat">
      <History conversations={conversations} current={current?.id ?? ""} onPick={(id) => !busy && setCurrentId(id)} onDelete={remove} />
      <div class="conversation">
        <div class="turns" aria-live="polite">
          {turns.length === 0 && (
            <p class="hint">Ask a question about your documents. Answers cite their sources; click a number to see the passage.</p>
          )}
          {turns.map((turn, i) => (
            <article class="turn" key={`${current?.id}-${i}`} aria-label={`Question ${i + 1}`}>
              <div class="question">{turn.question}</div>
              <AnswerView
                turn={turn}
                busy={busy}
                actions={{
                  onCite: (c) => onOpen({ documentId: c.documentId, start: c.start, end: c.end, marker: c.marker }),
                  onRate: (target, rating) => rate(i, target, rating),
                  onRegenerate: () => regenerate(i),
                }}
              />
            </article>
          ))}
          <div ref={end} />
        </div>
        <form class="ask" onSubmit={ask}>
          <label class="visually-hidden" for="question">
            Question
          </label>
          <input
            id="question"
            name="question"
            value={input}
            onInput={(e) => setInput((e.target as HTMLInputElement).value)}
            placeholder="Ask a question…"
            autocomplete="off"
            disabled={busy}
          />
          {busy ? (
            <button type="button" class="danger" onClick={() => stop.current?.abort()}>
              Stop
            </button>
          ) : (
            <button type="submit">Ask</button>
          )}
          <button type="button" class="secondary" onClick={startNew} disabled={busy}>
            New chat
          </button>
        </form>
      </div>
    </section>
  );
}
