/**
 * The metric names a PromQL expression reads, for the tests that keep the alerts and the
 * dashboard to the metrics the operator exports. A small scanner, not a parser: it only has to
 * tell a metric name from everything else, and `promtool` already checks the syntax of the
 * expressions (test/integration/monitoring/). What is skipped:
 * - function and aggregation calls (an identifier followed by `(`), and the keywords (`by`,
 *   `without`, `on`, `ignoring`, `group_left`, `group_right` with their label lists, `bool`,
 *   `offset`, `and`, `or`, `unless`, `atan2`, aggregations written before their `by`, `inf`, `nan`);
 * - `{…}` label matchers (except `__name__="…"`, which names a metric), `[…]` ranges and
 *   subqueries, strings, numbers, durations, `@` modifiers, comments;
 * - Grafana's variables (`$namespace`, `${cluster}`, `$__rate_interval`, `[[var]]`).
 * It throws on what it cannot answer: a `__name__` chosen by a regex or `!=`, an unterminated
 * string or bracket.
 */

/** Operators written before their `by`/`without` clause, so not always followed by `(`. */
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** Keywords followed by a label list in parentheses (which holds label names, not metrics). */
const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

/** Other words that are never a metric name outside a call. */
const KEYWORDS = new Set(['bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);

const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
/** Hex, durations (`1h30m`), decimals with exponents; a leading sign is an operator. */
const NUMBER =
  /0x[0-9a-fA-F]+|(?:[0-9]+(?:ms|[smhdwy]))+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const GRAFANA_VARIABLE = /\$(?:\{[^}]*\}|[a-zA-Z_][a-zA-Z0-9_]*)|\[\[[^\]]*\]\]/y;
const NAME_MATCHER = /\s*__name__\s*(=~|!~|!=|=)\s*/y;

/** Matches `pattern` (sticky) at `index`; the match or undefined. */
function matchAt(pattern: RegExp, text: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(text)?.[0];
}

function skipSpace(expr: string, index: number): number {
  let at = index;
  while (at < expr.length && /\s/.test(expr.charAt(at))) at++;
  return at;
}

/** The index after the string literal starting at `index` (its quote). */
function skipString(expr: string, index: number): number {
  const quote = expr.charAt(index);
  let at = index + 1;
  while (at < expr.length) {
    const char = expr.charAt(at);
    if (char === '\\' && quote !== '`') {
      at += 2;
      continue;
    }
    if (char === quote) return at + 1;
    at++;
  }
  throw new Error(`Unterminated string at ${String(index)} in: ${expr}`);
}

/** The string literal's value (for `__name__="…"`); PromQL escapes as Go's. */
function stringValue(literal: string): string {
  const quote = literal.charAt(0);
  const body = literal.slice(1, -1);
  return quote === '`' ? body : body.replace(/\\(.)/g, '$1');
}

