// Run by `npm run build` after tsc: writes dist/cli/braid.cjs, the `braid` command (src/cli/main.ts) and its
// dependencies in one CommonJS file, which bin/braid.js loads through V8's code cache (src/cli/launch.ts).
// Every module's `import.meta.url` becomes the bundle's own URL: the modules read files relative to it
// (../../schemas/, ../config/config-validators.cjs) from one folder below dist/, as the bundle sits.
import { build } from "esbuild";
import { readFile, writeFile } from "node:fs/promises";

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
      // isomorphic-git's pako: one-shot inflate and deflate through Node's zlib (scripts/bundle/pako-zlib.mjs)
      name: "braid-pako-zlib",
      setup(b) {
        const shim = new URL("./bundle/pako-zlib.mjs", import.meta.url).pathname;
        b.onResolve({ filter: /^pako$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
      },
    },
    {
      // isomorphic-git checks every object it reads against its id with SHA-1 through WebCrypto where there is
      // one: asynchronous, two trips through libuv's thread pool per object (3-4 ms of a 20-object render). In
      // the bundle it uses its own synchronous path (Node's crypto.createHash) instead. A version of
      // isomorphic-git without that switch fails the build, so that this is looked at again.
      name: "braid-isogit-sync-sha1",
      setup(b) {
        b.onLoad({ filter: /[\\/]isomorphic-git[\\/]index\.c?js$/ }, async (args) => {
          const text = await readFile(args.path, "utf8");
          const from = "let supportsSubtleSHA1 = null;";
          if (!text.includes(from)) throw new Error(`${args.path}: "${from}" not found (isomorphic-git changed)`);
          return { contents: text.replace(from, "let supportsSubtleSHA1 = false;"), loader: "js" };
        });
      },
    },
    {
      // the yaml package prints every token (LOG_TOKENS) and every document (LOG_STREAM) to stdout when those
      // environment variables are set, and looks them up in process.env once per token: a CI job that sets
      // either for another tool got braid's `--format json` mixed with yaml's debug lines, and every run paid
      // about 0.25 µs per token (about 0.1 s of a cold 1,000-cluster publish). In the bundle both are off. A
      // version of yaml without those lines fails the build, so that this is looked at again.
      name: "braid-yaml-no-debug-env",
      setup(b) {
        const lines = {
          "parser.js": "node_process.env.LOG_TOKENS",
          "composer.js": "node_process.env.LOG_STREAM",
        };
        const seen = new Set();
        b.onLoad({ filter: /[\\/]yaml[\\/]dist[\\/](parse[\\/]parser|compose[\\/]composer)\.js$/ }, async (args) => {
          const name = args.path.split(/[\\/]/).pop();
          const text = await readFile(args.path, "utf8");
          const from = lines[name];
          if (!text.includes(from)) throw new Error(`${args.path}: "${from}" not found (yaml changed)`);
          seen.add(name);
          return { contents: text.replaceAll(from, "false"), loader: "js" };
        });
        b.onEnd(() => {
          const missing = Object.keys(lines).filter((n) => !seen.has(n));
          if (missing.length) throw new Error(`yaml's ${missing.join(", ")} not bundled from dist/ (yaml changed)`);
        });
      },
    },
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
// `import()` does not work in the bundle (the launcher runs it as a script, with no module loader behind it):
// a module not bundled (Node's own) is loaded with `require` (createRequire) instead
const dynamic = /\bimport\(\s*["'`][^"'`]*["'`]\s*\)/.exec(text);
if (dynamic) throw new Error(`dist/cli/braid.cjs keeps ${dynamic[0]}: load it through createRequire instead`);
await writeFile(outfile, text);
