import { expect, test } from "@playwright/test";
import { createRoom, hydrated, log, newPerson, roomWithLines, say, signUp, uniqueName } from "./helpers";

test.describe("hydrated", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "live features need JavaScript");

  test("two people see each other's messages live, and a reload keeps them", async ({ browser }) => {
    const alice = await newPerson(browser, true, "alice");
    const bob = await newPerson(browser, true, "bob");
    await expect(alice.page.getByRole("navigation", { name: "Rooms" })).toBeVisible();
    await expect(alice.page.getByRole("list", { name: "Online" })).toBeVisible();
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);

    await say(alice.page, "hello from alice");
    await expect(log(bob.page).getByText("hello from alice")).toBeVisible();
    await say(bob.page, "hi alice, bob here");
    await expect(log(alice.page).getByText("hi alice, bob here")).toBeVisible();
    await expect(log(alice.page).getByText("Sending…")).toHaveCount(0);

    await bob.page.reload();
    await expect(log(bob.page).getByText("hello from alice")).toBeVisible();
    await expect(log(bob.page).getByText("hi alice, bob here")).toBeVisible();
    await alice.context.close();
    await bob.context.close();
  });

  test("Enter sends even before the page is hydrated, as the page's form post", async ({ browser }) => {
    const alice = await newPerson(browser, true, "early");
    // The WebAssembly never comes: the page stays as the server wrote it,
    // as it is for the moment after every page load.
    await alice.page.route("**/*.wasm", (route) => route.abort());
    await alice.page.reload();
    const box = alice.page.getByLabel("Message", { exact: true });
    await box.fill("first line");
    await box.press("Shift+Enter");
    await box.pressSequentially("second line");
    await expect(box).toHaveValue("first line\nsecond line");
    await box.press("Enter");
    await expect(log(alice.page).getByText("second line")).toBeVisible();
    await expect(box).toHaveValue("");
    await expect(alice.page.locator("body[data-hydrated]")).toHaveCount(0);
    await alice.context.close();
  });

  test("a failed send says why and offers a retry that sends it", async ({ browser }) => {
    const alice = await newPerson(browser, true, "retrier");
    await hydrated(alice.page, true);
    const roomName = `Retry ${Date.now().toString(36)}`;
    const roomId = await createRoom(alice.page, roomName);
    const membership = (action: string) =>
      alice.page.request.post(`/api/rooms/${action}`, { form: { room_id: roomId } });

    // Alice leaves the room behind this page's back (as from another tab):
    // the server refuses the next send, and the page says so.
    expect((await membership("leave")).status()).toBe(200);
    await say(alice.page, "is anyone still here?");
    const failed = log(alice.page).getByText(/^Not sent: /);
    await expect(failed).toBeVisible();
    await expect(failed).toContainText("member");

    // Back in the room, Retry sends the same text, and the server keeps it.
    expect((await membership("join")).status()).toBe(200);
    await log(alice.page).getByRole("button", { name: "Retry" }).click();
    await expect(failed).toHaveCount(0);
    await expect(log(alice.page).getByText("is anyone still here?")).toHaveCount(1);
    await alice.page.reload();
    await expect(log(alice.page).getByText("is anyone still here?")).toBeVisible();
    await alice.context.close();
  });

  test("a direct room opens from the online list and reaches the other person live", async ({ browser }) => {
    const alice = await newPerson(browser, true, "dmalice");
    const bob = await newPerson(browser, true, "dmbob");
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);
    const online = alice.page.getByRole("list", { name: "Online" });
    await online.getByRole("button", { name: bob.name }).click();
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText(`@${bob.name}`);
    await say(alice.page, "just between us");
    const bobsNav = bob.page.getByRole("navigation", { name: "Rooms" });
    await expect(bobsNav.getByRole("link", { name: new RegExp(alice.name) })).toBeVisible();
    await bobsNav.getByRole("link", { name: new RegExp(alice.name) }).click();
    await expect(log(bob.page).getByText("just between us")).toBeVisible();
    await alice.context.close();
    await bob.context.close();
  });

  test("unread badges (and the tab's title) rise in other rooms and clear when the room is opened", async ({ browser }) => {
    const alice = await newPerson(browser, true, "badgea");
    const bob = await newPerson(browser, true, "badgeb");
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);
    await alice.page.getByRole("list", { name: "Online" }).getByRole("button", { name: bob.name }).click();
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText(`@${bob.name}`);
    const link = bob.page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: new RegExp(alice.name) });
    await expect(link).toBeVisible();
    await say(alice.page, "one");
    await say(alice.page, "two");
    await expect(link).toContainText("2 unread");
    await expect(bob.page).toHaveTitle("(2) Confab");
    await link.click();
    await expect(log(bob.page).getByText("two")).toBeVisible();
    await expect(link).not.toContainText("unread");
    await expect(bob.page).toHaveTitle("Confab");
    await bob.page.reload();
    await expect(bob.page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: new RegExp(alice.name) })).not.toContainText("unread");
    await alice.context.close();
    await bob.context.close();
  });

  test("the typing indicator shows who is typing", async ({ browser }) => {
    const alice = await newPerson(browser, true, "typer");
    const bob = await newPerson(browser, true, "watcher");
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);
    // Typing is live only (never replayed): bob's socket must be open, and
    // so on the bus, before alice types.
    await expect(bob.page.getByRole("status")).toHaveAttribute("data-connection", "open");
    await alice.page.getByLabel("Message", { exact: true }).pressSequentially("hel");
    await expect(bob.page.getByText(`${alice.name} is typing…`)).toBeVisible();
    await alice.context.close();
    await bob.context.close();
  });

  test("scrolling up loads history back to the first message of a room of 300", async ({ browser }) => {
    const alice = await newPerson(browser, true, "scroller");
    await hydrated(alice.page, true);
    const roomName = `Long ${Date.now().toString(36)}`;
    const roomId = await roomWithLines(alice.page, roomName, 300);
    await alice.page.goto(`/room/${roomId}`);
    await hydrated(alice.page, true);
    await expect(log(alice.page).getByText("line 300", { exact: true })).toBeVisible();
    await expect(log(alice.page).getByText("line 1", { exact: true })).toHaveCount(0);
    // The JavaScript-off paging link is there, and out of the hydrated page's way.
    const older = log(alice.page).getByRole("link", { name: "Older messages", includeHidden: true });
    await expect(older).toHaveCount(1);
    await expect(older).toBeHidden();
    for (let i = 0; i < 20; i++) {
      if (await log(alice.page).getByText("This is the start of the room.").isVisible()) break;
      await log(alice.page).evaluate((el) => el.scrollTo(0, 0));
      await alice.page.waitForFunction(() => !document.body.innerText.includes("Loading earlier messages…"));
    }
    await expect(log(alice.page).getByText("line 1", { exact: true })).toBeVisible();
    await expect(log(alice.page).locator("article.msg")).toHaveCount(300);
    await expect(alice.page.getByRole("button", { name: "Jump to newest" })).toBeVisible();
    await alice.page.getByRole("button", { name: "Jump to newest" }).click();
    await expect(log(alice.page).getByText("line 300", { exact: true })).toBeInViewport();
    await alice.context.close();
  });


});

