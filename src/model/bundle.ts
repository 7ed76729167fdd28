/**
 * True when this code runs from the bundle of the `braid` command (dist/cli/braid.cjs, written by
 * scripts/bundle-cli.mjs, where every module's `import.meta.url` is the bundle's); false in ES modules (dist/,
 * tsx, tests). In the bundle, `require` is the module's own and the bundler includes what it names.
 */
export const IN_BUNDLE = import.meta.url.endsWith(".cjs");

let bundleDigest: string | undefined;

/**
 * Hands on the sha256 (hex) of the bundle's bytes: the launcher (cli/launch.ts) hashes them anyway to key the
 * code cache, so braid's own digest (render/cluster-digest.ts) need not read and hash them again.
 */
export function useBundleDigest(hex: string): void {
  bundleDigest = hex;
}

/** The bundle's digest, when the launcher handed it on. */
export function givenBundleDigest(): string | undefined {
  return bundleDigest;
}
