import { expect, test } from "@playwright/test";
import { hydrated, mailTo, signIn, unicodeText, welcomeLink } from "./helpers";

const file = unicodeText("welcome.txt", [
  "y\twelcome-lead@acme.test\tWendy\tLead\ty\ty\ty\t",
  "n\twelcome-new@acme.test\tNora\tNewcomer\ty\ty\ty\twelcome-lead@acme.test",
  "n\twelcome-mate@acme.test\tMatt\tMate\ty\ty\ty\twelcome-lead@acme.test",
]);

/** The smallest PNG: its signature is what the server checks. */
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000" + "1f15c489", "hex");

test("a delayed welcome email, sent later, leads a newcomer through a password and their profile to the Stream", async ({
  page,
}) => {
  // The admin bulk-creates a team with welcome emails delayed: nothing is sent.
  await signIn(page);
  await expect(page).toHaveURL(/\/team$/);
  await page.goto("/team/bulk-create");
  await hydrated(page);
  await page.getByLabel("Spreadsheet (Unicode Text, .txt)").setInputFiles(file);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("counts")).toHaveText("3 new · 0 rows with errors");
  await page.getByLabel("Delay welcome emails").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Created 3 users." })).toBeVisible();
  await page.waitForTimeout(2_500);
  expect(mailTo("welcome-new@acme.test")).toHaveLength(0);

  // Bulk Actions → Send Delayed Welcome Emails shows how many, and sends them after confirmation.
  await page.goto("/team");
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  await page.getByText("Bulk Actions ▾").click();
  await page.getByRole("link", { name: "Send Delayed Welcome Emails" }).click();
  await expect(page.getByRole("heading", { name: "Send Delayed Welcome Emails" })).toBeVisible();
  await hydrated(page);
  const held = await page.getByText(/welcome emails? (is|are) delayed/).textContent();
  const count = Number(held?.match(/^(\d+)/)?.[1]);
  expect(count).toBeGreaterThanOrEqual(3);
  await page.getByLabel(/Yes, send \d+ welcome emails? now/).check();
  await page.getByRole("button", { name: `Send ${count} welcome emails` }).click();
  await expect(page.getByRole("status")).toHaveText(`Sending ${count} welcome emails. Each person's page shows when theirs went out.`);
  await expect(page.getByText("No welcome emails are delayed.")).toBeVisible();

  // The message arrives; its link opens the set-password page in a fresh browser context.
  const link = await welcomeLink("welcome-new@acme.test");
  await page.context().clearCookies();
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByText("Hello Nora, Acme Support has created your Roster profile.")).toBeVisible();
  // The policy's message, for a password the browser's own checks let through.
  await page.getByLabel("New password").fill("nora rocks 2026");
  await page.getByLabel("Type it again").fill("nora rocks 2026");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert")).toContainText("must not contain your email address or your name");
  await page.getByLabel("New password").fill("tea at the analytical engine");
  await page.getByLabel("Type it again").fill("tea at the analytical engine");
  await page.getByRole("button", { name: "Set password" }).click();

  // Her bio, state and photo are missing: she completes them, then reaches the Stream.
  await expect(page).toHaveURL(/\/welcome\/profile$/);
  await expect(page.getByRole("heading", { name: "Complete your profile" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("About you (shown on your profile)").fill("I answer the chats nobody else can.");
  await page.getByLabel("State or country").fill("Ohio");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel("State or country")).toHaveCount(0);
  await page.getByLabel("Photo (JPEG, PNG or WebP, at most 2 MB)").setInputFiles({
    name: "not-a-photo.png",
    mimeType: "image/png",
    buffer: Buffer.from("<svg/>"),
  });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page.getByRole("alert")).toContainText("not a JPEG, PNG or WebP image");
  await page.getByLabel("Photo (JPEG, PNG or WebP, at most 2 MB)").setInputFiles({
    name: "me.png",
    mimeType: "image/png",
    buffer: PNG,
  });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page.getByText("Your profile is complete.")).toBeVisible();
  await page.getByRole("link", { name: "Go to the Stream" }).click();

  await expect(page).toHaveURL(/\/stream$/);
  const me = page.getByRole("region", { name: "Your profile" });
  await expect(me).toContainText("Nora Newcomer");
  await expect(me).toContainText("I answer the chats nobody else can.");
  await expect(me.getByRole("img", { name: "Photo of Nora Newcomer" })).toBeVisible();
  await expect(page.getByText("Wendy Lead")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your teammates (1)" })).toBeVisible();
  await expect(page.getByText("Matt Mate")).toBeVisible();
  // The link was used up.
  expect(mailTo("welcome-new@acme.test")).toHaveLength(1);
  await page.goto(link);
  await expect(page.getByRole("alert")).toContainText("expired or was already used");
});
