import { z } from "zod";
import { isPostgresUrl, SCHEMA_NAME } from "./store/postgres-schema.js";

// Every option with its default and its limits: the one place a config (file, environment, flags
// or `Rag.open`) is checked. Loading and merging the sources is in config.ts.
const searchMode = z.enum(["hybrid", "dense", "lexical"]);

export const configSchema = z
  .object({
    /** Where the index lives. */
    index: z.string().min(1).default(".ragkit"),
    embedder: z
      .object({
        /** bundled (offline default), transformers (ONNX via transformers.js), openai (any OpenAI-compatible /v1/embeddings), gguf (node-llama-cpp). */
        provider: z.enum(["bundled", "transformers", "openai", "gguf"]).default("bundled"),
        /** The provider's model name, e.g. text-embedding-3-small or nomic-embed-text. */
        model: z.string().default(""),
        /** OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (default OpenAI's). */
        baseUrl: z.string().default(""),
        /** Also OPENAI_API_KEY. */
        apiKey: z.string().default(""),
        /** Output dimensions: asked of models that can shorten vectors; otherwise found by one probe call. */
        dimensions: z.number().int().min(0).default(0),
        /** transformers: which ONNX file (fp32 model.onnx, fp16, q8 model_quantized.onnx). */
        dtype: z.enum(["fp32", "fp16", "q8"]).default("fp32"),
        /** Worker threads for local models; 0 means one per core (at most 4). */
        workers: z.number().int().min(0).max(64).default(0),
        /** Texts per request (0: the provider's default). */
        batchSize: z.number().int().min(0).max(4096).default(0),
        /** Requests in flight at once for remote providers. */
        concurrency: z.number().int().positive().max(64).default(4),
        /** Longest text the model reads, in characters (0: the provider's default); longer texts are cut. */
        maxInputChars: z.number().int().min(0).default(0),
        /** Put in front of queries / documents, for models trained with prefixes (e5, nomic, bge queries). */
        queryPrefix: z.string().default(""),
        documentPrefix: z.string().default(""),
        timeoutMs: z.number().int().positive().default(60_000),
        maxRetries: z.number().int().min(0).max(10).default(4),
      })
      .strict()
      .prefault({}),
    chunk: z
      .object({
        size: z.number().int().min(16).max(8192).default(512),
        overlap: z.number().int().min(0).default(64),
      })
      .strict()
      .refine((c) => c.overlap < c.size, { message: "chunk.overlap must be smaller than chunk.size" })
      .prefault({}),
    load: z
      .object({
        maxBytes: z.number().int().positive().default(25_000_000),
        /** Characters one document may have once loaded (a PDF or JSON field can inflate far past its bytes). */
        maxChars: z.number().int().positive().default(10_000_000),
        /** Zip-based formats (DOCX): checked while inflating, before any parser sees them. */
        zip: z
          .object({
            maxEntries: z.number().int().positive().default(10_000),
            maxUnzippedBytes: z.number().int().positive().default(256_000_000),
            // mammoth parses ~1 MB of XML a second on one core; 16 MB is a 1,000-page document.
            maxXmlBytes: z.number().int().positive().default(16_000_000),
          })
          .strict()
          .prefault({}),
        /** PDFs: what their compressed streams may inflate to, checked before the parser reads them. */
        pdf: z
          .object({ maxInflatedBytes: z.number().int().positive().default(256_000_000) })
          .strict()
          .prefault({}),
        include: z.array(z.string()).default([]),
        exclude: z.array(z.string()).default([]),
        gitignore: z.boolean().default(true),
        json: z
          .object({
            textField: z.string().min(1).default("text,content,body"),
            titleField: z.string().min(1).default("title,name"),
            idField: z.string().min(1).default("_id,id"),
          })
          .strict()
          .prefault({}),
        csv: z
          .object({ rowPerDocument: z.boolean().default(false) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    search: z
      .object({
        mode: searchMode.default("hybrid"),
        k: z.number().int().positive().max(1000).default(5),
        /** Weight of the dense score in hybrid fusion (the rest goes to BM25). */
        denseWeight: z.number().min(0).max(1).default(0.2),
        /** Candidates each retriever contributes before fusion. */
        candidates: z.number().int().positive().max(5000).default(100),
      })
      .strict()
      .prefault({}),
    generate: z
      .object({
        /** auto: a .gguf path or hf: URI runs locally, any other model goes to an OpenAI-compatible server, none answers extractively. */
        provider: z.enum(["auto", "extractive", "openai", "llama-cpp"]).default("auto"),
        /** Model name for a server, a .gguf path, or hf:<user>/<repo>/<file>. Also RAGKIT_MODEL. */
        model: z.string().default(""),
        /** OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1. Also OPENAI_BASE_URL. */
        baseUrl: z.string().default(""),
        /** Also OPENAI_API_KEY. */
        apiKey: z.string().default(""),
        /** Tokens the passages may take in the prompt. */
        contextTokens: z.number().int().positive().default(3000),
        maxTokens: z.number().int().positive().default(512),
        temperature: z.number().min(0).max(2).default(0.1),
        timeoutMs: z.number().int().positive().default(60_000),
        maxRetries: z.number().int().min(0).max(10).default(2),
        /** CPU threads for local models. */
        threads: z.number().int().positive().default(2),
        /** Context size for local models; 0 means the model's own (at most 8192). */
        contextSize: z.number().int().min(0).default(0),
        /** Where `ragkit models pull` stores models; default ~/.cache/ragkit/models (or RAGKIT_MODELS_DIR). */
        modelsDir: z.string().default(""),
        /** Replace the grounding instructions. */
        systemPrompt: z.string().default(""),
        /** Replace the user message; must contain {{passages}} and {{question}}. */
        userTemplate: z
          .string()
          .default("")
          .refine((t) => t === "" || (t.includes("{{passages}}") && t.includes("{{question}}")), {
            message: "generate.userTemplate must contain {{passages}} and {{question}}",
          }),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Bearer keys; required when host is not loopback. Also RAGKIT_API_KEYS (comma-separated). */
        apiKeys: z.array(z.string().min(8, "API keys must be at least 8 characters")).default([]),
        /** Requests per minute per API key (or per client address without keys). */
        rateLimit: z.number().int().positive().default(600),
        /** Largest JSON body in bytes (uploads are limited by load.maxBytes per file). */
        bodyLimit: z.number().int().positive().default(5_000_000),
        /** Origins allowed to call the API from a browser; empty means CORS off. */
        corsOrigins: z.array(z.string()).default([]),
        /** Characters in one query, question or chat message (search, ask, chat, /v1, MCP). */
        maxQueryChars: z.number().int().positive().default(10_000),
        /** Characters of text in one request altogether (all embeddings inputs, all chat messages). */
        maxRequestChars: z.number().int().positive().default(200_000),
        /** Expensive requests (answers, embeddings, ingest) running at once, per kind. */
        maxConcurrent: z.number().int().positive().default(4),
        /** Expensive requests waiting for a turn, per kind; beyond that the server answers 503. */
        maxQueued: z.number().int().min(0).default(32),
        /** Time to receive a whole request (headers and body), e.g. a slow upload. */
        requestTimeoutMs: z.number().int().positive().default(60_000),
        /**
         * Searches running at once; the rest wait their turn in order. Unbounded, 32 concurrent
         * searches competed inside LanceDB and a few waited seconds (p99 1.1 s at p50 0.19 s).
         */
        maxConcurrentSearches: z.number().int().positive().max(256).default(4),
        /** Searches that may wait for a turn; beyond that 503 SERVER_BUSY with Retry-After. */
        maxQueuedSearches: z.number().int().min(0).max(100_000).default(256),
        /** Time to receive the request headers. */
        headersTimeoutMs: z.number().int().positive().default(15_000),
        /** A kept-alive connection with no request in progress is closed after this. */
        idleTimeoutMs: z.number().int().positive().default(5_000),
        /** How long a write (upload, watch) waits for another process's ingest before 503 INDEX_LOCKED. */
        lockWaitMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /**
         * A PostgreSQL database (postgres://user:password@host:port/database, pgvector installed) to
         * hold the index instead of the LanceDB folder `index`. Also RAGKIT_STORE_URL or --store.
         */
        url: z
          .string()
          .default("")
          .refine((url) => url === "" || isPostgresUrl(url), {
            message: "must be a postgres:// or postgresql:// URL, or empty for the LanceDB folder",
          }),
        /** The Postgres schema of this index: several indexes share one database under different schemas. */
        schema: z.string().regex(SCHEMA_NAME, "must be a lower-case SQL identifier (letters, digits, _)").default("ragkit"),
        /** Connections per process to the Postgres server. */
        poolSize: z.number().int().positive().max(100).default(10),
        /**
         * Postgres: `maintenance_work_mem` while building the HNSW index, e.g. "2GB" ("" keeps the
         * server's, often 64MB): the graph builds fast while it fits (about 2 KB per 384-dimension chunk).
         */
        indexBuildMemory: z
          .string()
          .regex(/^(\d+\s*(kB|MB|GB|TB))?$/, 'must be a size such as "512MB" or "2GB", or empty')
          .default(""),
        /** LanceDB's cache of index data (BM25 and vector indexes), per process. */
        indexCacheMb: z.number().int().min(16).default(256),
        /** LanceDB's cache of file metadata, per process. */
        metadataCacheMb: z.number().int().min(8).default(128),
        /** Memory per process for exact dense search from a copy of a small index's vectors and chunks (0: off). */
        denseCacheMb: z.number().int().min(0).max(16_384).default(64),
        /** Chunks past which dense search uses an ANN index (IVF with RaBitQ one-bit codes, re-scored at full precision) instead of an exact scan; 0 never. */
        annMinRows: z.number().int().min(0).default(50_000),
        /** IVF partitions searched per query, at least: an index of n chunks probes the larger of 15 · n^⅛ and 0.6 · n^0.4 of its √n partitions (64 at 100,000, 151 at a million); more is slower and nearer exact. */
        annProbes: z.number().int().positive().max(1000).default(20),
        /** Candidates re-scored with the full-precision vectors: this × 10, or k if more. */
        annRefine: z.number().int().min(1).max(100).default(10),
        /**
         * A long ingest brings the indexes up to date every this many chunks it writes (0: only at its
         * end): rows outside them are found by a scan, in every process that searches meanwhile.
         */
        upkeepEveryChunks: z.number().int().min(0).default(100_000),
        /**
         * Linux (glibc): malloc arenas for the whole process, set when it first opens a LanceDB index, so
         * memory LanceDB's threads free is reused instead of kept per thread; 2 is what a bulk load of
         * millions of chunks wants (0: glibc's default of 8 per core; MALLOC_ARENA_MAX in the environment wins).
         */
        mallocArenaMax: z.number().int().min(0).max(64).default(0),
      })
      .strict()
      .prefault({}),
    rerank: z
      .object({
        /** none, cross-encoder (transformers.js), http (a Cohere/Jina-style /rerank endpoint), llm (the configured generator). */
        provider: z.enum(["none", "cross-encoder", "http", "llm"]).default("none"),
        /** Hub id or folder (cross-encoder), or the server's model name (http). */
        model: z.string().default(""),
        /** http: the API root that /rerank is appended to. */
        baseUrl: z.string().default(""),
        apiKey: z.string().default(""),
        /** First-stage hits that are reranked before cutting to k. */
        candidates: z.number().int().positive().max(500).default(30),
        /** Fail the search when the reranker fails, instead of keeping the first-stage order. */
        strict: z.boolean().default(false),
        dtype: z.enum(["fp32", "fp16", "q8"]).default("fp32"),
        timeoutMs: z.number().int().positive().default(30_000),
      })
      .strict()
      .prefault({}),
    answer: z
      .object({
        /** Passages the answerer reads. */
        passages: z.number().int().positive().max(50).default(5),
        /** Most sentences an extractive answer quotes. */
        maxSentences: z.number().int().positive().max(20).default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RagkitConfig = z.output<typeof configSchema>;
export type RagkitConfigInput = z.input<typeof configSchema>;
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
