import { expect, test } from "@playwright/test";
import { hydrated, newPerson } from "./helpers";

test("API tokens are made, shown once and revoked in the settings view (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const alice = await newPerson(browser, javaScriptEnabled, "tokens");
  const { page } = alice;
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await hydrated(page, javaScriptEnabled);
  await expect(page.getByText("You have no API tokens.")).toBeVisible();

  await page.getByLabel("Token name").fill("deploy bot");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  const shown = page.locator("code.token");
  await expect(shown).toHaveText(/^confab_[0-9a-f]{64}$/);
  const token = (await shown.textContent())!;
  const list = page.getByRole("list", { name: "API tokens" });
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list).toContainText("deploy bot");

  // The token works for a program, and is never shown again.
  const me = await page.request.post("/api/me", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
  expect(me.status()).toBe(200);
  await page.reload();
  await expect(page.locator("code.token")).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  await list.getByRole("button", { name: "Revoke deploy bot" }).click();
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  const refused = await page.request.post("/api/me", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
  expect(refused.status()).toBe(401);
});

test("the maker deletes a room from the settings view, once the box is ticked (with or without JavaScript)", async ({ browser, javaScriptEnabled }) => {
  const alice = await newPerson(browser, javaScriptEnabled, "deleter");
  const { page } = alice;
  const name = `Scratch ${Date.now().toString(36)}`;
  const made = await page.request.post("/api/rooms/create", { form: { name } });
  expect(made.ok()).toBeTruthy();
  await page.goto("/settings");
  await hydrated(page, javaScriptEnabled);
  const rooms = page.getByRole("list", { name: "Rooms you made" });
  const remove = rooms.getByRole("button", { name: `Delete ${name}` });
  // Not without the confirming box: the browser will not send the form.
  const box = rooms.getByRole("checkbox");
  expect(await box.evaluate((e) => (e as HTMLInputElement).validity.valueMissing)).toBe(true);
  await box.check();
  await remove.click();
  await expect(page.getByText("You have made no rooms.")).toBeVisible();
  const left = await page.request.post("/api/rooms", {});
  expect((await left.json()).map((r: { name: string }) => r.name)).not.toContain(name);
  await alice.context.close();
});
