import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

/** Unicode Text as Excel saves it: UTF-16LE with a byte-order mark. */
function unicodeText(name: string, text: string) {
  return { name, mimeType: "text/plain", buffer: Buffer.from("\ufeff" + text, "utf16le") };
}

/** The downloaded file as rows of cells (the export quotes nothing these tests write). */
function rowsOf(buffer: Buffer): string[][] {
  expect([buffer[0], buffer[1]]).toEqual([0xff, 0xfe]);
  const text = buffer.subarray(2).toString("utf16le");
  return text
    .split("\r\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t"));
}

/** The rows with `edits` applied: (email of the row, column header, new value). */
function edited(rows: string[][], edits: [string, string, string][]): string {
  const copy = rows.map((row) => [...row]);
  const column = (header: string) => copy[0].indexOf(header);
  for (const [email, header, value] of edits) {
    const row = copy.find((cells) => cells[column("Email Address")] === email);
    if (!row) throw new Error(`no row for ${email}`);
    row[column(header)] = value;
  }
  return copy.map((row) => row.join("\t")).join("\r\n") + "\r\n";
}

async function createTwoUsers(page: Page) {
  const header = "*Can Manage Teams\tEmail Address\t*First Name\t*Last Name\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader";
  const rows = [
    "y\tupd-lead@acme.test\tUma\tLead\ty\ty\ty\t",
    "n\tupd-agent@acme.test\tUgo\tAgent\ty\ty\ty\tupd-lead@acme.test",
  ];
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(unicodeText("two.txt", [header, ...rows].join("\r\n")));
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 2 users." })).toBeVisible();
}

test("an admin downloads the team, edits it, sees green changes and red errors, confirms, and the roster changes", async ({
  page,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await createTwoUsers(page);

  await page.goto("/team");
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  await page.getByText("Bulk Actions ▾").click();
  await page.getByRole("link", { name: "Bulk Update Users" }).click();
  await expect(page.getByRole("heading", { name: "Bulk Update Users" })).toBeVisible();
  await hydrated(page);

  // Download Current Team: everyone, with User ID, Deactivated and Version.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download Current Team" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^roster-current-team-\d{4}-\d{2}-\d{2}\.txt$/);
  const rows = rowsOf(await readFile(await file.path()));
  expect(rows[0].slice(0, 3)).toEqual(["User ID", "Role", "Can Manage Teams"]);
  expect(rows[0].slice(-2)).toEqual(["Deactivated", "Version"]);
  const unchanged = rows.length - 2; // everyone but the header and the row we change

  // An edit with an error: the row is red, the message is at its cell, and Confirm stays disabled.
  const input = page.getByLabel("Spreadsheet (Unicode Text, .txt)");
  const broken = edited(rows, [
    ["upd-agent@acme.test", "Home Town", "Lisbon"],
    ["upd-agent@acme.test", "First Name", ""],
  ]);
  await input.setInputFiles(unicodeText("team.txt", broken));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText(`0 changed · ${unchanged} unchanged · 1 row with errors`);
  await expect(page.locator("td.bad")).toContainText("First Name is required");
  await expect(page.getByRole("button", { name: "Confirm" })).toBeDisabled();

  // Fixed: one changed row, its changed cell green as old → new; unchanged rows hidden until asked.
  const fixed = edited(rows, [
    ["upd-agent@acme.test", "Home Town", "Lisbon"],
    ["upd-agent@acme.test", "First Name", "Ursula"],
  ]);
  await input.setInputFiles(unicodeText("team.txt", fixed));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText(`1 changed · ${unchanged} unchanged · 0 rows with errors`);
  await expect(page.locator("table.preview-table tbody tr:not(.spacer)")).toHaveCount(1);
  const changed = page.locator("td.changed", { hasText: "Lisbon" });
  await expect(changed).toHaveText("(empty) → Lisbon");
  await expect(changed).toHaveCSS("background-color", "rgb(231, 244, 234)");
  await expect(page.locator("td.changed", { hasText: "Ursula" })).toHaveText("Ugo → Ursula");
  await page.getByLabel("Show").selectOption("all");
  await expect(page.locator("table.preview-table tbody tr", { hasText: "Unchanged" }).first()).toBeVisible();

  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: `Updated 1 user; ${unchanged} unchanged.` })).toBeVisible();

  await page.goto("/team?q=upd-");
  await expect(page.getByRole("row", { name: /Ursula Agent/ })).toContainText("Uma Lead");

  // The same download again, changing the home town the commit above changed: both sides changed
  // it since the download, so the admin is asked whose to keep.
  await page.goto("/team/bulk-update");
  await hydrated(page);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(
    unicodeText("team.txt", edited(rows, [["upd-agent@acme.test", "Home Town", "Porto"]])),
  );
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator("td.bad")).toContainText("Grace Hopper also changed Home Town after this file was downloaded");

  // A file of User IDs and only the column being changed: every other value stays as it is.
  const id = rows.find((cells) => cells[rows[0].indexOf("Email Address")] === "upd-agent@acme.test")![0];
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(
    unicodeText("partial.txt", `User ID\tHome Town\r\n${id}\tPorto\r\n`),
  );
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText(/^1 changed · 0 unchanged · 0 rows with errors$/);
  await expect(page.locator("td.changed", { hasText: "Porto" })).toHaveText("Lisbon → Porto");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: /^Updated 1 user/ })).toBeVisible();
  await page.goto("/team?q=upd-");
  await expect(page.getByRole("row", { name: /Ursula Agent/ })).toContainText("Uma Lead");
});