/** The index after the bracket that closes the one at `index`, skipping strings inside. */
function skipBracketed(expr: string, index: number, open: string, close: string): number {
  let depth = 0;
  let at = index;
  while (at < expr.length) {
    const char = expr.charAt(at);
    if (char === '"' || char === "'" || char === '`') {
      at = skipString(expr, at);
      continue;
    }
    if (char === open) depth++;
    if (char === close) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  throw new Error(`Unbalanced ${open}${close} at ${String(index)} in: ${expr}`);
}

/** Metric names from a `{…}` selector's `__name__` matchers (the block starts at `index`). */
function namesInMatchers(expr: string, index: number, end: number): string[] {
  const names: string[] = [];
  let at = index + 1;
  while (at < end - 1) {
    const char = expr.charAt(at);
    if (char === '"' || char === "'" || char === '`') {
      at = skipString(expr, at);
      continue;
    }
    // A matcher starts after `{` or `,`.
    if (at === index + 1 || expr.charAt(at - 1) === ',') {
      const matcher = matchAt(NAME_MATCHER, expr, at);
      if (matcher !== undefined) {
        const valueAt = at + matcher.length;
        if (!matcher.trim().endsWith('=') || matcher.includes('!')) {
          throw new Error(`A metric name chosen by a pattern cannot be checked: ${expr}`);
        }
        const valueEnd = skipString(expr, valueAt);
        names.push(stringValue(expr.slice(valueAt, valueEnd)));
        at = valueEnd;
        continue;
      }
    }
    at++;
  }
  return names;
}

/**
 * The metric names `expr` reads, each once, in the order they first appear; histogram and
 * summary series (`…_bucket`, `…_sum`, `…_count`) as written: see metricFamilyOf.
 */
export function extractMetricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  let at = 0;
  while (at < expr.length) {
    const char = expr.charAt(at);
    if (/\s/.test(char)) {
      at++;
    } else if (char === '#') {
      const newline = expr.indexOf('\n', at);
      at = newline === -1 ? expr.length : newline;
    } else if (char === '"' || char === "'" || char === '`') {
      at = skipString(expr, at);
    } else if (char === '{') {
      const end = skipBracketed(expr, at, '{', '}');
      for (const name of namesInMatchers(expr, at, end)) add(name);
      at = end;
    } else if (char === '[' && expr.charAt(at + 1) !== '[') {
      at = skipBracketed(expr, at, '[', ']');
    } else if (char === '$' || char === '[') {
      const variable = matchAt(GRAFANA_VARIABLE, expr, at);
      if (variable === undefined)
        throw new Error(`Unexpected ${char} at ${String(at)} in: ${expr}`);
      at += variable.length;
    } else if (/[0-9.]/.test(char)) {
      const number = matchAt(NUMBER, expr, at);
      if (number === undefined) throw new Error(`Unexpected . at ${String(at)} in: ${expr}`);
      at += number.length;
    } else if (/[a-zA-Z_:]/.test(char)) {
      const word = matchAt(IDENTIFIER, expr, at) ?? char;
      at += word.length;
      const next = skipSpace(expr, at);
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        // group_left and group_right may stand without a list.
        if (expr.charAt(next) === '(') at = skipBracketed(expr, next, '(', ')');
      } else if (expr.charAt(next) === '(' || AGGREGATIONS.has(lower) || KEYWORDS.has(lower)) {
        // A call, an aggregation before its clause, or a keyword.
      } else {
        add(word);
      }
    } else {
      // Operators, commas, parentheses, `@`.
      at++;
    }
  }
  return names;
}

/** What `# TYPE` says of a family. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * The family a series name belongs to, among `families` (name → type): the name itself, or for
 * `…_bucket` a histogram's and for `…_sum`/`…_count` a histogram's or a summary's; undefined
 * when none is declared.
 */
export function metricFamilyOf(
  name: string,
  families: ReadonlyMap<string, MetricType>,
): string | undefined {
  if (families.has(name)) return name;
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (!suffix) return undefined;
  const family = name.slice(0, suffix.index);
  const type = families.get(family);
  if (type === 'histogram') return family;
  if (type === 'summary' && suffix[1] !== 'bucket') return family;
  return undefined;
}

/** The metric families a text exposition declares (its `# TYPE` lines), with their types. */
export function parseMetricFamilies(exposition: string): Map<string, MetricType> {
  const families = new Map<string, MetricType>();
  for (const line of exposition.split('\n')) {
    const match =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(
        line.trimEnd(),
      );
    if (match?.[1] !== undefined && match[2] !== undefined) {
      families.set(match[1], match[2] as MetricType);
    }
  }
  return families;
}

/**
 * Each metric name `exprs` read that no family declares, with the expressions reading it
 * (sorted by name); empty when every one is exported.
 */
export function undeclaredMetricNames(
  exprs: readonly string[],
  families: ReadonlyMap<string, MetricType>,
): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  for (const expr of exprs) {
    for (const name of extractMetricNames(expr)) {
      if (metricFamilyOf(name, families) !== undefined) continue;
      missing.set(name, [...(missing.get(name) ?? []), expr]);
    }
  }
  return new Map([...missing].sort(([a], [b]) => a.localeCompare(b)));
}
