import { Browser, expect, Page } from "@playwright/test";

/** A username no other test uses. */
export function uniqueName(prefix = "u"): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Waits until the WASM bundle has taken over the page (no-op without JS). */
export async function hydrated(page: Page, javaScriptEnabled: boolean): Promise<void> {
  if (javaScriptEnabled) {
    await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  }
}

/** Creates an account through the signed-out form and lands in the chat. */
export async function signUp(page: Page, javaScriptEnabled: boolean, name = uniqueName()): Promise<string> {
  await page.goto("/");
  await hydrated(page, javaScriptEnabled);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
  return name;
}

/** A signed-in page in a fresh browser context. */
export async function newPerson(browser: Browser, javaScriptEnabled: boolean, prefix = "u") {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  const name = await signUp(page, javaScriptEnabled, uniqueName(prefix));
  return { context, page, name };
}

/** Sends a message through the composer. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/** The message log of the open room. */
export function log(page: Page) {
  return page.getByRole("log");
}

/** A new public room holding the messages `line 1` to `line {count}`, made
 * through the API with the page's session; returns its id. */
export async function roomWithLines(page: Page, name: string, count: number): Promise<string> {
  const created = await page.request.post("/api/rooms/create", { form: { name } });
  expect(created.ok()).toBeTruthy();
  const room = await created.json();
  for (let i = 1; i <= count; i++) {
    const sent = await page.request.post("/api/messages/send", { form: { room_id: room.id, text: `line ${i}` } });
    expect(sent.ok(), `line ${i}: ${sent.status()} ${await sent.text()}`).toBeTruthy();
  }
  return room.id;
}

/** Creates a public room through the room browser and waits until it is
 * open; returns its id (from the URL). Works with JavaScript on or off. */
export async function createRoom(page: Page, name: string): Promise<string> {
  // Browsing and creating load pages: a page that ran the script before
  // waits until the new one does too.
  const javaScriptEnabled = (await page.locator("body[data-hydrated]").count()) > 0;
  await page.getByRole("button", { name: "Browse rooms" }).click();
  await page.getByLabel("Room name").fill(name);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`#${name}`);
  await hydrated(page, javaScriptEnabled);
  return decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
}

/** A new public room of `owner`'s (named `prefix` and a stamp) that
 * `other` joined too, open and hydrated in the owner's page; returns its id. */
export async function roomOfTwo(owner: Page, other: Page, prefix: string): Promise<string> {
  const created = await owner.request.post("/api/rooms/create", { form: { name: `${prefix} ${Date.now().toString(36)}` } });
  expect(created.status()).toBe(200);
  const id = (await created.json()).id;
  expect((await other.request.post("/api/rooms/join", { form: { room_id: id } })).status()).toBe(200);
  await owner.goto(`/room/${id}`);
  await hydrated(owner, true);
  return id;
}
