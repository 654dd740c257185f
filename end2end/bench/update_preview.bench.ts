// Bulk update's preview of a 100,000-row file in Chromium: Download Current Team of an
// organisation with 100,000 users, uploaded untouched and with every row changed.
// `cd end2end && npx playwright test -c bench.config.ts update_preview` (ROSTER_BENCH_ROWS changes
// the size).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "../tests/helpers";
import { fetched, file, median, timePreview } from "./support";

const ROWS = Number(process.env.ROSTER_BENCH_ROWS ?? 100_000);
const RUNS = 5;

test(`update preview of ${ROWS} rows`, async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-bench-"));
  const server = (...args: string[]) =>
    execFileSync("../target/debug/server", args, { env: { ...process.env, ROSTER_DATA_DIR: ".data" } });
  fs.writeFileSync(path.join(dir, "team.txt"), file(ROWS, "team").buffer);
  server("import", "--org", "acme", "--mode", "create", path.join(dir, "team.txt"));
  server("export", "--org", "acme", path.join(dir, "current.txt"));
  const untouched = fs.readFileSync(path.join(dir, "current.txt"));
  const text = untouched.subarray(2).toString("utf16le");
  const changed = Buffer.from("\ufeff" + text.replaceAll("\tSpringfield\t", "\tShelbyville\t"), "utf16le");

  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-update");
  await hydrated(page);
  const loaded = await fetched(page, "/api/bulk_update_snapshot");
  console.log(`\nSnapshot of ${ROWS + 1} users with their current values: ${(loaded.bytes / 1e6).toFixed(1)} MB, fetched in ${loaded.ms.toFixed(0)} ms`);
  console.log(`\n| file | size | Preview clicked → painted (median of ${RUNS}) | runs | in-page steps (last run, ms) |`);
  console.log(`| --- | ---: | ---: | --- | --- |`);
  for (const [name, buffer, expected] of [
    ["untouched", untouched, `${ROWS + 1} unchanged`],
    ["every row changed", changed, `${ROWS} changed`],
  ] as const) {
    await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles({ name: "team.txt", mimeType: "text/plain", buffer });
    const runs: { shown: number; steps?: string | null }[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const result = await timePreview(page);
      expect(result.text).toContain(expected);
      if (run > 0) runs.push(result); // the first run warms up (and waits for the snapshot)
    }
    const shown = median(runs.map((r) => r.shown));
    console.log(
      `| ${name} | ${(buffer.length / 1e6).toFixed(1)} MB | ${shown.toFixed(0)} ms | ${runs.map((r) => r.shown.toFixed(0)).join(", ")} | ${runs[runs.length - 1].steps} |`,
    );
  }

  // Then every row is changed by a bulk update, and the first download is stale: each of its
  // rows merges with the trail of that update (theirs kept, one notice a row).
  fs.writeFileSync(path.join(dir, "changed.txt"), changed);
  server("import", "--org", "acme", "--mode", "update", path.join(dir, "changed.txt"));
  await page.reload();
  await hydrated(page);
  const again = await fetched(page, "/api/bulk_update_snapshot");
  console.log(`\nAfter a bulk update of every row: snapshot ${(again.bytes / 1e6).toFixed(1)} MB, fetched in ${again.ms.toFixed(0)} ms`);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles({ name: "team.txt", mimeType: "text/plain", buffer: untouched });
  const runs: { shown: number; steps?: string | null }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const result = await timePreview(page);
    expect(result.text).toContain(`${ROWS} rows with notices`);
    if (run > 0) runs.push(result);
  }
  console.log(
    `| the first download, stale now (${ROWS} rows merged) | ${(untouched.length / 1e6).toFixed(1)} MB | ${median(runs.map((r) => r.shown)).toFixed(0)} ms | ${runs.map((r) => r.shown.toFixed(0)).join(", ")} | ${runs[runs.length - 1].steps} |`,
  );
});
