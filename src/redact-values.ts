// Fragments of a secret value shorter than this are not redacted on their own: a private key's
// short last line ("-----") or a blank line would otherwise wipe half the text.
const MIN_FRAGMENT_LENGTH = 8;

/**
 * Replaces every given secret value in `text` with `marker`: the value itself, its JSON-escaped
 * form (as it appears inside a JSON document or error body), its base64 form, and each of its
 * lines (a key written across lines, or cut by a log tail). Shared by the support bundle and
 * the inventory's error messages, so a secret cannot slip through one of them in another form.
 */
export function redactValues(
  text: string,
  secretValues: readonly string[],
  marker: string,
): string {
  const fragments = new Set<string>();
  for (const value of secretValues) {
    if (value === '') continue;
    fragments.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    fragments.add(escaped);
    if (value.length >= MIN_FRAGMENT_LENGTH) {
      fragments.add(Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, ''));
    }
    for (const line of value.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_FRAGMENT_LENGTH) fragments.add(trimmed);
    }
  }
  // Longest first, so a whole value goes before a fragment of it leaves the rest behind.
  const ordered = [...fragments].sort((a, b) => b.length - a.length);
  let redacted = text;
  for (const fragment of ordered) redacted = redacted.split(fragment).join(marker);
  return redacted;
}
