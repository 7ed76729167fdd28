/**
 * The evaluator of Flux's envsubst (fluxcd/pkg envsubst/template.go): every argument of a function is
 * evaluated first (defaults too, used or not), then the variable is looked up; in strict mode a
 * variable that is not defined is an error unless the operator is one of `-`, `+`, `=`, `?` with or
 * without `:` (only `=`, `:=`, `:-`, `:+`, `:?` parse); then the function chosen by lookupFunc runs.
 *
 * Flux stops at the first error; braid goes on to report every undefined variable (each once).
 */
import * as f from "./funcs.js";
import { GoPanic, type SubstituteFunc } from "./funcs.js";
import type { FuncNode, Node } from "./parse.js";

/** Looks a variable up (byte strings); undefined when it does not exist. */
type Mapper = (name: string) => string | undefined;

interface EvalProblem {
  kind: "undefined" | "panic";
  node: FuncNode;
  /** The variable name (byte string). */
  param: string;
  message: string;
}

export interface EvalState {
  mapper: Mapper;
  problems: EvalProblem[];
  reported: Set<string>;
}

export function evalNodes(nodes: readonly Node[], st: EvalState): string {
  let out = "";
  for (const n of nodes) out += n.kind === "text" ? n.value : evalFunc(n, st);
  return out;
}

function evalFunc(node: FuncNode, st: EvalState): string {
  const args = node.args.map((a) => (a.kind === "text" ? a.value : evalFunc(a, st)));
  const v = st.mapper(node.param);
  if (v === undefined && !isDefaultOp(node.name)) {
    if (!st.reported.has(node.param)) {
      st.reported.add(node.param);
      st.problems.push({ kind: "undefined", node, param: node.param, message: "variable not set (strict mode)" });
    }
    return "";
  }
  const fn = lookupFunc(node.name, args.length);
  try {
    return fn(v ?? "", args);
  } catch (e) {
    if (!(e instanceof GoPanic)) throw e;
    st.problems.push({ kind: "panic", node, param: node.param, message: e.message });
    return "";
  }
}

/** Operators whose contract covers an unset variable (not a strict-mode error). */
function isDefaultOp(name: string): boolean {
  switch (name) {
    case "-":
    case "+":
    case "=":
    case "?":
    case ":-":
    case ":+":
    case ":=":
    case ":?":
      return true;
  }
  return false;
}

/** The function of an operator; anything else (`,^`, `=`, `:-`, `:+`, …) is toDefault. */
function lookupFunc(name: string, args: number): SubstituteFunc {
  switch (name) {
    case ",":
      return f.toLowerFirst;
    case ",,":
      return f.toLower;
    case "^":
      return f.toUpperFirst;
    case "^^":
      return f.toUpper;
    case "#":
      return args === 0 ? f.toLen : f.trimShortestPrefix;
    case "##":
      return f.trimLongestPrefix;
    case "%":
      return f.trimShortestSuffix;
    case "%%":
      return f.trimLongestSuffix;
    case ":":
      return f.toSubstr;
    case "/#":
      return f.replacePrefix;
    case "/%":
      return f.replaceSuffix;
    case "/":
      return f.replaceFirst;
    case "//":
      return f.replaceAll;
    default:
      return f.toDefault;
  }
}
