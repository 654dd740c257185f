import { expect, test, type Page } from "@playwright/test";
import { HEADER, hydrated, signIn, unicodeText } from "./helpers";

// The admin's custom role and group, used by the file that creates Lena's and Otto's teams.
const ROLE = "Night Lead";
const GROUP = "Night Shift";
const TEMPORARY = "Lantern-harbour-42";

const COLUMNS = [HEADER, "Role", "Group Assignments", "Temporary Password"].join("\t");
const ROWS = [
  `n\tned@acme.test\tNed\tNightly\ty\tn\tn\tlena@acme.test\t\t{${GROUP}}\t`,
  `y\tlena@acme.test\tLena\tLantern\ty\ty\tn\tadmin@acme.test\t${ROLE}\t{${GROUP}}\t${TEMPORARY}`,
  `n\tbea@acme.test\tBea\tBeyond\tn\ty\tn\totto@acme.test\t\t\t`,
  `y\totto@acme.test\tOtto\tOther\ty\tn\tn\tadmin@acme.test\t\t\t`,
];
const file = unicodeText("night team.txt", ROWS, COLUMNS);

/** Collects what Chromium reports about the Content Security Policy: the app must break none of it. */
function policyViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test.describe.serial("teams", () => {
  test("an admin creates a custom role and a group, then bulk-creates users that use them", async ({ page }) => {
    const violations = policyViolations(page);
    await signIn(page);
    await expect(page).toHaveURL(/\/team$/);
    await hydrated(page);

    await page.getByRole("navigation", { name: "Manage Team" }).getByRole("link", { name: "Roles" }).click();
    await expect(page.getByRole("heading", { name: "Roles", exact: true })).toBeVisible();
    await hydrated(page);
    await page.getByLabel("Name", { exact: true }).fill(ROLE);
    await page.getByRole("button", { name: "Create Role" }).click();
    await expect(page.getByRole("status")).toHaveText("Role created.");
    await expect(page.getByRole("row", { name: new RegExp(`${ROLE} Custom Active 0`) })).toBeVisible();
    // A built-in role offers no changes.
    await expect(page.getByRole("row", { name: /Team Member Built in/ }).getByRole("button")).toHaveCount(0);

    await page.getByRole("navigation", { name: "Manage Team" }).getByRole("link", { name: "Groups" }).click();
    await expect(page.getByRole("heading", { name: "Groups", exact: true })).toBeVisible();
    await hydrated(page);
    await page.getByLabel("Name", { exact: true }).fill(GROUP);
    await page.getByRole("button", { name: "Create Group" }).click();
    await expect(page.getByRole("status")).toHaveText("Group created.");
    await expect(page.getByRole("row", { name: new RegExp(`${GROUP} 0`) })).toBeVisible();
    // A group is deleted only once the admin confirms.
    await page.getByLabel("Name", { exact: true }).fill("Short-lived");
    await page.getByRole("button", { name: "Create Group" }).click();
    const shortLived = page.getByRole("row", { name: /Short-lived 0/ });
    page.once("dialog", (dialog) => dialog.dismiss());
    await shortLived.getByRole("button", { name: "Delete" }).click();
    await expect(shortLived).toBeVisible();
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("Delete the group Short-lived?");
      void dialog.accept();
    });
    await shortLived.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("status")).toHaveText("Group deleted.");
    await expect(shortLived).toHaveCount(0);

    await page.goto("/team/bulk-create");
    await hydrated(page);
    await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(file);
    await page.getByRole("button", { name: "Preview" }).click();
    // Three rows leave Role blank: noted, not refused; the role comes from Can Manage Teams.
    await expect(page.getByTestId("counts")).toHaveText("4 new · 0 rows with errors · 3 rows with notices");
    await expect(page.locator("td.noted", { hasText: "Role is blank, so Ned Nightly will be a Team Member" })).toBeVisible();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { name: "Created 4 users." })).toBeVisible();

    await page.goto("/team/groups");
    await expect(page.getByRole("row", { name: new RegExp(`${GROUP} 2`) })).toBeVisible();
    await page.goto("/team/roles");
    await expect(page.getByRole("row", { name: new RegExp(`${ROLE} Custom Active 1`) })).toBeVisible();
    expect(violations).toEqual([]);
  });

  test("a team leader signs in, sees only their team in the table and the tree, and downloads it", async ({ page }) => {
    const violations = policyViolations(page);
    // Her temporary password signs her in once, to choose her own.
    await signIn(page, "lena@acme.test", TEMPORARY);
    await expect(page).toHaveURL(/\/change-password$/);
    await hydrated(page);
    await page.getByLabel("New password").fill("a lamp for the night shift");
    await page.getByLabel("Type it again").fill("a lamp for the night shift");
    await page.getByRole("button", { name: "Save password" }).click();
    await expect(page).not.toHaveURL(/\/change-password$/);

    await page.goto("/team");
    await expect(page.getByRole("heading", { name: "My Team" })).toBeVisible();
    await hydrated(page);
    await expect(page.getByText("1 user", { exact: true })).toBeVisible();
    await expect(page.getByRole("row", { name: /Ned Nightly/ })).toContainText("Lena Lantern");
    for (const outsider of ["Bea Beyond", "Otto Other", "Grace Hopper"]) {
      await expect(page.getByText(outsider)).toHaveCount(0);
    }
    // Read-only: no menus, no links into profiles.
    await expect(page.getByText("Add Users ▾")).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Ned Nightly" })).toHaveCount(0);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download Roster" }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/^roster-my-team-\d{4}-\d{2}-\d{2}\.txt$/);
    const chunks: Buffer[] = [];
    for await (const chunk of await saved.createReadStream()) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf16le");
    expect(text.startsWith("\ufeffUser ID\t")).toBe(true);
    expect(text).toContain("ned@acme.test");
    expect(text).not.toContain("bea@acme.test");
    expect(text.trim().split("\r\n")).toHaveLength(2);

    // The tree starts at her, with her team's head counts; opening her shows Ned.
    await page.getByRole("navigation", { name: "Manage Team" }).getByRole("link", { name: "Hierarchy" }).click();
    await hydrated(page);
    // Each person's own line (a tree item also holds its opened reports).
    const lena = page.locator(".tree .node", { hasText: "Lena Lantern" });
    await expect(lena).toContainText("1 direct report · team: 1 person · 1 phone · 0 chat · 0 email");
    await lena.getByRole("button", { name: "Open team" }).click();
    await expect(page.locator(".tree .node", { hasText: "Ned Nightly" })).toContainText("phone");
    await expect(page.getByText("Otto Other")).toHaveCount(0);
    expect(violations).toEqual([]);
  });

  test("an admin deactivates a leader after choosing who takes over the team", async ({ page }) => {
    await signIn(page);
    await expect(page).toHaveURL(/\/team$/);
    await page.goto("/team/deactivate?q=otto");
    await hydrated(page);
    await page.getByLabel("Select Otto Other").check();
    await page.getByRole("button", { name: "Review 1 selected" }).click();
    const review = page.getByRole("region", { name: "Review deactivation" });
    await expect(review).toContainText("Otto Other");
    await expect(review.getByRole("button", { name: "Deactivate 1 user" })).toBeDisabled();
    await review.getByLabel("New team leader for Otto Other's team (1 report)").selectOption({ label: "Lena Lantern" });
    await review.getByRole("button", { name: "Deactivate 1 user" }).click();
    await expect(page.getByRole("status")).toHaveText("1 user was deactivated and signed out.");
    await expect(page.getByRole("row", { name: /Otto Other/ })).toContainText("Deactivated");

    await page.goto("/team?q=bea");
    await expect(page.getByRole("row", { name: /Bea Beyond/ })).toContainText("Lena Lantern");
  });
});
