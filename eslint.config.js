// Lint (npm run lint; scripts/test-all.sh runs it as a suite). Syntax-level rules only (no type
// information), so it stays fast; tsc does the type checking.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Files that run only in Node by design: everything else in app/ and core/ must also run in a browser. */
const NODE_ONLY = [
  '**/*.test.ts',
  '**/*.test.tsx',
  'core/ed25519-node.ts',
  'core/sync/file-store.ts',
  'core/sync/journal-store.ts',
  'core/sync/node-webrtc.ts',
  'core/sync/node.ts',
  'core/sync/testkit-peer.ts',
  'core/vectors/**',
]

/** Browser code takes zod from core/zod.ts: zod/mini (tree-shakable, unlike classic zod) with zod's English messages. */
const BROWSER_ZOD = [
  { name: 'zod', message: "browser code: import { z } from core/zod.ts (zod/mini); classic zod puts every method of every schema in the bundle" },
  { name: 'zod/mini', message: "import { z } from core/zod.ts: it loads zod's English messages, which zod/mini alone leaves out" },
]

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-results*/**', 'playwright-report/**', '.data/**', 'public/**', 'channel-contract/solidity/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // TypeScript resolves names (and knows Node's and the browser's globals); this rule does not.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // Reported, not failing: each file's owner fixes these in their own files.
      'preserve-caught-error': 'warn',
      'no-useless-assignment': 'warn',
      'no-empty-pattern': 'warn',
      '@typescript-eslint/no-unused-expressions': 'warn',
      // anvil deadlocks when anvil_nodeInfo arrives while it mines (channel-contract/chain/config.ts isAnvilVersion).
      'no-restricted-syntax': ['error', { selector: "Literal[value='anvil_nodeInfo']", message: 'anvil deadlocks on anvil_nodeInfo under load: tell the dev chain by web3_clientVersion (isAnvilVersion in channel-contract/chain/config.ts)' }],
    },
  },
  {
    // Tests, benchmarks and end-to-end specs poke at untyped JSON and private state on purpose.
    files: ['**/*.test.ts', '**/*.test.tsx', 'bench/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Published coefficients of the normal-distribution approximations, quoted to the source's digits.
    files: ['core/pricing/**'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // Browser code: no Node built-ins (core runs in the browser and in Node; app only in the browser).
    files: ['app/**/*.{ts,tsx}', 'core/**/*.ts'],
    ignores: [...NODE_ONLY, 'core/zod.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: BROWSER_ZOD, patterns: [{ regex: '^node:', message: 'browser code: Node built-ins only in the Node-only files listed in eslint.config.js' }] }],
    },
  },
  {
    // The parts of channel-contract the app bundles.
    files: ['channel-contract/client/**/*.ts', 'channel-contract/chain/config.ts'],
    ignores: NODE_ONLY,
    rules: { 'no-restricted-imports': ['error', { paths: BROWSER_ZOD }] },
  },
)
