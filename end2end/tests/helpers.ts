import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";

/** axe-core's script, run in the page by `expectAccessible`. */
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.1 A and AA, and its best practices) on the page as it is now and fails on
 * any serious or critical violation, naming the rule and where it broke. The script is evaluated
 * through the DevTools protocol, so the page's Content-Security-Policy stays as it is.
 */
export async function expectAccessible(page: Page, what: string) {
  await page.evaluate(AXE);
  const violations: string[] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<any> } }).axe;
    const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations
      .filter((v: any) => v.impact === "serious" || v.impact === "critical")
      .map((v: any) => `${v.id} (${v.impact}): ${v.help}; at ${v.nodes.slice(0, 3).map((n: any) => n.target.join(" ")).join(" | ")}`);
  });
  expect(violations, `axe-core on ${what}`).toEqual([]);
}

export const PASSWORD = "a long enough password";

/** The bulk-create columns the browser tests fill. */
export const HEADER = [
  "*Can Manage Teams",
  "Email Address",
  "*First Name",
  "*Last Name",
  "*Phone Channel",
  "*Chat Channel",
  "*Email Channel",
  "*Team Leader",
].join("\t");

/** A bulk-create file as Excel saves "Unicode Text": UTF-16LE with a byte-order mark, tabs, CRLF. */
export function unicodeText(name: string, rows: string[], header = HEADER) {
  const text = "\ufeff" + [header, ...rows].join("\r\n") + "\r\n";
  return { name, mimeType: "text/plain", buffer: Buffer.from(text, "utf16le") };
}

/** Waits until the page is interactive (the app sets this marker from an effect). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
}

export async function signIn(page: Page, email = "admin@acme.test", password = PASSWORD, org = "acme") {
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("Organisation", { exact: true }).fill(org);
  await page.getByLabel("Email address", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Where the tests' SMTP server files the messages it accepts (see playwright.config.ts). */
const MAIL = ".mail";

/** The text/plain part of a raw message, decoded (quoted-printable, base64 or as is). */
function plainText(raw: string): string {
  const start = raw.search(/Content-Type: text\/plain/i);
  const part = start >= 0 ? raw.slice(start) : raw;
  const [headers, ...rest] = part.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n").split(/\r?\n--/)[0];
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    return body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
  if (/Content-Transfer-Encoding: base64/i.test(headers)) {
    return Buffer.from(body.replace(/\s/g, ""), "base64").toString("utf8");
  }
  return body;
}

/** Every message the SMTP server accepted for `to`, as text. */
export function mailTo(to: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(MAIL).filter((name) => name.endsWith(".eml")).sort();
  } catch {
    return [];
  }
  return names
    .map((name) => readFileSync(join(MAIL, name), "latin1"))
    .filter((raw) => raw.startsWith(`X-Sink-To: ${to}\r\n`))
    .map(plainText);
}

/** The set-password link of the newest welcome email to `to`, once it has arrived. */
export async function welcomeLink(to: string): Promise<string> {
  await expect.poll(() => mailTo(to).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const text = mailTo(to).at(-1) ?? "";
  const link = text.match(/https?:\/\/\S+\/set-password\/[0-9a-f]{64}/)?.[0];
  expect(link, text).toBeTruthy();
  return link ?? "";
}
