// Test helpers for the app's unit tests (never imported by the app itself).

/** A localStorage in memory, installed on globalThis by `install()` and taken away by `remove()` (which also empties it). */
export function memoryStorage() {
  const memory = new Map<string, string>()
  const storage = { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v), removeItem: (k: string) => void memory.delete(k) }
  return {
    memory,
    install: () => void ((globalThis as { localStorage?: unknown }).localStorage = storage),
    remove: () => {
      memory.clear()
      delete (globalThis as { localStorage?: unknown }).localStorage
    },
  }
}
