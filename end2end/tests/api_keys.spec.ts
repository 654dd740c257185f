import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an admin creates an API key, a script and an identity provider use it, and once revoked it is refused", async ({
  page,
  request,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await hydrated(page);
  await page.getByRole("navigation", { name: "Manage Team" }).getByRole("link", { name: "API Keys" }).click();
  await expect(page.getByRole("heading", { name: "API Keys" })).toBeVisible();
  await hydrated(page);

  // The key is shown once, in full.
  await page.getByLabel("Name", { exact: true }).fill("HR sync");
  await page.getByRole("button", { name: "Create Key" }).click();
  const secret = await page.getByLabel("The new key").inputValue();
  expect(secret).toMatch(/^roster_\S{20,}$/);
  await expect(page.getByRole("row", { name: /HR sync/ })).toContainText("Active");

  // A script creates a user with it; an identity provider finds them over SCIM.
  const headers = { Authorization: `Bearer ${secret}` };
  const created = await request.post("/api/v2/employees", {
    headers,
    data: {
      first_name: "Sam",
      last_name: "Script",
      email: "sam.script@acme.test",
      can_manage_teams: false,
      phone_channel: true,
      chat_channel: false,
      email_channel: false,
      team_leader: "admin@acme.test",
    },
  });
  expect(created.status()).toBe(201);
  const found = await request.get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "sam.script@acme.test"')}`, { headers });
  expect(found.status()).toBe(200);
  expect((await found.json()).totalResults).toBe(1);

  // The roster shows them, and the key's last use.
  await page.goto("/team?q=sam.script");
  await hydrated(page);
  await expect(page.getByRole("row", { name: /Sam Script/ })).toContainText("Grace Hopper");
  await page.goto("/team/api-keys");
  await hydrated(page);
  await expect(page.getByRole("row", { name: /HR sync/ })).not.toContainText("Never");

  // Revoked after a confirmation, the key is refused at once.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("row", { name: /HR sync/ }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("status")).toHaveText("Key revoked: it is refused from now on.");
  const refused = await request.get("/api/v2/employees", { headers });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("bad_api_key");
});
