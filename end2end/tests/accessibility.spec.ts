import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { hydrated, log, newPerson, say } from "./helpers";

// axe-core checks each state against WCAG 2.1 A and AA, colour contrast
// included, in the light and the dark scheme.
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`),
  }));
}

test.describe("accessibility", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "axe runs as a script in the page");

  for (const scheme of ["light", "dark"] as const) {
    test(`the sign-in page and the chat meet WCAG AA (${scheme})`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme });
      const signedOut = await context.newPage();
      await signedOut.goto("/");
      await hydrated(signedOut, true);
      expect(await violations(signedOut)).toEqual([]);
      await context.close();

      const alice = await newPerson(browser, true, "a11y");
      await alice.page.emulateMedia({ colorScheme: scheme });
      await hydrated(alice.page, true);
      const link = `https://example.com/${alice.name}`;
      await say(alice.page, `a message with a link ${link} and some text`);
      await expect(log(alice.page).getByRole("link", { name: link })).toBeVisible();
      expect(await violations(alice.page)).toEqual([]);

      await alice.page.getByRole("button", { name: "Browse rooms" }).click();
      await expect(alice.page.getByRole("dialog")).toBeVisible();
      expect(await violations(alice.page)).toEqual([]);
      await alice.context.close();
    });
  }
});

test.describe("keyboard", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "the dialog and Enter-to-send need JavaScript");

  test("the chat works from the keyboard alone, with a visible focus ring", async ({ browser }) => {
    const alice = await newPerson(browser, true, "keys");
    const page = alice.page;
    await hydrated(page, true);
    const isFocused = (name: string) =>
      page.getByRole("button", { name }).evaluate((el) => el === document.activeElement);

    // Tab reaches "Browse rooms", and the focused control shows a ring.
    const browse = page.getByRole("button", { name: "Browse rooms" });
    for (let presses = 0; presses < 40 && !(await isFocused("Browse rooms")); presses++) {
      await page.keyboard.press("Tab");
    }
    await expect(browse).toBeFocused();
    expect(await browse.evaluate((el) => getComputedStyle(el).boxShadow)).not.toBe("none");

    // Enter opens the room browser (its page, /rooms, which the server
    // writes) with the name field focused; Escape closes it.
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/rooms\??$/);
    await hydrated(page, true);
    await expect(page.getByRole("dialog")).toBeVisible();
    await expect(page.getByLabel("Room name")).toBeFocused();
    // The modal keeps the focus: Shift+Tab from its first control goes to
    // its last, Tab from there back to the first.
    const close = page.getByRole("dialog").getByRole("link", { name: "Close" });
    await page.keyboard.press("Shift+Tab");
    await expect(close).toBeFocused();
    await page.keyboard.press("Shift+Tab");
    await expect(close).not.toBeFocused();
    expect(await page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null)).toBe(true);
    await page.keyboard.press("Tab");
    await expect(close).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toBeHidden();
    await expect(browse).toBeFocused();

    // Create a room by typing, then send with Enter and add a line with Shift+Enter.
    await page.keyboard.press("Enter");
    await expect(page.getByLabel("Room name")).toBeFocused();
    const roomName = `Keys ${Date.now().toString(36)}`;
    await page.keyboard.type(roomName);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`#${roomName}`);
    // The room opened with a page load (a plain form post): Enter sends
    // once the page is hydrated.
    await hydrated(page, true);
    const composer = page.getByLabel("Message", { exact: true });
    await composer.focus();
    await page.keyboard.type("first line");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line");
    await page.keyboard.press("Enter");
    await expect(log(page).getByText(/first line\s+second line/)).toBeVisible();
    await expect(composer).toHaveValue("");
    await alice.context.close();
  });
});
