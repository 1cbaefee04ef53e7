// The desk's small data files: read as JSON (a missing file is null, a damaged one an error naming
// it), written durably (to a temporary file, fsync, rename: a crash leaves the old or the new
// content, never half of one).
import { open, readFile, rename } from 'node:fs/promises'
import { DemoError } from './errors.ts'

/** The JSON in `path`, or null if there is no such file; DATA_CORRUPT (with `hint`) if it is not JSON. */
export async function readJsonFile(path: string, hint = ''): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new DemoError('DATA_CORRUPT', `${path} is not JSON${hint}`)
  }
}

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
