import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// Benchmarks in Chromium: `npx playwright test -c bench.config.ts` (after `cargo leptos build`).
// Same browser and server as the tests; never run by the test command.
export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: "*.bench.ts",
  timeout: 600_000,
});
