// The page's first module (index.html loads it before main.tsx). zod compiles its object parsers
// with `new Function` where the page allows eval, and finds out by trying once, when the first
// object schema is made. The app's Content-Security-Policy (csp.ts) forbids eval: that try would be
// refused and reported as a CSP violation on every page load, though zod then parses the same way
// it does here, without compiling. Told first, zod never tries.
import { config } from 'zod/v4/core'

config({ jitless: true })
