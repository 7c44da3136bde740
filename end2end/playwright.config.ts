import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// One Confab (debug build from `cargo leptos build`) with its own private
// redis-server in a fresh data directory; Debian's Chromium drives it.
const root = resolve(__dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3170);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "confab-e2e-"));

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL,
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "hydrated", use: { javaScriptEnabled: true } },
    { name: "no-js", use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: `${root}/target/debug/confab`,
    cwd: root,
    url: `${baseURL}/healthz`,
    reuseExistingServer: true,
    timeout: 60_000,
    gracefulShutdown: { signal: "SIGINT", timeout: 10_000 },
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: `${root}/target/site`,
      CONFAB_LEPTOS_CONFIG: `${root}/Leptos.toml`,
      CONFAB_DATA_DIR: dataDir,
      RUST_LOG: "warn",
      // Tests fill rooms quickly (300 messages for the scroll-back test).
      CONFAB_SEND_BURST: "100000",
      CONFAB_LOGIN_ATTEMPTS_PER_ADDR: "100000",
    },
  },
});
