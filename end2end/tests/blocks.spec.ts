import { expect, test } from "@playwright/test";
import { hydrated, log, newPerson } from "./helpers";

test("a blocked person's messages are folded away and open on request (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const alice = await newPerson(browser, javaScriptEnabled, "blocker");
  const bob = await newPerson(browser, true, "blockee");
  const word = Date.now().toString(36);
  const created = await alice.page.request.post("/api/rooms/create", { form: { name: `Fold ${word}` } });
  expect(created.ok()).toBeTruthy();
  const room = (await created.json()).id as string;
  const joined = await bob.page.request.post("/api/rooms/join", { form: { room_id: room } });
  expect(joined.ok()).toBeTruthy();
  const send = async (page: typeof alice.page, text: string) => {
    const sent = await page.request.post("/api/messages/send", { form: { room_id: room, text } });
    expect(sent.ok(), await sent.text()).toBeTruthy();
  };
  await send(alice.page, `from alice ${word}`);
  await send(bob.page, `from bob ${word}`);
  const blocked = await alice.page.request.post("/api/users/block", { form: { username: bob.name } });
  expect(blocked.ok(), await blocked.text()).toBeTruthy();

  await alice.page.goto(`/room/${room}`);
  await hydrated(alice.page, javaScriptEnabled);
  const bobs = log(alice.page).locator("article", { hasText: `from bob ${word}` });
  const fold = bobs.locator("summary");
  await expect(fold).toHaveText("A message from someone you blocked");
  await expect(bobs.getByText(`from bob ${word}`)).toBeHidden();
  // The reader's own messages are as ever.
  await expect(log(alice.page).getByText(`from alice ${word}`)).toBeVisible();
  // Opened on request, with or without JavaScript.
  await fold.click();
  await expect(bobs.getByText(`from bob ${word}`)).toBeVisible();

  if (javaScriptEnabled) {
    // A message arriving live is folded as well.
    await send(bob.page, `live from bob ${word}`);
    const live = log(alice.page).locator("article", { hasText: `live from bob ${word}` });
    await expect(live.locator("summary")).toHaveText("A message from someone you blocked");
    await expect(live.getByText(`live from bob ${word}`)).toBeHidden();
  }
  // Unblocked, the next page shows them open.
  const bobId = (await (await bob.page.request.post("/api/me")).json()).id as string;
  const unblocked = await alice.page.request.post("/api/users/unblock", { form: { user_id: bobId } });
  expect(unblocked.ok(), await unblocked.text()).toBeTruthy();
  await alice.page.reload();
  await hydrated(alice.page, javaScriptEnabled);
  await expect(log(alice.page).locator("summary")).toHaveCount(0);
  await expect(log(alice.page).getByText(`from bob ${word}`, { exact: true })).toBeVisible();
});
