// A correction in the preview of a 100,000-row bulk-create file: Enter pressed on the edited cell
// → the whole file checked again and the new counts painted, timed in the page.
// `cd end2end && npx playwright test -c bench.config.ts edit_preview` (ROSTER_BENCH_ROWS changes
// the size).
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "../tests/helpers";
import { file, median, timePreview } from "./support";

const ROWS = Number(process.env.ROSTER_BENCH_ROWS ?? 100_000);
const RUNS = 6;

test(`a correction in a preview of ${ROWS} rows`, async ({ page }) => {
  const bad = Math.floor(ROWS / 2) + 1; // not a leader
  const row = bad + 2; // the spreadsheet's row number
  const upload = file(ROWS, "edit");
  const text = upload.buffer.toString("utf16le").replace(`\tedit${bad}@acme.test\t`, `\tedit${bad}-at-acme.test\t`);
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles({ ...upload, buffer: Buffer.from(text, "utf16le") });
  const first = await timePreview(page);
  expect(first.text).toContain("1 row with errors");
  await page.getByRole("button", { name: new RegExp(`^Row ${row}, Email Address`) }).click();
  await expect(page.locator(`#cell-${row}-1`)).toBeVisible();

  const runs: { ms: number; counts: string }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const value = run % 2 === 0 ? `edit${bad}@acme.test` : `edit${bad}-at-acme.test`;
    const result = await page.evaluate(
      async ({ row, value }) => {
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        const counts = () => document.querySelector("[data-testid=counts]")?.textContent ?? "";
        const enter = () => new KeyboardEvent("keydown", { key: "Enter", bubbles: true });
        document.getElementById(`cell-${row}-1`)!.dispatchEvent(enter());
        while (!document.getElementById(`edit-${row}-1`)) await frame();
        const input = document.getElementById(`edit-${row}-1`) as HTMLInputElement;
        input.value = value;
        const before = counts();
        const started = performance.now();
        input.dispatchEvent(enter());
        while (counts() === before) await frame();
        return { ms: performance.now() - started, counts: counts() };
      },
      { row, value },
    );
    expect(result.counts).toContain(run % 2 === 0 ? "0 rows with errors" : "1 row with errors");
    if (run > 0) runs.push(result); // the first run warms up
  }
  const steps = await page.locator("section.preview").getAttribute("data-timings");
  console.log(`\n${ROWS} rows: Enter on a corrected cell → counts painted, ${RUNS} runs (fixing and breaking it in turn):`);
  console.log(`| median | runs | in-page steps (last run, ms) |`);
  console.log(`| ---: | --- | --- |`);
  console.log(`| ${median(runs.map((r) => r.ms)).toFixed(0)} ms | ${runs.map((r) => r.ms.toFixed(0)).join(", ")} | ${steps} |`);
});
