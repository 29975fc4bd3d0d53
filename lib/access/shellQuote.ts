// Characters that need no quoting in POSIX shells; ARNs, cluster names and regions consist of these.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for a POSIX shell, only when it needs it (so ARNs stay readable and copyable). */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Joins a command line from words, quoting each as needed. */
export function shellCommand(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
