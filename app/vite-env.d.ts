/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_NODE_URL?: string
  readonly VITE_SIGNALING_URL?: string
  readonly VITE_DEMO_URL?: string
}
