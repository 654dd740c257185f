import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("a wrong password gets a clear message and no session", async ({ page }) => {
  await signIn(page, "admin@acme.test", "not the right password");
  await expect(page.getByRole("alert")).toHaveText(
    "That organisation, email address and password do not match an account.",
  );
  await page.goto("/team");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("an admin signs in, creates a user through the form and finds them in the roster", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await expect(page.getByRole("heading", { name: "Manage Team" })).toBeVisible();
  await hydrated(page);

  // The menus lead to their pages.
  await page.getByText("Add Users ▾").click();
  await expect(page.getByRole("link", { name: "Bulk Create Users" })).toBeVisible();
  await page.getByRole("link", { name: "Create User", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Create User" })).toBeVisible();
  await hydrated(page);

  await page.getByLabel("First Name *", { exact: true }).fill("Ada");
  await page.getByLabel("Last Name *", { exact: true }).fill("Lovelace");
  await page.getByLabel("Team Leader (email address or employee ID)", { exact: true }).fill("admin@acme.test");
  await page.getByLabel("Phone Channel", { exact: true }).check();

  // An invalid email address is refused with the spreadsheet's message, beside the field.
  await page.getByLabel("Email Address", { exact: true }).fill("ada-at-acme");
  await page.getByRole("button", { name: "Create User" }).click();
  await expect(page.getByText('"ada-at-acme" is not a valid email address; use the form name@example.com.')).toBeVisible();
  await expect(page.getByText("Please correct the fields marked below.")).toBeVisible();

  await page.getByLabel("Email Address", { exact: true }).fill("ada@acme.test");
  await page.getByLabel("Employee ID", { exact: true }).fill("000123");
  await page.getByRole("button", { name: "Create User" }).click();

  await expect(page).toHaveURL(/\/team$/);
  const row = page.getByRole("row", { name: /Ada Lovelace/ });
  await expect(row).toContainText("ada@acme.test");
  await expect(row).toContainText("000123");
  await expect(row).toContainText("Team Member");
  await expect(row).toContainText("Grace Hopper");

  // Search narrows the roster.
  await page.getByLabel("Search", { exact: true }).fill("lovelace");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=lovelace/);
  await expect(page.getByText("1 user", { exact: true })).toBeVisible();
});

test("Manage Team hydrates without errors on every load, so its links and menus work", async ({ page }) => {
  // A list of options inside a <select> once broke hydration on about one load in four.
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("hydrat")) errors.push(message.text());
  });
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  for (let load = 0; load < 12; load++) {
    await page.goto(load % 2 ? "/team?q=a&status=active" : "/team");
    await hydrated(page);
    await page.waitForLoadState("networkidle");
  }
  expect(errors).toEqual([]);
  await page.getByText("Bulk Actions ▾").click();
  await page.getByRole("link", { name: "Bulk Update Users" }).click();
  await expect(page.getByRole("heading", { name: "Bulk Update Users" })).toBeVisible();
});
