import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { HEADER, hydrated, signIn, unicodeText } from "./helpers";

// Correcting a file inside the preview: cells edited from the keyboard, find and replace in a
// column, the corrected file committed and downloadable, corrections kept across a reload.

async function openBulkCreate(page: Page) {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
}

async function preview(page: Page, file: ReturnType<typeof unicodeText>) {
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(file);
  await page.getByRole("button", { name: "Preview" }).click();
}

test("an admin fixes a bad email in the preview and continues without leaving the page", async ({ page }) => {
  await openBulkCreate(page);
  const file = unicodeText("edits.txt", [
    "n\tedit-kay@acme.test\tKay\tEdit\ty\ty\ty\tadmin@acme.test",
    "n\tnot-an-email\tBetty\tEdit\ty\tn\tn\tadmin@acme.test",
  ]);
  await preview(page, file);
  await expect(page.getByTestId("counts")).toHaveText("1 new · 1 row with errors");

  // Keyboard first: the cell takes the focus, Enter edits it, Enter saves.
  await page.locator("td.bad", { hasText: "not-an-email" }).focus();
  await page.keyboard.press("Enter");
  const input = page.getByLabel("Row 3, Email Address");
  await expect(input).toBeFocused();
  await input.fill("edit-betty@acme.test");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("counts")).toHaveText("2 new · 0 rows with errors");
  await expect(page.locator("td.edited")).toHaveText("edit-betty@acme.test");
  await expect(page.locator("td.edited")).toBeFocused();
  await expect(page.getByText("1 correction made in the preview")).toBeVisible();

  // Escape cancels; Tab saves and moves on to the next cell.
  await page.locator("td.edited").press("F2");
  await page.getByLabel("Row 3, Email Address").fill("something else");
  await page.keyboard.press("Escape");
  await expect(page.locator("td.edited")).toHaveText("edit-betty@acme.test");
  await page.locator("#cell-3-2").press("Enter");
  await page.getByLabel("Row 3, First Name").fill("Bettina");
  await page.keyboard.press("Tab");
  await expect(page.getByText("2 corrections made in the preview")).toBeVisible();
  await expect(page.locator("#cell-3-3")).toBeFocused();

  // A reload loses nothing: the file and its corrections come back by themselves.
  await page.reload();
  await hydrated(page);
  await expect(page.getByText("Your 2 corrections to edits.txt were kept while the page reloaded.")).toBeVisible();
  await expect(page.getByTestId("counts")).toHaveText("2 new · 0 rows with errors");
  await expect(page.locator("td.edited")).toHaveCount(2);
  // Chosen again, the same file gets them too.
  await preview(page, file);
  await expect(page.getByText("The 2 corrections you made to this file before the page was reloaded were applied again.")).toBeVisible();
  await expect(page.getByTestId("counts")).toHaveText("2 new · 0 rows with errors");

  // The corrected file, as Unicode Text, to bring the spreadsheet in line.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download corrected file" }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe("corrected - edits.txt");
  const bytes = await readFile(await saved.path());
  expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
  expect(bytes.subarray(2).toString("utf16le")).toContain("n\tedit-betty@acme.test\tBettina\tEdit\t");

  // Continue commits the corrected file.
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 2 users." })).toBeVisible();
  await page.goto("/team?q=edit-betty");
  await expect(page.getByRole("row", { name: /Bettina Edit/ })).toBeVisible();
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await expect(page.getByText(/before this page was reloaded/)).toHaveCount(0);
});

test("an admin replaces Yes with y in one column and sees how many cells changed", async ({ page }) => {
  await openBulkCreate(page);
  await preview(
    page,
    unicodeText("channels.txt", [
      "n\tyes-one@acme.test\tYves\tOne\tYes\tYes\tYes\tadmin@acme.test",
      "n\tyes-two@acme.test\tYves\tTwo\tYes\t yes \tYes\tadmin@acme.test",
      "n\tyes-three@acme.test\tYves\tThree\tYes\tOui\tYes\tadmin@acme.test",
    ]),
  );
  await expect(page.getByTestId("counts")).toHaveText("2 new · 1 row with errors");
  await page.getByText("Find and replace in a column").click();
  await page.getByLabel("Column to change").selectOption({ label: "Chat Channel" });
  await page.getByLabel("Find", { exact: true }).fill("Yes");
  await page.getByLabel("Replace with").fill("y");
  await page.getByRole("button", { name: "Replace in this column" }).click();
  await expect(page.getByText("Changed 2 cells in Chat Channel.")).toBeVisible();
  await expect(page.locator("td.edited")).toHaveCount(2);
  await expect(page.locator("td.edited").first()).toHaveText("y");
  await expect(page.locator("td", { hasText: /^Yes$/ })).toHaveCount(6, { timeout: 5000 });

  // Still open after the file is checked again.
  await page.getByLabel("Column to change").selectOption({ label: "Chat Channel" });
  await page.getByLabel("Find", { exact: true }).fill("oui");
  await page.getByLabel("Replace with").fill("y");
  await page.getByRole("button", { name: "Replace in this column" }).click();
  await expect(page.getByText("Changed 1 cell in Chat Channel.")).toBeVisible();
  await expect(page.getByTestId("counts")).toHaveText("3 new · 0 rows with errors");
  await page.getByRole("button", { name: "Discard corrections" }).click();
  await expect(page.getByTestId("counts")).toHaveText("2 new · 1 row with errors");
});
