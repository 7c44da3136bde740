import { expect, test } from "@playwright/test";
import { hydrated, log, newPerson, say } from "./helpers";

test.describe("message formatting", () => {
  test("Markdown shows as formatting, and a hostile message as harmless text", async ({ browser, javaScriptEnabled }) => {
    const alice = await newPerson(browser, javaScriptEnabled, "markdown");
    const problems: string[] = [];
    alice.page.on("console", (message) => {
      if (/hydrat|panicked|unreachable/i.test(message.text())) problems.push(message.text());
    });
    const room = await alice.page.request.post("/api/rooms/create", { form: { name: `Format ${Date.now().toString(36)}` } });
    expect(room.ok()).toBeTruthy();
    const id = (await room.json()).id;
    const text = [
      "**bold** and _slanted_ with `inline <i>code</i>`",
      "> a quoted line",
      "```",
      "<b>not bold</b>",
      "```",
      "see https://example.com/docs, not [x](javascript:alert(1)) or <img src=x onerror=window.pwned=1>",
    ].join("\n");
    const sent = await alice.page.request.post("/api/messages/send", { form: { room_id: id, text } });
    expect(sent.ok(), await sent.text()).toBeTruthy();
    // The stored text is what was typed.
    expect((await sent.json()).text).toBe(text);

    await alice.page.goto(`/room/${id}`);
    await hydrated(alice.page, javaScriptEnabled);
    const message = log(alice.page).locator("article.msg").last();
    await expect(message.locator("strong")).toHaveText("bold");
    await expect(message.locator("em")).toHaveText("slanted");
    await expect(message.locator(":not(pre) > code")).toHaveText("inline <i>code</i>");
    await expect(message.locator("blockquote")).toHaveText("a quoted line");
    await expect(message.locator("pre code")).toHaveText("<b>not bold</b>");
    const link = message.getByRole("link", { name: "https://example.com/docs" });
    await expect(link).toHaveAttribute("href", "https://example.com/docs");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow");
    // Nothing else became markup or a link.
    await expect(message.locator("img, b, i, script")).toHaveCount(0);
    await expect(message.locator(".text").getByRole("link")).toHaveCount(1);
    await expect(message).toContainText("[x](javascript:alert(1))");
    await expect(message).toContainText("<img src=x onerror=window.pwned=1>");
    if (javaScriptEnabled) {
      expect(await alice.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      // The hydrated page is the one the server rendered: no hydration errors.
      expect(problems).toEqual([]);
    }
    await alice.context.close();
  });
  test("a direction override stays inside the message that holds it", async ({ browser, javaScriptEnabled }) => {
    const alice = await newPerson(browser, javaScriptEnabled, "bidi");
    const sent = await alice.page.request.post("/api/messages/send", {
      form: { room_id: "0", text: "look at \u202Egnp.exe and this" },
    });
    expect(sent.ok(), await sent.text()).toBeTruthy();
    await alice.page.goto("/room/0");
    await hydrated(alice.page, javaScriptEnabled);
    const message = log(alice.page).locator("article.msg", { hasText: "gnp.exe" }).last();
    // The paragraph is isolated, and takes its direction from its text.
    await expect(message.locator(".text p").first()).toHaveCSS("unicode-bidi", "plaintext");
    await expect(alice.page.locator(".room-name").first()).toHaveCSS("unicode-bidi", "plaintext");
    await alice.context.close();
  });
});

test.describe("notifications", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "notifications need JavaScript");

  test("a hidden tab is told of a mention once it is turned on, and of nothing else", async ({ browser }) => {
    const alice = await newPerson(browser, true, "caller");
    const bob = await newPerson(browser, true, "called");
    await bob.context.grantPermissions(["notifications"]);
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);
    const toggle = bob.page.getByRole("button", { name: "Notifications" });
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    // The choice is kept in the browser.
    await bob.page.reload();
    await hydrated(bob.page, true);
    await expect(toggle).toHaveAttribute("aria-pressed", "true");

    // Record what the page raises, and hide the tab.
    await bob.page.evaluate(() => {
      const shown: { title: string; body?: string }[] = [];
      const real = window.Notification;
      function Recording(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body });
      }
      Object.defineProperty(Recording, "permission", { get: () => real.permission });
      (window as unknown as { shown: typeof shown }).shown = shown;
      (window as unknown as { Notification: unknown }).Notification = Recording;
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    });
    const shown = () => bob.page.evaluate(() => (window as unknown as { shown: { title: string; body?: string }[] }).shown);

    await say(alice.page, "nobody is named here");
    await expect(log(bob.page).getByText("nobody is named here")).toBeVisible();
    await say(alice.page, `@${bob.name} a word with you`);
    await expect(log(bob.page).getByText("a word with you")).toBeVisible();
    await expect.poll(shown).toEqual([{ title: `${alice.name} in General`, body: `@${bob.name} a word with you` }]);

    // Turned off, nothing more.
    await bob.page.evaluate(() => Object.defineProperty(document, "hidden", { configurable: true, get: () => false }));
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await bob.page.evaluate(() => Object.defineProperty(document, "hidden", { configurable: true, get: () => true }));
    await say(alice.page, `@${bob.name} once more`);
    await expect(log(bob.page).getByText("once more")).toBeVisible();
    expect(await shown()).toHaveLength(1);
    await alice.context.close();
    await bob.context.close();
  });
});
