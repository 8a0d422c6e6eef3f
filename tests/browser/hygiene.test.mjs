// Page hygiene on a fresh install: every page a person can reach (and the
// error and refusal pages they may run into) loads without a JavaScript
// error, an uncaught exception or a Content-Security-Policy violation, and
// can be screenshot; and signing in works with the keyboard alone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEcp, launchBrowser, watchContext, screenshot, pathOf } from './lib/harness.mjs';
import { stepper } from './lib/steps.mjs';

const OWNER = { name: 'Olga Owner', email: 'olga@hygiene.example', password: 'olga-long-password-1' };

let ecp;
let browser;

before(async () => {
  ecp = await startEcp({ label: 'hygiene' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
});

test('every page loads cleanly and can be screenshot', async (t) => {
  const step = stepper(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const watch = await watchContext(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  // No page of the product should need a dialog just by being opened.
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const shots = [];
  const visit = async (path, name, { status = 200 } = {}) => {
    const res = await page.goto(ecp.baseUrl + path);
    assert.equal(res.status(), status, `GET ${path}`);
    shots.push(await screenshot(page, `hygiene-${name}`));
  };
  const expectStatus = async (action, status, name) => {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST'),
      action(),
    ]);
    assert.equal(res.status(), status, `${name}: status`);
    await page.waitForLoadState('load');
    shots.push(await screenshot(page, `hygiene-${name}`));
  };
  let mailboxId = 0;
  let inviteLink = '';

  await step('the wizard, refusing an empty form, then creating the account', async () => {
    await visit('/signup', 'signup');
    await expectStatus(() => page.getByRole('button', { name: 'Create account' }).click(), 422, 'signup-errors');
    await page.getByText('Please correct the fields marked below.').waitFor();
    await page.getByLabel('Account name (your company or team)').fill('Hygiene Ltd');
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Your email address').fill(OWNER.email);
    await page.getByLabel('Password (at least 10 characters)').fill(OWNER.password);
    await page.getByRole('radio', { name: /Premium/ }).check();
    await page.getByLabel('Mailbox name, e.g. Support').fill('Help');
    await page.getByLabel(/^Mailbox email address/).fill('help@hygiene.example');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/'),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    shots.push(await screenshot(page, 'hygiene-home'));
    const href = await page.getByRole('main').getByRole('link', { name: 'Help' }).first().getAttribute('href');
    mailboxId = Number(href.split('/').pop());
    assert.ok(mailboxId > 0, href);
  });

  await step('the owner visits every page of the product', async () => {
    await visit(`/mailboxes/${mailboxId}`, 'mailbox');
    await visit('/settings', 'settings-redirect');
    assert.equal(pathOf(page), '/settings/mailboxes');
    await visit('/settings/mailboxes/new', 'mailbox-new');
    await visit(`/settings/mailboxes/${mailboxId}`, 'mailbox-edit');
    await visit(`/settings/mailboxes/${mailboxId}/delete`, 'mailbox-delete');
    await visit('/settings/users', 'users');
    await visit('/settings/users/new', 'user-new');
    await visit('/settings/options', 'options');
    await visit('/preferences', 'preferences');
  });

  await step('the workspace: My Mail, Recent Actions, search, saved searches, contacts, Users Online', async () => {
    await visit('/my-mail', 'my-mail');
    await visit('/activity', 'activity');
    await visit('/users/online', 'users-online');
    await visit('/contacts', 'contacts');
    await visit('/search', 'search');
    await visit('/search?q=nothing-like-this', 'search-nothing');
    await page.getByText('Nothing found.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Nothing at all');
    await Promise.all([
      page.waitForURL(/notice=search-saved/),
      page.getByRole('button', { name: 'Save this search' }).click(),
    ]);
    shots.push(await screenshot(page, 'hygiene-search-saved'));
    const saved = await page.locator('#saved-searches').getByRole('link', { name: 'Nothing at all' }).getAttribute('href');
    assert.match(saved, /^\/saved-searches\/\d+$/);
    await visit(saved, 'saved-search');
    await page.getByRole('heading', { level: 1, name: 'Nothing at all' }).waitFor();
  });

  await step('forms that refuse, and the pages they lead to', async () => {
    // A mailbox without a name or address.
    await visit('/settings/mailboxes/new', 'mailbox-new-again');
    await expectStatus(() => page.locator('#dialog-save').click(), 422, 'mailbox-new-errors');
    await page.getByText('Please correct the fields marked below').waitFor();
    // A user added with an invite link: the page with the link.
    await visit('/settings/users/new', 'user-new-invite');
    await page.getByLabel('Name', { exact: true }).fill('Ivan Invited');
    await page.getByLabel('Email address (they sign in with it)').fill('ivan@hygiene.example');
    await page.getByRole('radio', { name: /Send an invite link/ }).check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.waitForLoadState('load');
    inviteLink = await page.locator('input.secret[readonly]').first().inputValue();
    assert.match(inviteLink, /\/invite\/[^/]+$/);
    shots.push(await screenshot(page, 'hygiene-invite-link'));
    // The owner-transfer confirmation, cancelled.
    await visit('/settings/options', 'options-again');
    await page.getByRole('button', { name: /Make this person the account owner/ }).click();
    await page.waitForURL(/\/settings\/options\/owner$/);
    shots.push(await screenshot(page, 'hygiene-owner-confirm'));
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(/\/settings\/options$/);
  });

  await step('error pages', async () => {
    await visit('/settings/mailboxes/987654', 'mailbox-not-found', { status: 404 });
    await page.getByText('Error 404').waitFor();
    await visit('/conversations/987654', 'conversation-not-found', { status: 404 });
    await page.getByText('Error 404').waitFor();
  });

  await step('signed out: sign-in, its refusal, and the invite page', async () => {
    await page.goto(ecp.baseUrl + '/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?notice=signed-out$/);
    await page.getByText('You are signed out.').waitFor();
    shots.push(await screenshot(page, 'hygiene-signed-out'));
    await page.getByLabel('Email address').fill(OWNER.email);
    await page.getByLabel('Password').fill('not-the-password');
    await expectStatus(() => page.getByRole('button', { name: 'Sign in' }).click(), 401, 'login-refused');
    await page.locator('#login-error').waitFor();
    await visit(new URL(inviteLink).pathname, 'invite');
    await page.getByRole('heading').first().waitFor();
  });

  await step('every page was screenshot, with no JavaScript error or CSP violation', async () => {
    assert.ok(shots.length >= 20, `${shots.length} screenshots`);
    assert.deepEqual(dialogs, [], 'no page opened a dialog by itself');
    watch.assertClean();
  });

  await context.close();
});

test('an unknown address shows the product\'s own 404 page', async () => {
  const context = await browser.newContext();
  const watch = await watchContext(context);
  const page = await context.newPage();
  try {
    const res = await page.goto(ecp.baseUrl + '/no-such-page');
    assert.equal(res.status(), 404);
    await page.getByText('Error 404').waitFor({ timeout: 2000 });
    await screenshot(page, 'hygiene-unknown-address');
    watch.assertClean();
  } finally {
    await context.close();
  }
});

test('signing in works with the keyboard alone', async () => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  const watch = await watchContext(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(ecp.baseUrl + '/login');
  assert.equal(pathOf(page), '/login');

  // The address field has the focus from the start.
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'email');
  await page.keyboard.type(OWNER.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(OWNER.password);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el.tagName, text: el.textContent.trim(), outline: getComputedStyle(el).outlineStyle };
  });
  assert.deepEqual({ tag: focused.tag, text: focused.text }, { tag: 'BUTTON', text: 'Sign in' });
  assert.notEqual(focused.outline, 'none', 'the focused button shows a focus ring');
  await screenshot(page, 'keyboard-01-login-filled');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    page.keyboard.press('Enter'),
  ]);
  assert.equal(await page.locator('#logged-in-as').textContent(), OWNER.name);

  // From the top of the page, the first Tab reaches the skip link, and it
  // is visible while focused.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    return { text: el.textContent.trim(), left: r.left, width: r.width };
  });
  assert.equal(skip.text, 'Skip to content');
  assert.ok(skip.left >= 0 && skip.width > 0, `the skip link is on screen when focused: ${JSON.stringify(skip)}`);
  await screenshot(page, 'keyboard-02-signed-in');

  // And signing out too: Tab to "Sign out", press Enter.
  let found = false;
  for (let i = 0; i < 30 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement.textContent.trim() === 'Sign out');
  }
  assert.ok(found, 'Sign out can be reached with Tab');
  await Promise.all([page.waitForURL(/\/login\?notice=signed-out$/), page.keyboard.press('Enter')]);

  watch.assertClean();
  await context.close();
});
