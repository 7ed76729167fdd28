import { defineConfig } from "vitest/config";

const shared = {
  globalSetup: ["test/helpers/global-tmp.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: "forks" as const,
};

// `npm test` runs both projects; `npx vitest run --project unit` is the fast set (pure units next to the code),
// `--project integration` the suites with real Git repositories, git http-backend, kubectl and the CLI.
export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: "unit", include: ["src/**/*.test.ts"] } },
      { test: { ...shared, name: "integration", include: ["test/**/*.test.ts"] } },
    ],
  },
});
