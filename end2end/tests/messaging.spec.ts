import { expect, test, type Route } from "@playwright/test";
import { hydrated, log, newPerson, roomOfTwo, say } from "./helpers";

test.describe("changing messages", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "editing in place needs JavaScript");

  test("edit, react, reply and delete reach the other person live, and a mention is marked", async ({ browser }) => {
    const alice = await newPerson(browser, true, "editor");
    const bob = await newPerson(browser, true, "reader");
    // A room of their own: General holds other tests' (and retries') messages.
    const created = await alice.page.request.post("/api/rooms/create", { form: { name: `Edits ${Date.now().toString(36)}` } });
    expect(created.ok()).toBeTruthy();
    const id = (await created.json()).id;
    expect((await bob.page.request.post("/api/rooms/join", { form: { room_id: id } })).ok()).toBeTruthy();
    await alice.page.goto(`/room/${id}`);
    await bob.page.goto(`/room/${id}`);
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);

    await say(alice.page, `hello @${bob.name}, the typo is here`);
    // Her message is the room's first, whatever its text becomes.
    const alicesMessage = log(alice.page).locator("article.msg").first();
    await expect(alicesMessage).toContainText("the typo is here");
    const bobsView = log(bob.page).locator("article.msg", { hasText: "hello" }).last();
    await expect(bobsView).toBeVisible();
    // Bob is named: his copy is marked, alice's is not.
    await expect(log(bob.page).locator("[data-mention]")).toHaveCount(1);
    await expect(log(alice.page).locator("[data-mention]")).toHaveCount(0);

    // Edit in place.
    await alicesMessage.hover();
    await alicesMessage.getByRole("button", { name: "Edit" }).click();
    const box = alicesMessage.getByRole("textbox", { name: "Edit message" });
    await box.fill("hello, the typo is fixed");
    await box.press("Enter");
    await expect(log(bob.page).getByText("hello, the typo is fixed")).toBeVisible();
    await expect(log(bob.page).locator("article.msg", { hasText: "typo is fixed" }).getByText("edited")).toBeVisible();
    // The edit dropped the name: no mention any more.
    await expect(log(bob.page).locator("[data-mention]")).toHaveCount(0);

    // Bob reacts; alice sees the count.
    const bobsCopy = log(bob.page).locator("article.msg", { hasText: "typo is fixed" });
    await bobsCopy.hover();
    await bobsCopy.getByRole("button", { name: "React", exact: true }).click();
    await bobsCopy.getByRole("button", { name: "React with 👍" }).click();
    // Alice sees the count and who it was, in the chip's name and on hover.
    const chip = alicesMessage.getByRole("button", { name: `👍: 1 by ${bob.name}, add yours` });
    await expect(chip).toBeVisible();
    await expect(chip).toHaveAttribute("title", bob.name);

    // Bob replies.
    await bobsCopy.hover();
    await bobsCopy.getByRole("button", { name: "Reply" }).click();
    await expect(bob.page.getByText(`Replying to ${alice.name}`)).toBeVisible();
    await say(bob.page, "thanks for fixing it");
    const reply = log(alice.page).locator("article.msg", { hasText: "thanks for fixing it" });
    await expect(reply.getByText(`Replying to ${alice.name}:`)).toBeVisible();
    // Choosing the quote goes to the message it answers.
    await reply.getByRole("link", { name: /Replying to/ }).click();
    await expect(alicesMessage).toHaveAttribute("data-flash", "");

    // Alice deletes hers; bob sees the tombstone, and a reload keeps it.
    await alicesMessage.hover();
    await alicesMessage.getByRole("button", { name: "Delete" }).click();
    // Once: the reply's quote of it says "(deleted)", not the tombstone's words.
    await expect(log(bob.page).getByText("Message deleted")).toBeVisible();
    await expect(log(bob.page).getByText("hello, the typo is fixed")).toHaveCount(0);
    await bob.page.reload();
    await expect(log(bob.page).getByText("Message deleted")).toBeVisible();
    // Only the author is offered Edit.
    const bobsReply = log(bob.page).locator("article.msg", { hasText: "thanks for fixing it" });
    await bobsReply.hover();
    await expect(bobsReply.getByRole("button", { name: "Edit" })).toBeVisible();
    const alicesReplyView = log(alice.page).locator("article.msg", { hasText: "thanks for fixing it" });
    await alicesReplyView.hover();
    await expect(alicesReplyView.getByRole("button", { name: "Edit" })).toHaveCount(0);
    await alice.context.close();
    await bob.context.close();
  });

  test("a message's actions need no hover, Edit and Reply put the focus where the words go, and Enter after a whole @name sends", async ({ browser }) => {
    const alice = await newPerson(browser, true, "keys");
    const bob = await newPerson(browser, true, "named");
    const roomName = `Keys ${Date.now().toString(36)}`;
    const created = await alice.page.request.post("/api/rooms/create", { form: { name: roomName } });
    expect(created.ok()).toBeTruthy();
    const id = (await created.json()).id;
    expect((await bob.page.request.post("/api/rooms/join", { form: { room_id: id } })).ok()).toBeTruthy();
    await alice.page.goto(`/room/${id}`);
    await hydrated(alice.page, true);

    await say(alice.page, "fix me");
    const message = log(alice.page).locator("article.msg", { hasText: "fix me" });
    // In the page and in the accessibility tree without a hover, as a
    // screen reader or a test finds them.
    for (const name of ["Edit", "Delete", "Reply", "React"]) {
      await expect(message.getByRole("button", { name, exact: true })).toBeVisible();
    }
    // Keyboard focus shows them.
    await message.getByRole("button", { name: "Reply", exact: true }).focus();
    await expect(message.locator(".actions")).toHaveCSS("opacity", "1");
    await message.getByRole("button", { name: "Edit", exact: true }).click();
    await expect(message.getByRole("textbox", { name: "Edit message" })).toBeFocused();
    await alice.page.keyboard.type(" now");
    await alice.page.keyboard.press("Enter");
    await expect(message.getByText("fix me now")).toBeVisible();
    await expect(message.getByText("edited", { exact: true })).toBeVisible();

    await message.getByRole("button", { name: "Reply", exact: true }).click();
    const composer = alice.page.getByRole("textbox", { name: "Message", exact: true });
    await expect(composer).toBeFocused();
    // A name typed in full: Enter sends, though the list offers it.
    await composer.pressSequentially(`done, @${bob.name}`);
    await expect(alice.page.getByRole("option", { name: bob.name })).toBeVisible();
    await composer.press("Enter");
    const answer = log(alice.page).locator("article.msg", { hasText: "done," });
    await expect(answer.getByText(`Replying to ${alice.name}:`)).toBeVisible();
    await expect(answer).toContainText(`done, @${bob.name}`);
    await expect(composer).toHaveValue("");

    // Bob's entry for the room is named by the room alone, its badges
    // describing it.
    await bob.page.goto("/");
    const entry = bob.page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: roomName, exact: true });
    await expect(entry).toContainText("1 mention");
    await alice.context.close();
    await bob.context.close();
  });

  test("an admin is offered Delete on anyone's message in a public room", async ({ browser }) => {
    const bob = await newPerson(browser, true, "moderated");
    await hydrated(bob.page, true);
    const context = await browser.newContext();
    const page = await context.newPage();
    // CONFAB_ADMINS names e2eadmin (playwright.config.ts); a retry finds
    // the account made.
    const form = { username: "e2eadmin", password: "correct horse battery" };
    const made = await page.request.post("/api/register", { form });
    if (made.status() === 409) {
      expect((await page.request.post("/api/login", { form })).ok()).toBeTruthy();
    } else {
      expect(made.ok()).toBeTruthy();
    }
    const text = `moderate me ${Date.now().toString(36)}`;
    await say(bob.page, text);
    await expect(log(bob.page).getByText(text)).toBeVisible();
    await page.goto("/room/0");
    await hydrated(page, true);
    const message = log(page).locator("article.msg", { hasText: text });
    await expect(message.getByRole("button", { name: "Edit", exact: true })).toHaveCount(0);
    await message.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(log(bob.page).getByText(text)).toHaveCount(0);
    await context.close();
    await bob.context.close();
  });

  test("@ offers the room's members, picked with the keyboard or a click", async ({ browser }) => {
    const alice = await newPerson(browser, true, "pickera");
    const bob = await newPerson(browser, true, "pickerb");
    const id = await roomOfTwo(alice.page, bob.page, "Picks");
    const box = alice.page.getByLabel("Message", { exact: true });
    const list = alice.page.getByRole("listbox", { name: "People to mention" });
    const option = (who: string) => list.getByRole("option", { name: who });

    // Only this room's members, by name; the first is active.
    await box.pressSequentially("hi @Picker");
    await expect(list.getByRole("option")).toHaveText([alice.name, bob.name]);
    await expect(option(alice.name)).toHaveAttribute("aria-selected", "true");
    await expect(box).toHaveAttribute("aria-activedescendant", "mention-0");
    await expect(alice.page.locator(".composer [aria-live]")).toHaveText(/^2 people to mention/);
    // The list follows the caret: moved back into the name, Enter first
    // asks again, and picks (or sends) nothing.
    await box.press("ArrowLeft");
    await box.press("ArrowLeft");
    await box.press("Enter");
    await expect(box).toHaveValue("hi @Picker");
    await box.press("End");
    await box.press("Backspace");
    await box.pressSequentially("r");
    await expect(list.getByRole("option")).toHaveText([alice.name, bob.name]);
    // Arrows move (round the ends), Enter puts the name in.
    await box.press("ArrowDown");
    await expect(option(bob.name)).toHaveAttribute("aria-selected", "true");
    await box.press("ArrowDown");
    await box.press("ArrowUp");
    await expect(box).toHaveAttribute("aria-activedescendant", "mention-1");
    await box.press("Enter");
    await expect(list).toBeHidden();
    await expect(box).toHaveValue(`hi @${bob.name} `);

    // Escape closes it and keeps what was typed; Tab and a click pick too.
    await box.pressSequentially("and @pickera");
    await expect(list.getByRole("option")).toHaveText([alice.name]);
    await box.press("Escape");
    await expect(list).toBeHidden();
    await expect(box).toHaveValue(`hi @${bob.name} and @pickera`);
    await box.press("Backspace");
    await expect(option(alice.name)).toBeVisible();
    await option(alice.name).click();
    await expect(box).toHaveValue(`hi @${bob.name} and @${alice.name} `);
    await expect(box).toBeFocused();
    await box.pressSequentially("@nobody-here");
    await expect(list).toBeHidden();
    await box.press("Enter");

    // Sent as typed, naming both.
    await expect(box).toHaveValue("");
    const newest = async () => {
      const page = await alice.page.request.post("/api/messages", { form: { room_id: id } });
      return (await page.json()).at(-1);
    };
    await expect.poll(async () => (await newest())?.text).toBe(`hi @${bob.name} and @${alice.name} @nobody-here`);
    expect((await newest()).mentions).toHaveLength(2);
    await alice.context.close();
    await bob.context.close();
  });

  test("an answer of the @ list that comes late keeps the name the arrows chose", async ({ browser }) => {
    const alice = await newPerson(browser, true, "latea");
    const bob = await newPerson(browser, true, "lateb");
    await roomOfTwo(alice.page, bob.page, "Late");
    const box = alice.page.getByLabel("Message", { exact: true });
    const list = alice.page.getByRole("listbox", { name: "People to mention" });
    await box.pressSequentially("@lat");
    await expect(list.getByRole("option")).toHaveText([alice.name, bob.name]);
    // The next answer is held back until the arrows have moved.
    const held: Route[] = [];
    await alice.page.route("**/api/rooms/members", (route) => {
      held.push(route);
    });
    await box.pressSequentially("e");
    await expect.poll(() => held.length).toBeGreaterThan(0);
    await box.press("ArrowDown");
    await expect(list.getByRole("option", { name: bob.name })).toHaveAttribute("aria-selected", "true");
    // The list is written anew when the answer is shown.
    const shown = await list.getByRole("option").first().elementHandle();
    for (const route of held) await route.continue();
    await alice.page.unroute("**/api/rooms/members");
    await expect.poll(() => shown?.evaluate((option) => option.isConnected)).toBe(false);
    await expect(list.getByRole("option", { name: bob.name })).toHaveAttribute("aria-selected", "true");
    await box.press("Tab");
    await expect(box).toHaveValue(`@${bob.name} `);
    await alice.context.close();
    await bob.context.close();
  });

  test("a refused reaction is taken back, and the page says why", async ({ browser }) => {
    const alice = await newPerson(browser, true, "twenty");
    const name = `Full ${Date.now().toString(36)}`;
    const created = await alice.page.request.post("/api/rooms/create", { form: { name } });
    const id = (await created.json()).id;
    const sent = await alice.page.request.post("/api/messages/send", { form: { room_id: id, text: "react to me" } });
    const seq = String((await sent.json()).seq);
    // Twenty different emoji, none of the quick ones: as many as a message holds.
    const fruit = ["🍎", "🍐", "🍊", "🍋", "🍌", "🍉", "🍇", "🍓", "🍈", "🍒",
      "🍑", "🥭", "🍍", "🥥", "🥝", "🍅", "🍆", "🥑", "🥦", "🥬"];
    for (const emoji of fruit) {
      const reacted = await alice.page.request.post("/api/messages/react", { form: { room_id: id, seq, emoji, on: "true" } });
      expect(reacted.status()).toBe(200);
    }
    await alice.page.goto(`/room/${id}`);
    await hydrated(alice.page, true);
    const message = log(alice.page).locator("article.msg", { hasText: "react to me" });
    const chips = message.locator(".reactions button");
    await expect(chips).toHaveCount(20);
    await message.hover();
    await message.getByRole("button", { name: "React", exact: true }).click();
    await message.getByRole("button", { name: "React with 👍" }).click();
    // A 21st is refused: the chip shown at once goes, and the page says why.
    await expect(alice.page.getByRole("alert").filter({ hasText: "Not changed:" })).toBeVisible();
    await expect(chips).toHaveCount(20);
    await expect(message.getByRole("button", { name: /^👍/ })).toHaveCount(0);
    // Taking one of the twenty back is not refused, and clears the notice.
    await message.getByRole("button", { name: /^🍎/ }).click();
    await expect(chips).toHaveCount(19);
    await expect(alice.page.getByRole("alert").filter({ hasText: "Not changed:" })).toHaveCount(0);
    await alice.context.close();
  });

  test("a mention raises its own badge in the Rooms list until the room is read", async ({ browser }) => {
    const alice = await newPerson(browser, true, "namer");
    const bob = await newPerson(browser, true, "named");
    await hydrated(alice.page, true);
    await hydrated(bob.page, true);
    // Bob looks at a room of his own while alice names him in General.
    const rooms = bob.page.getByRole("navigation", { name: "Rooms" });
    const name = `Elsewhere ${Date.now().toString(36)}`;
    const created = await bob.page.request.post("/api/rooms/create", { form: { name } });
    expect(created.status()).toBe(200);
    const id = (await created.json()).id;
    await bob.page.goto(`/room/${id}`);
    await hydrated(bob.page, true);
    await say(alice.page, `@${bob.name} have a look`);
    const general = rooms.getByRole("link", { name: /General/ });
    await expect(general.getByText(/1 mention/)).toBeAttached();
    await general.click();
    await expect(log(bob.page).locator("[data-mention]")).toHaveCount(1);
    await expect(rooms.getByText(/mention/)).toHaveCount(0);
    await alice.context.close();
    await bob.context.close();
  });
});

