// File chosen → preview shown, for a 100,000-row bulk-create file, against the reference the issue
// sets: papaparse's parse of the same content after TextDecoder('utf-16le'), in the same page.
// `cd end2end && npx playwright test -c bench.config.ts` (ROSTER_BENCH_ROWS changes the size).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "../tests/helpers";
import { fetched, file, median, timePreview } from "./support";

const ROWS = Number(process.env.ROSTER_BENCH_ROWS ?? 100_000);
const RUNS = 5;

test(`preview of ${ROWS} rows against papaparse`, async ({ page }) => {
  // The organisation already has ROWS users, imported through the CLI: the browser's snapshot holds
  // them all, and every new row is checked against them.
  const existing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "roster-bench-")), "existing.txt");
  fs.writeFileSync(existing, file(ROWS, "existing").buffer);
  execFileSync("../target/debug/server", ["import", "--org", "acme", "--mode", "create", existing], {
    env: { ...process.env, ROSTER_DATA_DIR: ".data" },
  });
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
  const loaded = await fetched(page, "/api/bulk_snapshot");
  const upload = file(ROWS);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(upload);
  await page.addScriptTag({ path: path.join(__dirname, "../node_modules/papaparse/papaparse.min.js") });

  const ours: { shown: number; checked: number; steps?: string | null }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const result = await timePreview(page);
    expect(result.text).toContain(`${ROWS} new`);
    if (run > 0) ours.push(result); // the first run warms up (and waits for the team snapshot)
  }

  const reference: { decode: number; parse: number; rows: number }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const result = await page.evaluate(async () => {
      const input = document.getElementById("bulk-file") as HTMLInputElement;
      const bytes = await input.files![0].arrayBuffer();
      const started = performance.now();
      const text = new TextDecoder("utf-16le").decode(bytes);
      const decoded = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const parsed = (window as any).Papa.parse(text, { delimiter: "\t" });
      return { decode: decoded - started, parse: performance.now() - decoded, rows: parsed.data.length };
    });
    if (run > 0) reference.push(result);
  }

  const shown = median(ours.map((r) => r.shown));
  const checked = median(ours.map((r) => r.checked));
  const decode = median(reference.map((r) => r.decode));
  const parse = median(reference.map((r) => r.parse));
  console.log(`\nSnapshot of ${ROWS + 1} existing users: ${(loaded.bytes / 1e6).toFixed(1)} MB, fetched in ${loaded.ms.toFixed(0)} ms`);
  console.log(`\n${ROWS} rows, ${(upload.buffer.length / 1e6).toFixed(1)} MB, median of ${RUNS} runs in Chromium:`);
  console.log(`| measure | median | runs |`);
  console.log(`| --- | ---: | --- |`);
  console.log(`| Roster: Preview clicked → preview painted | ${shown.toFixed(0)} ms | ${ours.map((r) => r.shown.toFixed(0)).join(", ")} |`);
  console.log(`| Roster: read + decode + parse + validate (in the page) | ${checked.toFixed(0)} ms | ${ours.map((r) => r.checked.toFixed(0)).join(", ")} |`);
  console.log(`| papaparse: TextDecoder('utf-16le') | ${decode.toFixed(0)} ms | ${reference.map((r) => r.decode.toFixed(0)).join(", ")} |`);
  console.log(`| papaparse: Papa.parse | ${parse.toFixed(0)} ms | ${reference.map((r) => r.parse.toFixed(0)).join(", ")} |`);
  console.log(`| papaparse: decode + parse | ${(decode + parse).toFixed(0)} ms | |`);
  console.log(`\nRoster's steps (ms) per run:\n${ours.map((r) => r.steps).join("\n")}`);
});
