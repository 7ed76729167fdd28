import fs from "node:fs";
import git from "../src/git/isogit.js";
const gitdir = process.argv[2]!;
const commit = (await import("node:child_process")).execSync(`git --git-dir=${gitdir} rev-parse ${process.argv[3]}^{commit}`).toString().trim();
const t0 = performance.now();
const cache = {};
let n = 0, bytes = 0;
async function walk(oid: string): Promise<void> {
  const { tree } = await git.readTree({ fs, gitdir, oid, cache });
  await Promise.all(tree.map(async (e) => {
    if (e.type === "tree") return walk(e.oid);
    if (e.type === "blob" && /\.(ya?ml|json)$/.test(e.path)) { const { blob } = await git.readBlob({ fs, gitdir, oid: e.oid, cache }); n++; bytes += blob.length; }
  }));
}
const { tree } = await git.readTree({ fs, gitdir, oid: commit, cache, filepath: process.argv[4] });
await Promise.all(tree.filter(e => e.type === "tree").map(e => walk(e.oid)));
console.log(process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES, "blobs", n, "MB", (bytes/1e6).toFixed(1), "ms", (performance.now() - t0).toFixed(0), "rss MB", (process.memoryUsage().rss/1e6).toFixed(0));
