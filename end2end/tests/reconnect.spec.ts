import { expect, request, test } from "@playwright/test";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hydrated, log, say, signUp } from "./helpers";

// A Confab of this test's own (with its own embedded Redis, or its own key
// prefix on the cluster of a cluster run), so that it can be stopped and
// started again without disturbing the other tests.
const root = resolve(__dirname, "..", "..");
const dataDir = mkdtempSync(join(tmpdir(), "confab-e2e-restart-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;

function startServer(): ChildProcess {
  return spawn(`${root}/target/debug/confab`, [], {
    cwd: root,
    stdio: "ignore",
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: `${root}/target/site`,
      CONFAB_LEPTOS_CONFIG: `${root}/Leptos.toml`,
      CONFAB_DATA_DIR: dataDir,
      CONFAB_KEY_PREFIX: `e2e-restart-${port}:`,
      RUST_LOG: "warn",
    },
  });
}

async function healthy(): Promise<void> {
  await expect
    .poll(async () => {
      try {
        return (await fetch(`${base}/healthz`)).status;
      } catch {
        return 0;
      }
    }, { timeout: 30_000 })
    .toBe(200);
}

async function stop(server: ChildProcess): Promise<void> {
  const exited = new Promise((done) => server.once("exit", done));
  server.kill("SIGINT");
  await exited;
}

test("after the server restarts, the page reconnects and shows what it missed", async ({ browser, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the live connection needs JavaScript");
  let server = startServer();
  try {
    await healthy();
    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    await signUp(page, true);
    await hydrated(page, true);
    const banner = page.getByRole("status");
    await expect(banner).toHaveAttribute("data-connection", "open");
    await say(page, "before the restart");
    await expect(log(page).getByText("before the restart")).toBeVisible();

    await stop(server);
    await expect(banner).toHaveText("Reconnecting…");

    server = startServer();
    await healthy();
    // Someone else writes while the page is still away.
    const other = await request.newContext({ baseURL: base });
    expect((await other.post("/api/register", { form: { username: `late${Date.now().toString(36)}`, password: "correct horse battery" } })).ok()).toBeTruthy();
    expect((await other.post("/api/messages/send", { form: { room_id: "0", text: "sent while you were away" } })).ok()).toBeTruthy();

    await expect(banner).toHaveAttribute("data-connection", /restored|open/, { timeout: 30_000 });
    await expect(log(page).getByText("sent while you were away")).toBeVisible();
    await expect(log(page).getByText("before the restart")).toHaveCount(1);
    await other.dispose();
    await context.close();
  } finally {
    await stop(server);
  }
});

test("the chat loads without console errors or hydration warnings", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the console is the hydrated page's");
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || (message.type() === "warning" && /hydrat/i.test(message.text()))) {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await signUp(page, true);
  // Under the page's Content-Security-Policy (a violation is a console
  // error, which fails this test).
  const reloaded = await page.reload();
  expect(reloaded?.headers()["content-security-policy"]).toContain("'nonce-");
  await hydrated(page, true);
  await say(page, "a quiet console");
  await expect(log(page).getByText("a quiet console")).toBeVisible();
  await page.screenshot({ path: "test-results/chat.png" });
  expect(problems).toEqual([]);
});
