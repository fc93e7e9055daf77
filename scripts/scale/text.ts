// Real English words in varied mixes, so lexical and dense search have something to tell apart.
const WORDS = (
  "harbour ferry timetable morning departs island bridge river valley mountain village market bread flour " +
  "recipe oven winter summer garden tomato engine battery charge voltage circuit sensor signal network " +
  "server request latency cache memory index query vector search answer question document chapter author " +
  "library museum painting history empire treaty war peace election council budget tax school teacher " +
  "student exam science biology cell protein gene virus vaccine patient doctor hospital heart blood " +
  "ocean whale coral reef storm rain cloud wind solar energy carbon forest bird nest egg spring"
).split(" ");

/** Document n: a title and three sentences drawn from the words above by a fixed recipe. */
export function syntheticDocument(n: number): { id: string; source: string; title: string; text: string; metadata: { group: string } } {
  let h = (n + 1) * 2654435761;
  const next = () => {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    return (h >>> 0) % WORDS.length;
  };
  const sentence = () => {
    const words = Array.from({ length: 8 + (next() % 8) }, () => WORDS[next()]);
    return `${words.join(" ")}.`.replace(/^./, (c) => c.toUpperCase());
  };
  return {
    id: `doc-${n}`,
    source: `synthetic://${n}`,
    title: `${WORDS[next()]} ${WORDS[next()]} ${n}`,
    text: `${sentence()} ${sentence()} ${sentence()}`,
    metadata: { group: `g${n % 10}` },
  };
}
