// Durable small files: write to a temporary file, fsync, rename (a crash leaves the old or the new
// content, never half of one).
import { open, rename } from 'node:fs/promises'

export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w', mode)
  try {
    await fh.writeFile(text, 'utf8')
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
}
