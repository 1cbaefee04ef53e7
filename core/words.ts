// Counts in words, for what people read (logs, errors, screens): "1 position", "3 positions", never
// "position(s)".

/** "1 channel", "2 channels"; `plural` for nouns that do not take an s ("1 entry", "2 entries"). */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}
