import { expect, test } from "@playwright/test";
import { hydrated, log, newPerson } from "./helpers";

test("a search finds a message and opens its room at it (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const alice = await newPerson(browser, javaScriptEnabled, "seeker");
  const word = `zq${Date.now().toString(36)}`;
  // A room of its own, with the message far back in its history.
  const created = await alice.page.request.post("/api/rooms/create", { form: { name: `Search ${word}` } });
  expect(created.ok()).toBeTruthy();
  const room = await created.json();
  const send = async (text: string) => {
    const sent = await alice.page.request.post("/api/messages/send", { form: { room_id: room.id, text } });
    expect(sent.ok(), await sent.text()).toBeTruthy();
    return (await sent.json()).seq as number;
  };
  const target = await send(`the Café ${word}alpha release <b>notes</b>`);
  for (let i = 0; i < 80; i++) await send(`filler ${i}`);
  await alice.page.reload();
  await hydrated(alice.page, javaScriptEnabled);

  const box = alice.page.getByRole("searchbox", { name: "Search messages" });
  if (javaScriptEnabled) {
    // The keyboard shortcut puts the cursor in the box.
    await alice.page.keyboard.press("/");
    await expect(box).toBeFocused();
  }
  // No accent, another case, the last word unfinished.
  await box.fill(`CAFE ${word}al`);
  if (javaScriptEnabled) {
    // The results come while typing, before Enter.
    const typing = alice.page.getByRole("list", { name: "Search results" });
    await expect(typing.getByRole("listitem")).toHaveCount(1);
    await expect(typing.getByRole("listitem").first().locator("mark")).toHaveText(["Café", `${word}alpha`]);
    expect(new URL(alice.page.url()).pathname).not.toBe("/search");
    // Typing on to a word no message has: nothing matches.
    await box.fill(`CAFE ${word}alx`);
    await expect(alice.page.getByText("No messages match.")).toBeVisible();
    await box.fill(`CAFE ${word}al`);
    await expect(typing.getByRole("listitem")).toHaveCount(1);
  }
  await box.press("Enter");
  await expect(alice.page).toHaveURL(/\/search\?q=/);
  await hydrated(alice.page, javaScriptEnabled);
  const results = alice.page.getByRole("list", { name: "Search results" });
  await expect(results.getByRole("listitem")).toHaveCount(1);
  const hit = results.getByRole("listitem").first();
  await expect(hit).toContainText(`Search ${word}`);
  await expect(hit).toContainText(alice.name);
  // The matching words are marked, and markup stays text.
  await expect(hit.locator("mark")).toHaveText(["Café", `${word}alpha`]);
  await expect(hit).toContainText("<b>notes</b>");
  await expect(box).toHaveValue(`CAFE ${word}al`);

  await hit.getByRole("link").click();
  await expect(alice.page).toHaveURL(new RegExp(`/room/${room.id}\\?before=${target + 1}#m${target}$`));
  await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText(`#Search ${word}`);
  const message = log(alice.page).locator(`#m${target}`);
  if (javaScriptEnabled) {
    // The newer messages arrive below without pulling the page away.
    await expect(log(alice.page).getByText("filler 79", { exact: true })).toBeAttached();
    await expect(alice.page.getByRole("button", { name: "Jump to newest" })).toBeVisible();
  }
  await expect(message).toBeInViewport();
  await expect(message).toContainText(`${word}alpha release`);
  await expect(alice.page.getByRole("list", { name: "Search results" })).toHaveCount(0);
});

test("a search that finds nothing says so", async ({ browser, javaScriptEnabled }) => {
  const bob = await newPerson(browser, javaScriptEnabled, "finder");
  const box = bob.page.getByRole("searchbox", { name: "Search messages" });
  await box.fill(`nothing${Date.now().toString(36)}`);
  await box.press("Enter");
  await expect(bob.page.getByText("No messages match.")).toBeVisible();
  await bob.page.getByRole("link", { name: "Close", exact: true }).click();
  await expect(bob.page.getByText("No messages match.")).toHaveCount(0);
});
