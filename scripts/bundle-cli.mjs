// Run by `npm run build` after tsc: writes dist/cli/braid.cjs, the `braid` command (src/cli/main.ts) and its
// dependencies in one CommonJS file, which bin/braid.js loads through V8's code cache (src/cli/launch.ts).
// Every module's `import.meta.url` becomes the bundle's own URL: the modules read files relative to it
// (../../schemas/, ../config/config-validators.cjs) from one folder below dist/, as the bundle sits.
import { build } from "esbuild";
import { writeFile } from "node:fs/promises";

const outfile = new URL("../dist/cli/braid.cjs", import.meta.url).pathname;
const { outputFiles } = await build({
  entryPoints: [new URL("../src/cli/main.ts", import.meta.url).pathname],
  outfile,
  write: false,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // without comments or layout (a smaller file to read and parse); names stay readable in stack traces
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  define: { "import.meta.url": "__braid_bundle_url" },
  banner: { js: 'const __braid_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [
    {
      // the config validators precompiled by scripts/precompile-config-schemas.mjs (src/config/config-validators.ts)
      name: "braid-config-validators",
      setup(b) {
        b.onResolve({ filter: /^braid:config-validators$/ }, () => ({
          path: new URL("../dist/config/config-validators.cjs", import.meta.url).pathname,
        }));
      },
    },
  ],
  logLevel: "warning",
});
// ASCII only, so the launcher reads it as latin1, the cheapest decoding: esbuild leaves a few characters in
// regular expressions as they are; a \u escape means the same there (and in strings and names).
const text = outputFiles[0].text.replace(
  /[\u0080-\uffff]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
);
await writeFile(outfile, text);
