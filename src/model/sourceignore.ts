/**
 * What Flux's source-controller leaves out of a GitRepository's artifact, which is all kustomize-controller
 * ever sees of the repository: fluxcd/pkg `sourceignore` (gitignore patterns, go-git's matcher) over every
 * file, as `Storage.Archive` walks the checkout.
 *
 * - Patterns come from every `.sourceignore` file of the repository, each scoped to its own folder, in the
 *   order the walk finds them (a folder's file, then its sub-folders by name), then from the GitRepository's
 *   `spec.ignore` (braid: the source's `ignore`). A later pattern wins over an earlier one.
 * - With no pattern at all, the defaults apply: images and archives, CI files (`cloudbuild.yaml`,
 *   `.github/`…), `.goreleaser.yml`, `.sops.yaml` and `.flux.yaml`. With any pattern, only the VCS ones
 *   (`.git/`, `.gitignore`, `.gitmodules`, `.gitattributes`) are added below them.
 * - A file is left out when the last pattern that matches its path excludes it; an excluded folder is still
 *   walked, so a file under it may be included again (`/*` then `!/deploy`).
 *
 * The pattern semantics are go-git's (`plumbing/format/gitignore`, as copied into fluxcd/pkg), not git's: a
 * pattern holding a `/` is anchored at its file's folder and matches a path by its leading segments (so
 * `/*` matches everything below the root too), a pattern without one matches any single segment, and each
 * segment is matched with Go's `filepath.Match`.
 */
import { compileGoPathMatch } from "./go-path-match.js";
import { pushAll } from "./append.js";

/** fluxcd/pkg sourceignore's constants. */
const EXCLUDE_VCS = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];
const EXCLUDE_DEFAULT = [
  ...["*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"],
  ...[".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml"],
  ...["codeship-services.yml", "codeship-steps.yml"],
  ...["**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml"],
];

/** The file Flux reads its patterns from, in any folder of the repository. */
export const SOURCEIGNORE_FILE = ".sourceignore";

/** One pattern, where it came from (for messages). */
export interface IgnorePattern {
  /** Folder segments the pattern is scoped to (its file's folder). */
  domain: string[];
  segments: string[];
  /** Each segment as Go's filepath.Match of it (a malformed one matches nothing). */
  tests: ((name: string) => boolean)[];
  inclusion: boolean;
  dirOnly: boolean;
  /** Holds a `/`: matched segment by segment from the domain (go-git's `isGlob`). */
  anchored: boolean;
  /** The line as written, and its file and line (undefined for the defaults). */
  text: string;
  file?: string;
  line?: number;
}

/** go-git's ParsePattern. */
export function parseIgnorePattern(
  line: string,
  domain: string[],
  from?: { file: string; line: number },
): IgnorePattern {
  let p = line;
  let inclusion = false;
  if (p.startsWith("!")) {
    inclusion = true;
    p = p.slice(1);
  }
  if (!p.endsWith("\\ ")) p = p.replace(/ +$/, "");
  let dirOnly = false;
  if (p.endsWith("/")) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  const segments = p.split("/");
  return {
    domain: [...domain],
    segments,
    tests: segments.map(compileGoPathMatch),
    inclusion,
    dirOnly,
    anchored: p.includes("/"),
    text: line,
    ...(from ? { file: from.file, line: from.line } : {}),
  };
}

/**
 * The patterns of one file's text (fluxcd/pkg ReadPatterns): a line per pattern (bufio's lines: a trailing
 * `\r` dropped), skipping lines that start with `#` and lines of blanks only.
 */
export function readIgnorePatterns(text: string, domain: string[], file?: string): IgnorePattern[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out: IgnorePattern[] = [];
  lines.forEach((raw, i) => {
    const s = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (s.startsWith("#") || s.trim() === "") return;
    out.push(parseIgnorePattern(s, domain, file === undefined ? undefined : { file, line: i + 1 }));
  });
  return out;
}

/** go-git's Pattern.Match: "exclude", "include" or undefined (no match). */
export function matchIgnorePattern(
  p: IgnorePattern,
  path: readonly string[],
  isDir: boolean,
): "exclude" | "include" | undefined {
  const from = p.domain.length;
  if (path.length <= from) return undefined;
  for (let i = 0; i < from; i++) if (path[i] !== p.domain[i]) return undefined;
  const hit = p.anchored ? anchoredMatch(p, path, from, isDir) : nameMatch(p, path, from, isDir);
  if (!hit) return undefined;
  return p.inclusion ? "include" : "exclude";
}

/**
 * go-git's simpleNameMatch over `path` from `from`: any segment matches the pattern (a folder pattern not the
 * last segment of a file).
 */