test("without JavaScript, a message is sent as a plain form and shown after the post", async ({ browser, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, "the JavaScript-off path");
  const alice = await newPerson(browser, false, "nojs");
  await alice.page.getByLabel("Message", { exact: true }).fill("sent without javascript");
  await alice.page.getByRole("button", { name: "Send" }).click();
  await expect(log(alice.page).getByText("sent without javascript")).toBeVisible();
  await alice.context.close();
});

test.describe("without JavaScript", () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled, "the JavaScript-off path");

  test("unread badges rise on reload and clear when the room is opened", async ({ browser }) => {
    const alice = await newPerson(browser, false, "nojsbadgea");
    const bob = await newPerson(browser, false, "nojsbadgeb");
    const roomName = `Unread ${Date.now().toString(36)}`;
    await createRoom(bob.page, roomName);
    await alice.page.getByRole("button", { name: "Browse rooms" }).click();
    await alice.page.getByRole("button", { name: `Join ${roomName}` }).click();
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText(`#${roomName}`);
    await alice.page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: "General" }).click();
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText("#General");

    for (const text of ["one", "two"]) {
      await bob.page.getByLabel("Message", { exact: true }).fill(text);
      await bob.page.getByRole("button", { name: "Send" }).click();
      await expect(log(bob.page).getByText(text, { exact: true })).toBeVisible();
    }
    await alice.page.reload();
    const link = alice.page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: new RegExp(roomName) });
    await expect(link).toContainText("2 unread");
    await link.click();
    await expect(log(alice.page).getByText("two", { exact: true })).toBeVisible();
    await expect(link).not.toContainText("unread");
    await alice.page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: "General" }).click();
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText("#General");
    await expect(link).not.toContainText("unread");
    await alice.context.close();
    await bob.context.close();
  });

  test("older messages page back to the first message of a room of 300", async ({ browser }) => {
    const alice = await newPerson(browser, false, "nojspager");
    const roomName = `Pages ${Date.now().toString(36)}`;
    const roomId = await roomWithLines(alice.page, roomName, 300);
    await alice.page.goto(`/room/${roomId}`);
    await expect(log(alice.page).getByText("line 300", { exact: true })).toBeVisible();
    await expect(log(alice.page).getByText("line 1", { exact: true })).toHaveCount(0);
    const older = log(alice.page).getByRole("link", { name: "Older messages" });
    const firstShown = log(alice.page).locator("article.msg").first();
    for (let page = 0; page < 10 && (await older.count()) > 0; page++) {
      const seq = await firstShown.getAttribute("data-seq");
      await older.click();
      // The older page has arrived when the log starts elsewhere.
      await expect(firstShown).not.toHaveAttribute("data-seq", seq!);
    }
    await expect(log(alice.page).getByText("This is the start of the room.")).toBeVisible();
    await expect(log(alice.page).getByText("line 1", { exact: true })).toBeVisible();
    await expect(log(alice.page).getByText("line 50", { exact: true })).toBeVisible();
    await expect(older).toHaveCount(0);
    await alice.page.getByRole("link", { name: "Newest messages" }).click();
    await expect(log(alice.page).getByText("line 300", { exact: true })).toBeVisible();
    await alice.context.close();
  });

  test("a refused send says why and keeps the text", async ({ browser }) => {
    const alice = await newPerson(browser, false, "nojsrefused");
    const roomName = `Refused ${Date.now().toString(36)}`;
    const roomId = await createRoom(alice.page, roomName);
    // She leaves the room elsewhere (another tab, say), then sends from this page.
    expect((await alice.page.request.post("/api/rooms/leave", { form: { room_id: roomId } })).status()).toBe(200);
    await alice.page.getByLabel("Message", { exact: true }).fill("into the void");
    await alice.page.getByRole("button", { name: "Send" }).click();
    await expect(alice.page.getByRole("alert").filter({ hasText: "Not sent" })).toContainText("not a member");
    await expect(alice.page.getByLabel("Message", { exact: true })).toHaveValue("into the void");
    await alice.context.close();
  });

  test("a direct room opens from the online list with a plain form", async ({ browser }) => {
    // Online means an open live connection, which needs JavaScript: bob
    // is online in a hydrated browser; alice has JavaScript off.
    const bobContext = await browser.newContext({ javaScriptEnabled: true });
    const bobPage = await bobContext.newPage();
    const bobName = await signUp(bobPage, true, uniqueName("dmformbob"));
    await hydrated(bobPage, true);
    const alice = await newPerson(browser, false, "dmformalice");
    const online = alice.page.getByRole("list", { name: "Online" });
    await expect(online.getByRole("button", { name: bobName })).toBeVisible();
    await online.getByRole("button", { name: bobName }).click();
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText(`@${bobName}`);
    await alice.page.getByLabel("Message", { exact: true }).fill("a private word");
    await alice.page.getByRole("button", { name: "Send" }).click();
    await expect(log(alice.page).getByText("a private word")).toBeVisible();
    // Bob, live, gets the new direct room and its message.
    const bobsNav = bobPage.getByRole("navigation", { name: "Rooms" });
    await bobsNav.getByRole("link", { name: new RegExp(alice.name) }).click();
    await expect(log(bobPage).getByText("a private word")).toBeVisible();
    await alice.context.close();
    await bobContext.close();
  });
});

