// @ts-check
// Lint: typescript-eslint's strict and stylistic type-checked rules over everything `tsc` checks plus the JS entry
// points. Each rule turned off or loosened below says why in one line; fix code rather than add lines here.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "coverage/", ".braid-demo/", "test-results/", "examples/", "test/golden/"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["vitest.config.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // With noUncheckedIndexedAccess, `xs[i]!` after a bounds check or a `has()` is the house idiom.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Numbers and booleans print as expected in messages; objects, undefined and unknown stay errors.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // An empty environment variable, flag or field means unset (as in git and Flux): `||` is meant for strings.
      "@typescript-eslint/prefer-nullish-coalescing": ["error", { ignorePrimitives: { string: true, boolean: true } }],
      // Scanners ported from Go compare one character: `s[0] === "-"`, as Go's `s[0] == '-'`.
      "@typescript-eslint/prefer-string-starts-ends-with": ["error", { allowSingleElementEquality: "always" }],
      // A switch over a closed union (codes, kinds, ops) names every member or has a default: a new member is seen.
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      // `const { a: _a, ...rest } = o` is how a key is dropped without mutating o.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { ignoreRestSiblings: true, argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      // Recursive JSON types need index signatures and type aliases; named keys (`[name: string]`) document intent.
      "@typescript-eslint/consistent-indexed-object-style": "off",
      "@typescript-eslint/consistent-type-definitions": "off",
      // JSON merge semantics (merge patch, strategic merge `$patch: delete`) remove keys chosen by the patch.
      "@typescript-eslint/no-dynamic-delete": "off",
      // Callbacks written `(x) => out.push(x)` read well; a void value used anywhere else is still an error.
      "@typescript-eslint/no-confusing-void-expression": [
        "error",
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // Regexes that match YAML indentation and diff lines read better with the spaces written out.
      "no-regex-spaces": "off",
      // Async functions that implement a Promise-returning interface stay `async` so a throw becomes a rejection.
      "@typescript-eslint/require-await": "off",
      // Octokit's and Flux health's logger options take no-op methods to stay quiet.
      "@typescript-eslint/no-empty-function": ["error", { allow: ["methods", "arrowFunctions"] }],
      // envsubst's parser unwinds with small classes (Fail, ParseError, GoPanic) that carry no stack, as Go's panics do.
      "@typescript-eslint/only-throw-error": [
        "error",
        { allow: [{ from: "file", name: ["Fail", "GoPanic", "ParseError"] }], allowRethrowing: true },
      ],
      // readObject is isomorphic-git's only reader of an object of unknown type as raw bytes.
      "@typescript-eslint/no-deprecated": [
        "error",
        { allow: [{ from: "package", package: "isomorphic-git", name: "readObject" }] },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts"],
    rules: {
      // Tests read CLI and JSON output with JSON.parse and check its shape with expect(); the assertion is the check.
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
      // Ids of parsed YAML objects are built from their fields (`${o.kind}/${m.name}`); a wrong one fails the test.
      "@typescript-eslint/no-base-to-string": "off",
      // afterAll hooks guard what a failed beforeAll left unset (`ws?.cleanup()`), whatever the declared type says.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // Test servers end a request with `return send(...)`.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Object literals typed as Json resolve keys such as `sub` to deprecated String methods (a false positive).
      "@typescript-eslint/no-deprecated": "off",
    },
  },
  {
    // The plain JS entry points (bin/, scripts/, this file) carry no types: lint them without type information.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", module: "writable", require: "readonly" },
    },
  },
);