function nameMatch(p: IgnorePattern, path: readonly string[], from: number, isDir: boolean): boolean {
  for (let i = from; i < path.length; i++) {
    if (!p.tests[0]!(path[i]!)) continue;
    return !(p.dirOnly && !isDir && i === path.length - 1);
  }
  return false;
}

/**
 * go-git's globMatch over `path` from `from`: the pattern's segments against the path's leading ones, `**`
 * spanning any number.
 */
function anchoredMatch(p: IgnorePattern, path: readonly string[], from: number, isDir: boolean): boolean {
  let at = from; // the path's segments not consumed yet start here
  let matched = false;
  let canTraverse = false;
  for (let i = 0; i < p.segments.length; i++) {
    const segment = p.segments[i]!;
    if (segment === "") {
      canTraverse = false;
      continue;
    }
    if (segment === "**") {
      if (i === p.segments.length - 1) break;
      canTraverse = true;
      continue;
    }
    if (segment.includes("**")) return false;
    if (at >= path.length) return false;
    if (canTraverse) {
      canTraverse = false;
      while (at < path.length) {
        const e = path[at++]!;
        if (p.tests[i]!(e)) {
          matched = true;
          break;
        }
        if (at >= path.length) matched = false; // nothing left: no match
      }
    } else {
      if (!p.tests[i]!(path[at]!)) return false;
      matched = true;
      at++;
    }
  }
  if (matched && p.dirOnly && !isDir && at >= path.length) matched = false;
  return matched;
}

/** Decides what the artifact leaves out. */
export interface ArtifactIgnore {
  /** How many patterns came from `.sourceignore` files and the source's ignore (0: Flux's defaults apply). */
  own: number;
  /** The pattern that leaves a path out (segments from the repository's root), or undefined when it is kept. */
  excludedBy(path: readonly string[], isDir: boolean): IgnorePattern | undefined;
}

/**
 * The ignore rules of a repository: `files` are its `.sourceignore` files (path from the root, text), in any
 * order; `spec` is the GitRepository's `spec.ignore`, scoped to the root (as source-controller scopes it).
 */
export function artifactIgnore(
  files: readonly { path: string; text: string }[],
  spec?: { text: string },
): ArtifactIgnore {
  const byWalk = [...files]
    .map((f) => ({ ...f, dir: f.path.split("/").slice(0, -1) }))
    .sort((a, b) => walkOrder(a.dir, b.dir));
  const own: IgnorePattern[] = byWalk.flatMap((f) => readIgnorePatterns(f.text, f.dir, f.path));
  if (spec) pushAll(own, readIgnorePatterns(spec.text, [], SPEC_FILE));
  const base = (own.length ? EXCLUDE_VCS : [...EXCLUDE_VCS, ...EXCLUDE_DEFAULT]).map((t) => parseIgnorePattern(t, []));
  const patterns = [...base, ...own];
  return {
    own: own.length,
    excludedBy(path, isDir) {
      for (let i = patterns.length - 1; i >= 0; i--) {
        const m = matchIgnorePattern(patterns[i]!, path, isDir);
        if (m) return m === "exclude" ? patterns[i] : undefined;
      }
      return undefined;
    },
  };
}

const DEFAULTS = EXCLUDE_DEFAULT.map((t) => parseIgnorePattern(t, []));

/** Whether one of Flux's default patterns (not the VCS ones) leaves a path out, when the defaults apply. */
export function excludedByDefaults(path: readonly string[], isDir: boolean): boolean {
  return DEFAULTS.some((p) => matchIgnorePattern(p, path, isDir) === "exclude");
}

/** The order a depth-first walk meets folders in, children by name (Go's os.ReadDir sorts by bytes). */
function walkOrder(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return Buffer.compare(Buffer.from(a[i]!), Buffer.from(b[i]!));
  }
  return a.length - b.length;
}

/** The `file` of the patterns of the source's `ignore` (GitRepository `spec.ignore`). */
const SPEC_FILE = "braid.yaml";

/** How a pattern reads in a message: `.sourceignore:3 ("/*")`, or Flux's default `cloudbuild.yaml`. */
export function describeIgnorePattern(p: IgnorePattern): string {
  if (p.file === undefined) return `Flux's default ignore pattern ${JSON.stringify(p.text)}`;
  if (p.file === SPEC_FILE) return `line ${p.line} of the source's ignore in braid.yaml (${JSON.stringify(p.text)})`;
  return `${p.file}${p.line !== undefined ? `:${p.line}` : ""} (${JSON.stringify(p.text)})`;
}
