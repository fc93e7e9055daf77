import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ChatView } from "./chat.js";
import { DocumentsView } from "./documents.js";
import { ReviewView } from "./review.js";
import { SearchView } from "./search.js";
import { ModelsLine, SettingsPanel, useModels } from "./settings.js";
import { type OpenSpan, SourcePanel } from "./source.js";
import { load, type Settings, save } from "./storage.js";

// Text from documents and models reaches the page only through markdown.ts (raw HTML escaped,
// unsafe links dropped, DOMPurify over the result) or as text nodes.

const TABS = ["chat", "documents", "search", "review"] as const;
type Tab = (typeof TABS)[number];

function App() {
  // `ragkit review serve` opens /#review.
  const [tab, setTab] = useState<Tab>(() =>
    (TABS as readonly string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as Tab) : "chat",
  );
  const [settings, setSettings] = useState<Settings>(() => load("ragkit.settings", { apiKey: "", k: 5, mode: "hybrid" }));
  const [open, setOpen] = useState<OpenSpan | undefined>();
  const models = useModels(settings.apiKey);
  useEffect(() => save("ragkit.settings", settings), [settings]);
  return (
    <div class={`layout ${open ? "with-source" : ""}`}>
      <header class="top">
        <h1>ragkit</h1>
        <nav aria-label="Views">
          {TABS.map((t) => (
            <button
              type="button"
              key={t}
              class={tab === t ? "active" : ""}
              aria-current={tab === t ? "page" : undefined}
              onClick={() => setTab(t)}
            >
              {t[0]?.toUpperCase() + t.slice(1)}
            </button>
          ))}
        </nav>
        <SettingsPanel settings={settings} reranker={models?.reranker} onChange={setSettings} />
        <ModelsLine models={models} />
      </header>
      <main>
        {tab === "chat" && <ChatView settings={settings} onOpen={setOpen} />}
        {tab === "documents" && <DocumentsView settings={settings} onOpen={setOpen} />}
        {tab === "search" && <SearchView settings={settings} onOpen={setOpen} />}
        {tab === "review" && <ReviewView settings={settings} />}
      </main>
      {open && <SourcePanel span={open} settings={settings} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