test("a stale update file merges with a later change, and one that changes the same field asks whose to keep", async ({
  page,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  const header = "*Can Manage Teams\tEmail Address\t*First Name\t*Last Name\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader";
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await page
    .getByLabel("Spreadsheet (Unicode Text, .txt)")
    .setInputFiles(unicodeText("merge.txt", `${header}\r\nn\tmerge-ann@acme.test\tAnn\tMerge\ty\ty\ty\tadmin@acme.test\r\n`));
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 1 user." })).toBeVisible();

  // Monday's download; then someone changes Ann's home town on her profile page.
  const exported = async () => rowsOf(Buffer.from(await (await page.request.get("/api/export/current-team")).body()));
  const monday = await exported();
  const id = monday.find((cells) => cells.includes("merge-ann@acme.test"))![0];
  await page.goto(`/team/users/${id}`);
  await hydrated(page);
  await page.getByLabel("Home Town").fill("Lisbon");
  await page.getByRole("button", { name: "Save Changes" }).click();
  await expect(page).toHaveURL(/\/team$/);

  // Monday's file changes only her last name: it merges, and her new home town is kept.
  await page.goto("/team/bulk-update");
  await hydrated(page);
  const file = page.getByLabel("Spreadsheet (Unicode Text, .txt)");
  await file.setInputFiles(unicodeText("monday.txt", edited(monday, [["merge-ann@acme.test", "Last Name", "Merged"]])));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText(/^1 changed · \d+ unchanged · 0 rows with errors · 1 row with notices$/);
  await expect(page.locator("td.noted")).toContainText('Grace Hopper changed Home Town to "Lisbon"');
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: /^Updated 1 user/ })).toBeVisible();

  // Monday's file again, now changing her home town too: both sides changed it, so the admin chooses.
  await file.setInputFiles(unicodeText("monday again.txt", edited(monday, [["merge-ann@acme.test", "Home Town", "Porto"]])));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator("td.bad")).toContainText('Grace Hopper also changed Home Town after this file was downloaded');
  await expect(page.locator("td.bad")).toContainText('theirs is "Lisbon", yours is "Porto"');
  await page.getByRole("button", { name: "Keep yours in every row" }).click();
  await expect(page.getByTestId("counts")).toHaveText(/^1 changed · \d+ unchanged · 0 rows with errors$/);
  await expect(page.locator("td.changed", { hasText: "Porto" })).toHaveText("Lisbon → Porto");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: /^Updated 1 user/ })).toBeVisible();
  const now = await exported();
  const ann = now.find((cells) => cells.includes("merge-ann@acme.test"))!;
  expect([ann[now[0].indexOf("Home Town")], ann[now[0].indexOf("Last Name")]]).toEqual(["Porto", "Merged"]);
});
