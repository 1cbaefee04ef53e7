/** Runs `f` over `items`, at most `limit` at a time, in the items' order; resolves when every run has ended. */
export async function pool<T>(items: readonly T[], limit: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await f(items[i]!, i)
    }
  }))
}
