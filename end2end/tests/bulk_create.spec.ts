import { expect, test } from "@playwright/test";
import { HEADER, hydrated, PASSWORD, signIn, unicodeText } from "./helpers";

// The leader comes last: reports may name a leader defined further down the file.
const withError = unicodeText("new hires.txt", [
  "n\tbulk-kay@acme.test\tKay\tMcNulty\ty\ty\ty\tbulk-lead@acme.test",
  "n\tnot-an-email\tBetty\tHolberton\ty\tn\tn\tbulk-lead@acme.test",
  "y\tbulk-lead@acme.test\tLinus\tLead\ty\ty\ty\t",
]);
const fixed = unicodeText("new hires fixed.txt", [
  "n\tbulk-kay@acme.test\tKay\tMcNulty\ty\ty\ty\tbulk-lead@acme.test",
  "n\tbulk-betty@acme.test\tBetty\tHolberton\ty\tn\tn\tbulk-lead@acme.test",
  "y\tbulk-lead@acme.test\tLinus\tLead\ty\ty\ty\t",
]);

test("an admin previews a UTF-16 file with an error, fixes it, continues, and finds the users and the batch", async ({
  page,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await hydrated(page);
  await page.getByText("Add Users ▾").click();
  await page.getByRole("link", { name: "Bulk Create Users" }).click();
  await expect(page.getByRole("heading", { name: "Bulk Create Team Members" })).toBeVisible();
  await hydrated(page);

  // The template downloads as Unicode Text.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the template" }).click();
  expect((await download).suggestedFilename()).toBe("roster-bulk-create-template.txt");

  // A file with an error: the cell is marked with its message, and Continue stays disabled.
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(withError);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("2 new · 1 row with errors");
  const message = '"not-an-email" is not a valid email address; use the form name@example.com.';
  const badCell = page.locator("td.bad", { hasText: "not-an-email" });
  await expect(badCell).toContainText(message);
  await expect(badCell).toHaveCSS("background-color", "rgb(253, 236, 234)");
  await expect(page.getByRole("button", { name: `Row 3, Email Address: ${message}` })).toBeVisible();
  await expect(page.getByRole("button", { name: "Continue" })).toBeDisabled();

  // Only the rows with errors, on request.
  await page.getByLabel("Show").selectOption("errors");
  await expect(page.locator("table.preview-table tbody tr:not(.spacer)")).toHaveCount(1);
  const report = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download error report" }).click();
  expect((await report).suggestedFilename()).toBe("errors - new hires.txt");

  // The fixed file: no errors, so Continue creates everyone in one go.
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(fixed);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("3 new · 0 rows with errors");
  await expect(page.locator("td.bad")).toHaveCount(0);
  await page.getByLabel("Delay welcome emails").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 3 users." })).toBeVisible();

  // The link of this commit (other admins' recent imports have theirs below).
  await page.locator(".panel.done").getByRole("link", { name: "See this batch in the history" }).click();
  await expect(page.getByRole("heading", { name: /Batch #\d+: new hires fixed\.txt/ })).toBeVisible();
  await expect(page.getByText("3 new, 0 changed, 0 unchanged")).toBeVisible();
  await expect(page.getByRole("row", { name: /Betty Holberton/ })).toContainText("bulk-betty@acme.test");

  await page.goto("/team?q=bulk-");
  await expect(page.getByText("3 users", { exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: /Kay McNulty/ })).toContainText("Linus Lead");

  await hydrated(page);
  await page.waitForLoadState("networkidle");
  await page.getByText("Bulk Actions ▾").click();
  await page.getByRole("link", { name: "Batch History" }).click();
  await expect(page).toHaveURL(/\/team\/batches$/);
  await expect(page.getByRole("heading", { name: "Batch History" })).toBeVisible();
  await expect(page.getByRole("row", { name: /new hires fixed\.txt/ })).toContainText("Delayed");
});

test("leaders created by one file lead the next file's rows without reloading the page", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
  const file = page.getByLabel("Spreadsheet (Unicode Text, .txt)");

  await file.setInputFiles(unicodeText("leaders.txt", ["y\tfirst-lead@acme.test\tMary\tFirst\ty\ty\ty\t"]));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("1 new · 0 rows with errors");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 1 user." })).toBeVisible();

  // As the help page recommends: team leaders first, then their teams, naming them by email.
  await file.setInputFiles(unicodeText("agents.txt", ["n\tfirst-agent@acme.test\tAnn\tAgent\ty\ty\ty\tfirst-lead@acme.test"]));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("1 new · 0 rows with errors");
  await expect(page.getByRole("button", { name: "Continue" })).toBeEnabled();
});

test("a bulk create goes on after the admin closes the page, and the bulk page shows it finish", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // In Globex, so that its 20,000 held welcome emails stay out of Acme's tests.
  const rows = ["y\tclosing-lead@globex.test\tCora\tLead\ty\ty\ty\t"];
  for (let n = 0; n < 20000; n++) rows.push(`n\tclosing-${n}@globex.test\tAgent\tNumber ${n}\ty\tn\ty\tclosing-lead@globex.test`);
  await signIn(page, "admin@globex.test", PASSWORD, "globex");
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(unicodeText("closing.txt", rows));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("20001 new · 0 rows with errors");
  await page.getByLabel("Delay welcome emails").check();
  await page.getByRole("button", { name: "Continue" }).click();
  // Submitted: the page watches the job. Then the admin closes the tab.
  await expect(page.locator(".job[data-job-state]", { hasText: "closing.txt" })).toBeVisible();
  await page.close();

  const again = await context.newPage();
  await again.goto("/team/bulk-create");
  await hydrated(again);
  const card = again.locator(".jobs .job", { hasText: "closing.txt" });
  await expect(card).toBeVisible();
  await expect(card).toContainText("Bulk create · by");
  await expect(card).toHaveAttribute("data-job-state", "done", { timeout: 60_000 });
  await expect(card).toContainText("Done: 20,001 users created.");
  await card.getByRole("link", { name: "See this batch in the history" }).click();
  await expect(again.getByRole("heading", { name: /Batch #\d+: closing\.txt/ })).toBeVisible();
  await expect(again.getByText("20001 new, 0 changed, 0 unchanged")).toBeVisible();
  await context.close();
});

test("an admin says a stray \"Phone\" column is Phone Channel, the file passes, and the name is remembered until forgotten", async ({
  page,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
  const header = HEADER.replace("*Phone Channel", "Phone");
  const file = unicodeText("phones.txt", ["n\tphone-ann@acme.test\tAnn\tPhone\ty\tn\tn\tadmin@acme.test"], header);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(file);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".file-errors")).toContainText('Column E is headed "Phone", which is not a Roster column. Did you mean "Phone Channel"?');

  const choice = page.getByLabel('Column E, "Phone", holds');
  await expect(choice).toHaveValue("phone_channel");
  await page.getByRole("button", { name: "Use and check again" }).click();
  await expect(page.getByTestId("counts")).toContainText("1 new");
  await expect(page.locator(".file-errors")).toHaveCount(0);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 1 user." })).toBeVisible();

  // Remembered for the next files; an admin sees the name and can forget it.
  await page.getByText("Column names Roster remembers (1)").click();
  const remembered = page.getByRole("row", { name: /Phone/ });
  await expect(remembered).toContainText("Phone Channel");
  await page.getByRole("button", { name: 'Forget "Phone"' }).click();
  await expect(page.getByText(/Column names Roster remembers/)).toHaveCount(0);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(file);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".file-errors")).toContainText('Column E is headed "Phone"');
});
