/** "Did you mean" for misspelt keys: the closest allowed word by edit distance, when close enough. */

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The allowed word nearest to `word`, or undefined when none is plausibly meant: a typo changes a
 * few letters (within about a third of the word, at least 2), or cuts a word short (`max_batch` for
 * `max_batch_size`).
 */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const limit = Math.max(2, Math.floor(Math.max(lower.length, other.length) / 3));
    const truncated =
      Math.min(lower.length, other.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other));
    if ((distance <= limit || truncated) && (!best || distance < best.distance))
      best = { word: candidate, distance };
  }
  return best?.word;
}