test("create, join and leave a room (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const alice = await newPerson(browser, js, "creator");
  const bob = await newPerson(browser, js, "joiner");
  await hydrated(alice.page, js);
  const roomName = `Room ${Date.now().toString(36)}`;
  await alice.page.getByRole("button", { name: "Browse rooms" }).click();
  // The room browser is a page of its own, which the server writes.
  await expect(alice.page).toHaveURL(/\/rooms\??$/);
  await alice.page.getByLabel("Room name").fill(roomName);
  await alice.page.getByRole("button", { name: "Create room" }).click();
  await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText(`#${roomName}`);
  await alice.page.getByLabel("Message", { exact: true }).fill("welcome to the new room");
  await alice.page.getByRole("button", { name: "Send" }).click();
  await expect(log(alice.page).getByText("welcome to the new room")).toBeVisible();

  await hydrated(bob.page, js);
  await bob.page.getByRole("button", { name: "Browse rooms" }).click();
  await expect(bob.page).toHaveURL(/\/rooms\??$/);
  await hydrated(bob.page, js);
  // The browser lists 100 public rooms a page (More rooms); a room is found by name
  // (as it is typed, with JavaScript).
  await bob.page.getByLabel("Find a room").fill(roomName);
  if (!js) {
    await bob.page.getByRole("button", { name: "Find", exact: true }).click();
    await expect(bob.page).toHaveURL(/\/rooms\?q=/);
  }
  await bob.page.getByRole("button", { name: `Join ${roomName}` }).click();
  await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText(`#${roomName}`);
  await expect(log(bob.page).getByText("welcome to the new room")).toBeVisible();
  const nav = bob.page.getByRole("navigation", { name: "Rooms" });
  await expect(nav.getByRole("link", { name: roomName })).toBeVisible();

  await bob.page.getByRole("button", { name: "Leave room" }).click();
  await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText("#General");
  await expect(nav.getByRole("link", { name: roomName })).toHaveCount(0);
  await alice.context.close();
  await bob.context.close();
});

