import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// One Confab (debug build from `cargo leptos build`) with its own private
// redis-server in a fresh data directory, or, with REDIS_CLUSTER_URLS set
// (scripts/with-redis-cluster), on that Redis Cluster; Debian's Chromium
// drives it.
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
  // A test that fails and then passes is reported as flaky (and named in
  // the run's summary), not hidden: see the open items in the latest
  // closing note. Two failures in a row fail the run.
  retries: 1,
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
      // Every test makes people; the hourly account budget is for everyone.
      CONFAB_REGISTRATIONS_PER_HOUR: "100000",
      // One shared General for every test's people: past the default 100
      // members it would carry no presence, and the tests of live presence
      // would depend on how many people the tests before made.
      CONFAB_PRESENCE_ROOM_LIMIT: "100000",
      // The admin of the moderation test (messaging.spec.ts).
      CONFAB_ADMINS: "e2eadmin",
      ...(process.env.REDIS_CLUSTER_URLS ? { REDIS_CLUSTER_URLS: process.env.REDIS_CLUSTER_URLS } : {}),
    },
  },
});
