// Saves text as a file the browser downloads (backups, blotter CSV): no server involved.
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/** A stored value as JSON text for the trader to save (a bigint as its digits; what JSON cannot hold, as the runtime prints it). Never throws. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) ?? String(value)
  } catch {
    return String(value)
  }
}
