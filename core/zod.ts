// The zod for code that reaches the browser: zod/mini, whose functions (z.optional(x),
// x.check(z.maxLength(n))) let the bundle keep only what is used; classic zod hangs every method on
// every schema. Import it as `import { z } from '.../core/zod.ts'`, not from 'zod/mini' itself:
// zod/mini loads no locale, so every issue would read "Invalid input"; ParseError reasons, the chain
// config's errors and the readers' refusals show zod's messages, and this module loads zod's English
// ones, as classic zod does. Node-only code (desk/, channel-contract's tools and services) may use
// classic 'zod': both share zod's core and its config.
import { z } from 'zod/mini'

z.config(z.locales.en())

export { z }
