/**
 * The code frames of `--format text` (see diagnostics/code-frame.ts): after a run, the text of each file a
 * located error points at is read once — fleet files through the run's own `FleetReader` (a folder, or a Git
 * revision), source files from the pinned commit in the source's repository — and the formatter gets a lookup.
 * A file that cannot be read (gone, not a blob, a source that did not resolve) simply gets no frame, and neither
 * does an error about a Secret: its line may hold the value that the message shows only as a hash.
 */
import fs from "node:fs";
import type { FleetReader } from "../config/fleet-files.js";
import { codeFrame, frameLines } from "../diagnostics/code-frame.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import git from "../git/isogit.js";
import type { ResolvedPin } from "../sources/resolve-pins.js";

/** At most this many files are read for frames (a run with errors in more files shows frames for these). */
const MAX_FILES = 200;
/**
 * At most this many frames are shown; the errors after them are printed without one. A frame costs the length
 * of its line, and a hostile file of 150,000 errors on one line of a megabyte took hours to print.
 */
const MAX_FRAMES = 500;

/** Where the frames' texts come from. */
export interface FrameSources {
  /** The fleet's files (the reader the run used). */
  reader?: FleetReader;
  /** The run's pins: a source file is read at its pinned commit, a remote base's at the commit the pin lists. */
  pins?: ReadonlyMap<string, ResolvedPin>;
  /** The repositories of the run's remote bases, by URL. */
  bases?: ReadonlyMap<string, string>;
}

const keyOf = (loc: SourceLocation): string => `${loc.source ?? ""}\0${loc.commit ?? ""}\0${loc.file}`;

async function readSourceFile(from: FrameSources, loc: SourceLocation): Promise<string | undefined> {
  const at = async (gitdir: string, oid: string, cache: object) =>
    new TextDecoder().decode((await git.readBlob({ fs, gitdir, oid, filepath: loc.file, cache })).blob);
  const of = (commit: string | undefined) => commit?.startsWith(loc.commit ?? "\0");
  for (const pin of from.pins?.values() ?? []) {
    if (pin.source.name !== loc.source) continue;
    const commit = pin.resolution?.commit;
    if (pin.repo && of(commit)) return at(pin.repo.gitdir, commit!, pin.repo.cache ?? {}); // the run's cache
    // a file of a remote base the source's kustomization lists
    for (const r of pin.remotes ?? []) {
      const gitdir = "commit" in r && of(r.commit) ? from.bases?.get(r.url) : undefined;
      if (gitdir && "commit" in r) return at(gitdir, r.commit, {});
    }
  }
  return undefined;
}

/** A frame lookup for the located errors among `diagnostics` (their files read now, once each). */
export async function codeFrames(
  diagnostics: readonly Diagnostic[],
  from: FrameSources,
): Promise<(d: Diagnostic) => string | undefined> {
  const texts = new Map<string, readonly string[] | undefined>();
  for (const d of diagnostics) {
    const loc = d.location;
    if (!framed(d) || loc?.line === undefined || texts.has(keyOf(loc))) continue;
    if (texts.size >= MAX_FILES) break;
    let text: string | undefined;
    try {
      text = loc.commit ? await readSourceFile(from, loc) : await from.reader?.read(loc.file);
    } catch {
      text = undefined; // no frame for a file that cannot be read
    }
    texts.set(keyOf(loc), text === undefined ? undefined : frameLines(text)); // (split once for all its frames)
  }
  let shown = 0;
  return (d) => {
    const loc = d.location;
    const lines = loc && framed(d) ? texts.get(keyOf(loc)) : undefined;
    if (lines === undefined || loc?.line === undefined || shown >= MAX_FRAMES) return undefined;
    const frame = codeFrame(lines, loc.line, loc.column);
    if (frame !== undefined) shown++;
    return frame;
  };
}

/** Errors get a frame, except those about a Secret (`resource` is "Secret namespace/name"). */
function framed(d: Diagnostic): boolean {
  return d.severity === "error" && !/^Secret\b/.test(d.resource ?? "");
}
