// A new team's first minutes, as a person would do them in Chromium, with
// real clicks and typing: the New Account Wizard on a fresh install (Standard
// plan, so per-mailbox permissions apply), Account & Tools, a new user with
// an initial password, a mailbox only that user and the administrators may
// see, with a signature made with the formatting toolbar; then the owner
// hands the account to the new user, is logged out, and the new owner signs
// in. No JavaScript error and no CSP violation on any page on the way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEcp, launchBrowser, watchContext, screenshot, pathOf } from './lib/harness.mjs';
import { stepper } from './lib/steps.mjs';

const OWNER = { name: 'Ada Owner', email: 'ada@acme.example', password: 'ada-correct-horse-42' };
const AGENT = { name: 'Bea Agent', email: 'bea@acme.example', password: 'bea-battery-staple-7' };
const LINK = 'https://help.acme.example/hours';

let ecp;
let browser;

before(async () => {
  ecp = await startEcp({ label: 'onboarding' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
});

test('a new team signs up, adds a user and a mailbox, and hands the account over', async (t) => {
  const step = stepper(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watch = await watchContext(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  // The signature editor's Link button asks for the address with prompt().
  const dialogs = [];
  page.on('dialog', async (d) => {
    dialogs.push({ type: d.type(), message: d.message(), defaultValue: d.defaultValue() });
    if (d.type() === 'prompt') await d.accept(LINK);
    else await d.dismiss();
  });
  let mailboxPath = '';

  await step('the first visit opens the New Account Wizard', async () => {
    await page.goto(ecp.baseUrl + '/');
    assert.equal(pathOf(page), '/signup');
    await page.getByRole('heading', { name: 'New Account Wizard' }).waitFor();
    await screenshot(page, 'onboarding-01-wizard');
  });

  await step('the wizard creates the account on the Standard plan', async () => {
    await page.getByLabel('Account name (your company or team)').fill('Acme Support Co');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Your name').click();
    await page.keyboard.type(OWNER.name);
    await page.getByLabel('Your email address').fill(OWNER.email);
    await page.getByLabel('Password (at least 10 characters)').fill(OWNER.password);
    await page.getByRole('radio', { name: /Standard/ }).check();
    await page.getByLabel('Mailbox name, e.g. Support').fill('Support');
    await page.getByLabel(/^Mailbox email address/).fill('support@acme.example');
    await screenshot(page, 'onboarding-02-wizard-filled');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/'),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    await page.getByText('Welcome! Your account is ready.').waitFor();
    assert.equal(await page.locator('#logged-in-as').textContent(), OWNER.name);
    await page.getByRole('main').getByRole('link', { name: 'Support' }).first().waitFor();
    await screenshot(page, 'onboarding-03-home');
  });

  await step('Account & Tools: add a user with an initial password', async () => {
    await page.getByRole('link', { name: 'Account & Tools' }).click();
    await page.waitForURL(/\/settings\/mailboxes$/);
    await page.getByRole('heading', { name: 'Account & Tools' }).waitFor();
    await screenshot(page, 'onboarding-04-account-tools');
    await page.getByRole('navigation', { name: /Account & Tools sections/ }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/settings\/users$/);
    await page.getByRole('link', { name: 'Add user' }).click();
    await page.waitForURL(/\/settings\/users\/new$/);
    await page.getByLabel('Name', { exact: true }).fill(AGENT.name);
    await page.getByLabel('Email address (they sign in with it)').fill(AGENT.email);
    await page.getByLabel('Role').selectOption('user');
    await page.getByRole('radio', { name: /Set an initial password/ }).check();
    await page.getByLabel(/^Initial password/).fill(AGENT.password);
    await screenshot(page, 'onboarding-05-add-user');
    await Promise.all([
      page.waitForURL(/\/settings\/users\?notice=user-added$/),
      page.getByRole('button', { name: 'Add user' }).click(),
    ]);
    await page.getByText('The user was added').waitFor();
    const row = page.getByRole('row', { name: new RegExp(AGENT.name) });
    await row.waitFor();
    assert.match(await row.textContent(), /bea@acme\.example[\s\S]*User[\s\S]*Active/);
    await screenshot(page, 'onboarding-06-users');
  });

  await step('add a mailbox with a permission and a formatted signature', async () => {
    await page.getByRole('navigation', { name: /Account & Tools sections/ }).getByRole('link', { name: 'Mailboxes' }).click();
    await page.waitForURL(/\/settings\/mailboxes$/);
    await page.getByRole('link', { name: 'Add mailbox' }).click();
    await page.waitForURL(/\/settings\/mailboxes\/new$/);
    await page.getByLabel('Mailbox name, as shown in the mailbox list').fill('Sales');
    await page.getByLabel('Mailbox email address', { exact: true }).fill('sales-inbox@acme.example');

    // Permissions: the owner (an administrator) is bold, checked and fixed.
    const ownerBox = page.getByRole('checkbox', { name: new RegExp(OWNER.name) });
    assert.equal(await ownerBox.isChecked(), true, 'the owner is always included');
    assert.equal(await ownerBox.isDisabled(), true, "the owner's checkbox can't be unchecked");
    await page.locator('#section-permissions strong.admin-name', { hasText: OWNER.name }).waitFor();
    const agentBox = page.getByRole('checkbox', { name: new RegExp(AGENT.name) });
    assert.equal(await agentBox.isChecked(), false);
    await agentBox.check();

    // The signature, with the toolbar: bold, a list item, a link.
    const editor = page.getByRole('textbox', { name: 'Mailbox signature', exact: true });
    await editor.click();
    await page.keyboard.type('Acme Sales Team');
    await page.keyboard.press('Shift+Home');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.press('End');
    await page.getByRole('button', { name: 'Bold' }).click(); // typing goes on in plain text
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Bulleted list' }).click();
    await page.keyboard.type('Open 9 to 5, Monday to Friday');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Help center');
    await page.keyboard.press('Shift+Home');
    await page.getByRole('button', { name: 'Link' }).click();
    assert.equal(dialogs.length, 1, 'the Link button asks for the address');
    assert.equal(dialogs[0].type, 'prompt');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // out of the list
    // Markup typed as text stays text.
    await page.keyboard.type('<script>window.__typed = 1</script>');
    // Markup in the HTML the form submits (a paste from elsewhere, a
    // hand-made request) must not survive the server's sanitizer either. It
    // goes into the textarea after the editor's own submit handler has
    // mirrored it, so it never becomes live DOM on this page.
    await page.locator('#mailbox-form').evaluate((form) => {
      form.addEventListener('submit', () => {
        form.querySelector('textarea[name=signature_html]').value +=
          '<p>pasted<script>window.__pwned = 1</script>'
          + '<a href="javascript:window.__pwned=2">evil link</a>'
          + '<span onclick="window.__pwned=3">click me</span>'
          + '<img src="https://tracker.example/p.gif" onerror="window.__pwned=4"></p>';
      });
    });
    const before = await editor.innerHTML();
    assert.match(before, /<(b|strong)>Acme Sales Team<\/(b|strong)>/, `bold in the editor: ${before}`);
    assert.match(before, /<li>[^<]*Open 9 to 5/, `list item in the editor: ${before}`);
    assert.match(before, new RegExp(`<a href="${LINK}">Help center</a>`), `link in the editor: ${before}`);
    // The hidden textarea the form submits mirrors the editor.
    assert.equal(await page.locator('textarea#signature_html').inputValue(), before);
    await screenshot(page, 'onboarding-07-new-mailbox');

    // Save with the dialog's Save button at the top.
    await Promise.all([
      page.waitForURL(/\/settings\/mailboxes\/\d+\?notice=mailbox-created$/),
      page.locator('#dialog-save').click(),
    ]);
    mailboxPath = new URL(page.url()).pathname;
    await page.getByText('The mailbox was added.').waitFor();
    await screenshot(page, 'onboarding-08-mailbox-saved');
  });

  await step('after a reload the mailbox kept its permission and its signature, safely', async () => {
    await page.goto(ecp.baseUrl + mailboxPath);
    await page.getByRole('heading', { name: /Mailbox .Sales./ }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: new RegExp(AGENT.name) }).isChecked(), true,
      `${AGENT.name} may still see the mailbox`);
    assert.equal(await page.getByRole('checkbox', { name: new RegExp(OWNER.name) }).isChecked(), true);

    const stored = await page.locator('textarea#signature_html').inputValue();
    assert.match(stored, /<(b|strong)>Acme Sales Team<\/(b|strong)>/, `bold kept: ${stored}`);
    assert.match(stored, /<ul>[\s\S]*<li>[^<]*Open 9 to 5[\s\S]*<\/ul>/, `list kept: ${stored}`);
    assert.match(stored, new RegExp(`<a href="${LINK.replace(/[.]/g, '\\.')}"[^>]*>Help center</a>`), `link kept: ${stored}`);
    assert.doesNotMatch(stored, /<script/i, `no script element: ${stored}`);
    assert.doesNotMatch(stored, /javascript:/i, `no javascript: URL: ${stored}`);
    assert.doesNotMatch(stored, /onclick/i, `no event handler: ${stored}`);
    assert.match(stored, /pasted/, 'the harmless text around it stays');

    const editor = page.getByRole('textbox', { name: 'Mailbox signature', exact: true });
    assert.equal(await editor.locator('script').count(), 0);
    assert.equal(await editor.locator('b, strong').first().textContent(), 'Acme Sales Team');
    assert.equal(await editor.locator('li').first().textContent(), 'Open 9 to 5, Monday to Friday');
    assert.equal(await editor.locator('a').first().getAttribute('href'), LINK);
    assert.deepEqual(await page.evaluate(() => [window.__pwned, window.__typed]), [undefined, undefined]);
    await screenshot(page, 'onboarding-09-mailbox-reloaded');
  });

  await step('Account Options: transfer ownership, with a confirmation step', async () => {
    await page.getByRole('navigation', { name: /Account & Tools sections/ }).getByRole('link', { name: 'Account Options' }).click();
    await page.waitForURL(/\/settings\/options$/);
    await page.getByRole('heading', { name: 'Account owner' }).waitFor();
    const picker = page.getByLabel('New owner');
    const options = await picker.locator('option').allTextContents();
    const choice = options.find((o) => o.startsWith(AGENT.name));
    assert.ok(choice, `${AGENT.name} is offered as the new owner: ${options.join(', ')}`);
    await picker.selectOption({ label: choice });
    await screenshot(page, 'onboarding-10-options');
    await Promise.all([
      page.waitForURL(/\/settings\/options\/owner$/),
      page.getByRole('button', { name: /Make this person the account owner/ }).click(),
    ]);
    await page.getByRole('heading', { name: `Make ${AGENT.name} the account owner?` }).waitFor();
    await screenshot(page, 'onboarding-11-owner-confirm');
    await Promise.all([
      page.waitForURL(/\/login\?notice=owner-transferred$/),
      page.getByRole('button', { name: `Yes, make ${AGENT.name} the owner and log me out` }).click(),
    ]);
  });

  await step('the old owner is logged out, with a notice', async () => {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Ownership was transferred. Sign in again').waitFor();
    assert.equal(await page.locator('#logged-in-as').count(), 0, 'nobody is signed in');
    await screenshot(page, 'onboarding-12-logged-out');
    // The old session is gone for good.
    await page.goto(ecp.baseUrl + '/settings/mailboxes');
    assert.match(pathOf(page), /^\/login/);
  });

  await step('the new owner signs in and has Account Options', async () => {
    await page.goto(ecp.baseUrl + '/login');
    await page.getByLabel('Email address').fill(AGENT.email);
    await page.getByLabel('Password').fill(AGENT.password);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.equal(await page.locator('#logged-in-as').textContent(), AGENT.name);
    assert.match(await page.locator('.who').textContent(), new RegExp(`Logged in as\\s+${AGENT.name}`));
    // Both mailboxes: the owner sees everything.
    await page.getByRole('main').getByRole('link', { name: 'Sales' }).first().waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Support' }).first().waitFor();
    await screenshot(page, 'onboarding-13-new-owner-home');
    await page.getByRole('link', { name: 'Account & Tools' }).click();
    await page.waitForURL(/\/settings\/mailboxes$/);
    await page.getByRole('navigation', { name: /Account & Tools sections/ }).getByRole('link', { name: 'Account Options' }).click();
    await page.waitForURL(/\/settings\/options$/);
    await page.getByRole('heading', { name: 'Account Options' }).waitFor();
    // The old owner is an administrator now, and could be handed the account back.
    const options = await page.getByLabel('New owner').locator('option').allTextContents();
    assert.ok(options.some((o) => o.startsWith(OWNER.name) && /administrator/i.test(o)),
      `${OWNER.name} is now an administrator: ${options.join(', ')}`);
    await screenshot(page, 'onboarding-14-new-owner-options');
  });

  await step('no JavaScript error or CSP violation on any page visited', async () => {
    assert.ok(watch.visited.size >= 10, `pages visited: ${[...watch.visited].join(', ')}`);
    watch.assertClean();
  });

  await context.close();
});