test("on a phone the sidebar hides behind the menu button (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 800 }, javaScriptEnabled });
  const page = await context.newPage();
  // A long name, which must not push the top bar onto two rows.
  await signUp(page, javaScriptEnabled, uniqueName("averylongname"));
  await hydrated(page, javaScriptEnabled);
  const nav = page.getByRole("navigation", { name: "Rooms" });
  await expect(nav).toBeHidden();
  // The top bar stays one row: Sign out sits beside Menu, not under it.
  const menu = await page.getByRole("button", { name: "Menu" }).boundingBox();
  const signOut = await page.getByRole("button", { name: "Sign out" }).boundingBox();
  expect(Math.abs(signOut!.y - menu!.y)).toBeLessThan(8);
  expect(signOut!.x + signOut!.width).toBeLessThanOrEqual(390);
  const send = await page.getByRole("button", { name: "Send" }).boundingBox();
  expect(send!.x + send!.width).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "Menu" }).click();
  await expect(nav).toBeVisible();
  await expect(page.getByLabel("Message", { exact: true })).toBeVisible();
  await page.screenshot({ path: "test-results/phone.png" });
  // Picking a room closes the sidebar again.
  await nav.getByRole("link", { name: "General" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("#General");
  await expect(nav).toBeHidden();
  await context.close();
});

test("markup in a message is shown as text, and links are links (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const alice = await newPerson(browser, javaScriptEnabled, "mark");
  await hydrated(alice.page, javaScriptEnabled);
  // Unique per run: both projects run this test in General at once.
  const page = `https://example.com/${alice.name}`;
  const markup = `<b>bold ${alice.name}?</b> <img src=x onerror=alert(1)>`;
  await alice.page.getByLabel("Message", { exact: true }).fill(`${markup} see ${page}`);
  await alice.page.getByRole("button", { name: "Send" }).click();
  await expect(log(alice.page).getByText(markup, { exact: false })).toBeVisible();
  await expect(log(alice.page).locator("b")).toHaveCount(0);
  await expect(log(alice.page).locator("img")).toHaveCount(0);
  await expect(log(alice.page).getByRole("link", { name: page })).toHaveAttribute("href", page);
  await alice.context.close();
});
