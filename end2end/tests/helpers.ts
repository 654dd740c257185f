import { expect, type Page } from "@playwright/test";

export const PASSWORD = "a long enough password";

/** Waits until the page is interactive (the app sets this marker from an effect). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
}

export async function signIn(page: Page, email = "admin@acme.test", password = PASSWORD) {
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("Organisation", { exact: true }).fill("acme");
  await page.getByLabel("Email address", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
