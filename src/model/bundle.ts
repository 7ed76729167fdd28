/**
 * True when this code runs from the bundle of the `braid` command (dist/cli/braid.cjs, written by
 * scripts/bundle-cli.mjs, where every module's `import.meta.url` is the bundle's); false in ES modules (dist/,
 * tsx, tests). In the bundle, `require` is the module's own and the bundler includes what it names.
 */
export const IN_BUNDLE = import.meta.url.endsWith(".cjs");