test.describe("changing messages without JavaScript", () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled, "the plain forms are the JavaScript-off way");

  test("a message's Edit, React, Reply and Delete work as plain forms", async ({ browser }) => {
    const alice = await newPerson(browser, false, "plainer");
    const created = await alice.page.request.post("/api/rooms/create", { form: { name: `Plain ${Date.now().toString(36)}` } });
    expect(created.ok()).toBeTruthy();
    const id = (await created.json()).id;
    await alice.page.goto(`/room/${id}`);
    await alice.page.getByLabel("Message", { exact: true }).fill("a first draft");
    await alice.page.getByRole("button", { name: "Send" }).click();
    const message = log(alice.page).locator("article.msg", { hasText: "a first draft" });
    await expect(message).toBeVisible();

    // Edit opens the change panel, whose form saves.
    await message.getByRole("button", { name: "Edit", exact: true }).click();
    await alice.page.getByLabel("Text", { exact: true }).fill("a second draft");
    await alice.page.getByRole("button", { name: "Save" }).click();
    await expect(alice.page).toHaveURL(new RegExp(`/room/${id}#m1$`));
    const edited = log(alice.page).locator("article#m1");
    await expect(edited).toContainText("a second draft");
    await expect(edited.getByText("edited", { exact: true })).toBeVisible();

    // A refused edit says why and keeps what was typed.
    await edited.getByRole("button", { name: "Edit", exact: true }).click();
    await alice.page.getByLabel("Text", { exact: true }).fill("   ");
    await alice.page.getByRole("button", { name: "Save" }).click();
    const panel = alice.page.locator(".search-results");
    await expect(panel.getByRole("alert")).toContainText("A message needs some text");
    await expect(panel.getByLabel("Text", { exact: true })).toHaveValue("   ");

    await panel.getByRole("link", { name: "Close" }).click();

    // React opens the same panel, with the reactions.
    await edited.getByRole("button", { name: "React", exact: true }).click();
    await panel.getByRole("button", { name: "React with 🎉" }).click();
    await expect(edited.locator(".reactions")).toContainText("🎉");

    // Reply starts an answer in the message box; sending it sends the answer.
    await edited.getByRole("button", { name: "Reply", exact: true }).click();
    // (Without the script, the box does not know the author's name.)
    const replying = alice.page.locator(".replying");
    await expect(replying).toContainText("Replying to");
    await alice.page.getByLabel("Message", { exact: true }).fill("an answer");
    await alice.page.getByRole("button", { name: "Send" }).click();
    const answer = log(alice.page).locator("article.msg", { hasText: "an answer" });
    await expect(answer.getByText(`Replying to ${alice.name}:`)).toBeVisible();
    // The next message is no answer.
    await expect(replying).toHaveCount(0);

    // Delete posts at once.
    await edited.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(log(alice.page).getByText("Message deleted")).toBeVisible();
    await expect(log(alice.page).getByText("a second draft")).toHaveCount(0);
  });
});
