import { defineConfig } from "@playwright/test";

// Roster's browser tests run Debian's Chromium (/usr/bin/chromium); Playwright never downloads one.
// The server is the binary `cargo leptos build` made, on its own port and a fresh data folder,
// seeded through the same CLI that scripts use.
const port = Number(process.env.ROSTER_E2E_PORT ?? 3100);
const server = "../target/debug/server";
const password = "a long enough password";
// A real SMTP server (aiosmtpd, installed by scripts/install) that files each message under .mail.
const smtpPort = Number(process.env.ROSTER_E2E_SMTP_PORT ?? 2526);

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      command: `rm -rf .mail && exec ../target/smtp-venv/bin/python ../scripts/smtp_sink.py --port ${smtpPort} --dir .mail`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: [
        "rm -rf .data",
        `${server} org create --slug acme --name 'Acme Support'`,
        `${server} admin create --org acme --email admin@acme.test --first-name Grace --last-name Hopper`,
        // A second organisation, for tests whose data would crowd Acme's (20,000 held welcome emails).
        `${server} org create --slug globex --name 'Globex Support'`,
        `${server} admin create --org globex --email admin@globex.test --first-name Hank --last-name Scorpio`,
        `exec ${server}`,
      ].join(" && "),
      url: `http://127.0.0.1:${port}/sign-in`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        ROSTER_DATA_DIR: ".data",
        ROSTER_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: "../target/site",
        ROSTER_ADMIN_PASSWORD: password,
        ROSTER_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        ROSTER_PUBLIC_URL: `http://127.0.0.1:${port}`,
        RUST_LOG: "warn",
      },
    },
  ],
});
