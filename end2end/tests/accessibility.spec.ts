import { expect, test } from "@playwright/test";
import { expectAccessible, HEADER, hydrated, signIn, unicodeText } from "./helpers";

// Every page of the bulk flows, in each state an admin meets, and Manage Team, checked by axe-core:
// no serious or critical violation. The marks are drawn, not typed, so they need no font.

test("the bulk pages and Manage Team have no serious or critical accessibility violations", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  await expectAccessible(page, "Manage Team");

  // Bulk create: empty, then a preview with a bad cell and a stray column, then committed.
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await expectAccessible(page, "Bulk Create, before a file");
  const stray = unicodeText(
    "axe.txt",
    ["n\tnot-an-email\tAxel\tEye\ty\ty\ty\tadmin@acme.test\tblue"],
    HEADER + "\tFavourite Colour",
  );
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(stray);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".strays")).toBeVisible();
  await expectAccessible(page, "a Bulk Create preview with a stray column");
  const good = unicodeText("axe ok.txt", [
    "n\taxe-one@acme.test\tAxel\tOne\ty\ty\ty\tadmin@acme.test",
    "n\tnot-an-email\tAxel\tTwo\ty\ty\ty\tadmin@acme.test",
  ]);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(good);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("1 new · 1 row with errors");
  // The full message of a bad cell, without hovering: its row, in full.
  await page.getByRole("button", { name: "Row 3 in full" }).click();
  const inFull = page.locator(".row-in-full");
  await expect(inFull).toContainText('Email Address: "not-an-email" is not a valid email address; use the form name@example.com.');
  await expectAccessible(page, "a Bulk Create preview with errors and a row in full");

  // The marks are drawn: no status text depends on a glyph a machine may lack.
  await expect(page.locator("td.status-cell svg.mark").first()).toBeVisible();
  await expect(page.locator("table.preview-table")).not.toContainText("＋");

  // A notice does not stop the file: amber, with a mark and words, counted and filterable.
  const noted = unicodeText(
    "axe noted.txt",
    ["n\t\tAXE-7\tNo\tMail\ty\ty\ty\tadmin@acme.test", "n\taxe-noted@acme.test\t\tHas\tMail\ty\ty\ty\tadmin@acme.test"],
    HEADER.replace("Email Address", "Email Address\tEmployee ID"),
  );
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(noted);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("2 new · 0 rows with errors · 1 row with notices");
  const notice = page.locator("td.noted");
  await expect(notice).toContainText("No Mail has no email address, so gets no welcome email");
  await expect(notice).toHaveCSS("background-color", "rgb(255, 243, 220)");
  await page.getByLabel("Show").selectOption("notices");
  await expect(page.locator("table.preview-table tbody tr:not(.spacer)")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Continue" })).toBeEnabled();
  await expectAccessible(page, "a Bulk Create preview with a notice");

  const fixed = unicodeText("axe fixed.txt", ["n\taxe-one@acme.test\tAxel\tOne\ty\ty\ty\tadmin@acme.test"]);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(fixed);
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 1 user." })).toBeVisible();
  await expectAccessible(page, "Bulk Create, committed");

  // Bulk update: a partial file with a change and an error.
  const exported = await page.request.get("/api/export/current-team");
  const text = (await exported.body()).subarray(2).toString("utf16le");
  const lines = text.split("\r\n").filter((line) => line !== "");
  const idColumn = lines[0].split("\t").indexOf("User ID");
  const id = lines.find((line) => line.includes("axe-one@acme.test"))!.split("\t")[idColumn];
  await page.goto("/team/bulk-update");
  await hydrated(page);
  await expectAccessible(page, "Bulk Update, before a file");
  const partial = unicodeText("axe update.txt", [`${id}\tAxe Town`, "999999\tNowhere"], "User ID\tHome Town");
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(partial);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toContainText("1 changed");
  await expectAccessible(page, "a Bulk Update preview with a change and an error");

  // The history and a batch.
  await page.goto("/team/batches");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Batch History" })).toBeVisible();
  await expectAccessible(page, "Batch History");
  await page.getByRole("row", { name: /axe fixed\.txt/ }).first().getByRole("link").click();
  await expect(page.getByRole("heading", { name: /Batch #\d+: axe fixed\.txt/ })).toBeVisible();
  await expectAccessible(page, "a batch");
});
