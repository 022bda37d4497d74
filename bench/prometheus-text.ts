/**
 * A scrape in the Prometheus text format, parsed enough for benchmarks: samples with their labels,
 * and which metric families the target declared (so "no such metric" differs from "no sample yet").
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromScrape {
  readonly samples: readonly PromSample[];
  /** Names from `# TYPE` lines. */
  readonly families: ReadonlySet<string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

export function parsePrometheusText(text: string): PromScrape {
  const samples: PromSample[] = [];
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const name = line.slice('# TYPE '.length).split(' ')[0];
      if (name) families.add(name);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`Not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[3] ?? '';
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let label = LABEL.exec(body); label; label = LABEL.exec(body)) {
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = LABEL.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`Unreadable labels in: ${line}`);
    samples.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return { samples, families };
}

/**
 * The sum of `name`'s samples whose labels include `where`; 0 when the family is declared but has
 * no such sample yet (a counter not yet incremented), undefined when the target has no such metric.
 */
export function sumOf(
  scrape: PromScrape,
  name: string,
  where: Readonly<Record<string, string>> = {},
): number | undefined {
  const matching = scrape.samples.filter(
    (s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v),
  );
  if (matching.length === 0) return scrape.families.has(name) ? 0 : undefined;
  return matching.reduce((sum, s) => sum + s.value, 0);
}

/** `after - before` of sumOf, undefined when either scrape lacks the metric. */
export function increaseOf(
  before: PromScrape,
  after: PromScrape,
  name: string,
  where: Readonly<Record<string, string>> = {},
): number | undefined {
  const a = sumOf(before, name, where);
  const b = sumOf(after, name, where);
  return a === undefined || b === undefined ? undefined : b - a;
}

/** What one scrape cost: the answer's size and the time to it, read whole. */
export interface ScrapeCost {
  readonly bytes: number;
  readonly ms: number;
}

/** GET `url` (the operator's /metrics) and parse it; `token` for HTTP_AUTH=kubernetes. */
export async function scrape(
  url: string,
  token?: string,
): Promise<PromScrape & { readonly cost: ScrapeCost }> {
  const started = performance.now();
  const response = await fetch(url, {
    signal: AbortSignal.timeout(10_000),
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
  });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const text = await response.text();
  const cost = { bytes: Buffer.byteLength(text), ms: performance.now() - started };
  return { ...parsePrometheusText(text), cost };
}
