// app.bundle_gzip_kib: the production bundle's JavaScript (every .js file vite writes, lazily
// loaded chunks included), gzip -9, viem included; goal < 350. The note names the largest packages
// (bench/bundle.ts: each package's modules gzipped on their own, an upper bound of what it adds).
// `npx tsx bench/bundle.ts viem zod` lists the modules of the packages named.
import { rmSync } from 'node:fs'
import { tempDir } from '../scripts/services.ts'
import { buildBundle, describeGroups } from './bundle.ts'
import type { BenchResult } from './result.ts'

export async function run(): Promise<BenchResult[]> {
  const outDir = tempDir('otc-bundle-')
  try {
    const r = await buildBundle(outDir)
    const files = r.files.map((f) => `${f.file} ${f.kib.toFixed(1)}`).join(', ')
    process.stderr.write(`[bundle.bench] ${r.totalKiB.toFixed(1)} KiB gzip: ${files}\n[bundle.bench] largest packages (KiB, each alone): ${describeGroups(r, 14)}\n`)
    return [{
      name: 'app.bundle_gzip_kib', value: Number(r.totalKiB.toFixed(1)), unit: 'KiB', higherIsBetter: false,
      note: `production JS, gzip -9, viem included (goal < 350); files: ${files} KiB; largest packages (each gzipped alone, upper bounds): ${describeGroups(r, 8)} KiB`,
    }]
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}
