// What the browser benchmarks share: generated files and timing the preview in the page.
import type { Page } from "@playwright/test";

/** `rows` new users named `prefix…`: one in 50 leads the next 49 (by email or employee ID). */
export function file(rows: number, prefix = "bench") {
  const lines = [
    "*Can Manage Teams\tEmail Address\tEmployee ID\t*First Name\t*Last Name\tHome Town\tState or Country\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader\tEmployment Status\tStart Date",
  ];
  for (let i = 0; i < rows; i++) {
    const leads = i % 50 === 0;
    const boss = i - (i % 50);
    const id = `${prefix}-${i}`;
    const leader = leads ? "" : i % 2 === 0 ? `${prefix}${boss}@acme.test` : `${prefix}-${boss}`;
    const day = String((i % 28) + 1).padStart(2, "0");
    lines.push(
      `${leads ? "y" : "n"}\t${prefix}${i}@acme.test\t${id}\tFirst${i % 997}\tLast${i}\tSpringfield\tOregon\ty\tn\ty\t${leader}\tFull Time\t2026-01-${day}`,
    );
  }
  const text = "\ufeff" + lines.join("\r\n") + "\r\n";
  return { name: "bench.txt", mimeType: "text/plain", buffer: Buffer.from(text, "utf16le") };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One timed preview: Preview clicked → counts painted, and the page's own timings of its steps. */
export async function timePreview(page: Page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const counts = () => document.querySelector("[data-testid=counts]");
    const started = performance.now();
    (document.querySelector("form.upload button[type=submit]") as HTMLButtonElement).click();
    while (counts()) await frame();
    while (!counts()) await frame();
    const shown = performance.now() - started;
    const checked = Number(document.querySelector("section.preview")?.getAttribute("data-preview-ms"));
    const steps = document.querySelector("section.preview")?.getAttribute("data-timings");
    return { shown, checked, steps, text: counts()?.textContent };
  });
}

/** How long the page took to fetch a server function's answer, and its size. */
export async function fetched(page: Page, endpoint: string) {
  const entry = await page.waitForFunction((endpoint) => {
    const entry = performance.getEntriesByType("resource").find((e) => e.name.endsWith(endpoint));
    return entry && { ms: entry.duration, bytes: (entry as PerformanceResourceTiming).encodedBodySize };
  }, endpoint);
  return (await entry.jsonValue()) as { ms: number; bytes: number };
}
