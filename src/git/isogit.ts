/**
 * isomorphic-git, loaded through `require`. For Node, the package's `exports` map serves only its CommonJS
 * build (index.cjs, 580 KB); an ESM `import` of it makes Node scan the whole file for its export names before
 * running it (about 0.1 s of CPU on every braid start that reads Git). `require` skips that scan and gives the
 * same module object (`exports`), so braid's modules import `git` from here instead of from "isomorphic-git".
 */
import { createRequire } from "node:module";

type IsoGit = typeof import("isomorphic-git").default;

const git = createRequire(import.meta.url)("isomorphic-git") as IsoGit;
export default git;
