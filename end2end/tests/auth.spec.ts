import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueName } from "./helpers";

test("create an account, stay signed in across a reload, sign out", async ({ page, javaScriptEnabled }) => {
  const name = await signUp(page, javaScriptEnabled);
  await page.reload();
  await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
  await hydrated(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Username")).toBeVisible();
});

test("sign in with an existing account", async ({ page, browser, javaScriptEnabled }) => {
  const name = await signUp(page, javaScriptEnabled);
  const other = await browser.newContext({ javaScriptEnabled });
  const second = await other.newPage();
  await second.goto("/");
  await hydrated(second, javaScriptEnabled);
  await second.getByLabel("Username").fill(name.toUpperCase());
  await second.getByLabel("Password").fill("correct horse battery");
  await second.getByRole("button", { name: "Sign in" }).click();
  await expect(second.getByText(`Signed in as ${name}`)).toBeVisible();
  await other.close();
});

test("a wrong password is refused in words", async ({ page, javaScriptEnabled }) => {
  const name = await signUp(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
});

test("a taken username is refused in words", async ({ page, browser, javaScriptEnabled }) => {
  const name = await signUp(page, javaScriptEnabled, uniqueName("taken"));
  const other = await browser.newContext({ javaScriptEnabled });
  const second = await other.newPage();
  await second.goto("/");
  await hydrated(second, javaScriptEnabled);
  await second.getByLabel("Username").fill(name);
  await second.getByLabel("Password").fill("another password");
  await second.getByRole("button", { name: "Create account" }).click();
  await expect(second.getByRole("alert")).toContainText("That username is taken");
  await other.close();
});
