// The production bundle, built with vite's API: the gzipped size of every JS file it writes and an
// attribution of the bytes to packages (node_modules name, or app/, core/, channel-contract/...):
// each group's modules as rollup rendered them, concatenated and gzipped on their own. A group's
// figure is an upper bound of what it adds (gzip shares less across groups than across one file);
// it says where to look when app.bundle_gzip_kib is over its goal.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

export interface BundleReport {
  /** Sum of the gzipped JS files, KiB. */
  readonly totalKiB: number
  readonly files: readonly { readonly file: string; readonly kib: number }[]
  /** Largest first. */
  readonly groups: readonly { readonly group: string; readonly modules: number; readonly kib: number }[]
  /** Every module: its id (relative to the repo), its group, its rendered code gzipped alone (KiB). */
  readonly modules: readonly { readonly id: string; readonly group: string; readonly kib: number }[]
}

const root = resolve(import.meta.dirname, '..')

function groupOf(id: string): string {
  // A copy nested under another package (its own version) is named as such: "@noble/curves (in viem)".
  const pkgs = [...id.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1]!)
  if (pkgs.length > 1) return `${pkgs.at(-1)} (in ${pkgs.slice(0, -1).join(' > ')})`
  if (pkgs.length === 1) return pkgs[0]!
  const rel = relative(root, id.replace(/^\0/, ''))
  const top = rel.split('/')[0]!
  return rel.startsWith('..') || !rel.includes('/') ? rel : `${top}/`
}

export async function buildBundle(outDir: string): Promise<BundleReport> {
  const rendered = new Map<string, string[]>()
  const modules: { id: string; group: string; kib: number }[] = []
  await build({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    plugins: [{
      name: 'bench-bundle-report',
      generateBundle(_options, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type !== 'chunk') continue
          for (const [id, m] of Object.entries(chunk.modules)) {
            const g = groupOf(id)
            rendered.set(g, [...(rendered.get(g) ?? []), m.code ?? ''])
            modules.push({ id: relative(root, id.replace(/^\0/, '')), group: g, kib: gzipSync(m.code ?? '', { level: 9 }).length / 1024 })
          }
        }
      },
    }],
  })
  const files: { file: string; kib: number }[] = []
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (f.endsWith('.js')) files.push({ file: relative(outDir, p), kib: gzipSync(readFileSync(p), { level: 9 }).length / 1024 })
    }
  }
  walk(outDir)
  files.sort((a, b) => b.kib - a.kib)
  const groups = [...rendered].map(([group, codes]) => ({ group, modules: codes.length, kib: gzipSync(codes.join('\n'), { level: 9 }).length / 1024 })).sort((a, b) => b.kib - a.kib)
  modules.sort((a, b) => b.kib - a.kib)
  return { totalKiB: files.reduce((s, f) => s + f.kib, 0), files, groups, modules }
}

/** One line: the largest groups with their KiB. */
export function describeGroups(r: BundleReport, n = 10): string {
  return r.groups.slice(0, n).map((g) => `${g.group} ${g.kib.toFixed(1)}`).join(', ')
}

// tsx bench/bundle.ts [group...]: prints the report, and the modules of each named group.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { tempDir } = await import('../scripts/services.ts')
  const r = await buildBundle(tempDir('otc-bundle-'))
  console.log(`${r.totalKiB.toFixed(1)} KiB gzip in ${r.files.length} JS files: ${r.files.map((f) => `${f.file} ${f.kib.toFixed(1)}`).join(', ')}`)
  console.log('by package (each group gzipped alone: an upper bound of what it adds):')
  for (const g of r.groups.slice(0, 30)) console.log(`${g.kib.toFixed(1).padStart(8)} KiB  ${String(g.modules).padStart(4)} modules  ${g.group}`)
  for (const name of process.argv.slice(2)) {
    const mods = r.modules.filter((m) => m.group === name)
    if (mods.length === 0) console.log(`\nno group "${name}" (groups: ${r.groups.map((g) => g.group).join(', ')})`)
    else console.log(`\n${name}, each module gzipped alone:\n${mods.map((m) => `${m.kib.toFixed(1).padStart(8)} KiB  ${m.id}`).join('\n')}`)
  }
}
