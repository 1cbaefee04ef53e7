/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_CHAIN_RPC_URL?: string
  readonly VITE_CHAIN_ID?: string
  readonly VITE_ADJUDICATOR?: string
  readonly VITE_TOKEN?: string
  readonly VITE_VERIFIER?: string
  readonly VITE_ASSET?: string
  readonly VITE_ASSET_DECIMALS?: string
  readonly VITE_ORACLE_URL?: string
  readonly VITE_WATCHTOWER_URL?: string
  readonly VITE_DEPLOYMENT_BLOCK?: string
  readonly VITE_SIGNALING_URL?: string
  readonly VITE_DEMO_URL?: string
}
