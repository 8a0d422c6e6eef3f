// The conversation view as two agents use it: an HTML mail with an inline
// (cid:) image and a remote image that stays blocked until "Show images",
// a note, and each agent seeing the other viewing or replying. No page
// logs a JavaScript error or a CSP violation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEcp, launchBrowser, watchContext, screenshot } from './lib/harness.mjs';
import { stepper } from './lib/steps.mjs';
import { smtpAddrOf, sendMail, startMarker, createAccount, PNG_B64 } from './lib/mail.mjs';

const OWNER = { name: 'Olga Owner', email: 'olga@view.example', password: 'olga-long-password-1' };
const AGENT = { name: 'Ana Agent', email: 'ana@view.example', password: 'ana-long-password-1' };
const ADDRESS = 'help@view.example';

let ecp;
let browser;
let marker;

before(async () => {
  process.env.ECP_MAIL_AUTH = 'false';
  ecp = await startEcp({ label: 'view' });
  browser = await launchBrowser();
  marker = await startMarker();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
  await marker?.stop();
});

function htmlMail(remote) {
  return [
    'From: Carla Customer <carla@cust.example>',
    `To: ${ADDRESS}`,
    'Subject: Broken lamp (photos)',
    'Message-ID: <lamp-1@cust.example>',
    'Date: Mon, 2 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/related; boundary="rel"',
    '',
    '--rel',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Hello, my lamp arrived <b>broken</b>.</p>',
    '<p><img src="cid:photo1@cust.example" alt="inline photo" width="8" height="8"></p>',
    `<p><img src="${remote}/track.png" alt="remote photo" width="8" height="8"></p>`,
    '--rel',
    'Content-Type: image/png; name="photo.png"',
    'Content-ID: <photo1@cust.example>',
    'Content-Disposition: inline; filename="photo.png"',
    'Content-Transfer-Encoding: base64',
    '',
    PNG_B64,
    '--rel--',
    '',
  ].join('\r\n');
}

/// A short HTML mail: one paragraph.
function shortMail() {
  return [
    'From: Carla Customer <carla@cust.example>',
    `To: ${ADDRESS}`,
    'Subject: Thanks, solved',
    'Message-ID: <short-1@cust.example>',
    'Date: Mon, 2 Mar 2026 11:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Thanks, the new lamp works <b>fine</b>.</p>',
    '',
  ].join('\r\n');
}

/// The boxes of the thread column, the side panel and the first message
/// frame, once app.js has fitted the frame to its mail.
async function layoutBoxes(page) {
  await page.waitForFunction(() => {
    const f = document.querySelector('iframe.mail-frame');
    return f && f.style.height !== '';
  });
  return {
    thread: await page.locator('.conversation-thread').boundingBox(),
    panel: await page.getByRole('complementary', { name: 'Conversation actions' }).boundingBox(),
    frame: await page.locator('iframe.mail-frame').boundingBox(),
  };
}

/// The natural width of an image (found by its alt text: the sanitizer
/// drops ids) in the message frame; the frame keeps our
/// origin (see ui/message_body.rs), so the page can look inside.
async function frameImageWidth(page, id) {
  return page.evaluate((imgId) => {
    const f = document.querySelector('iframe.mail-frame');
    const img = f && f.contentDocument && f.contentDocument.querySelector(`img[alt="${imgId} photo"]`);
    return img ? { width: img.naturalWidth, src: img.getAttribute('src') } : null;
  }, id);
}

test('an HTML mail, a note and two agents on one conversation', async (t) => {
  const step = stepper(t);
  const ctxA = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watchA = await watchContext(ctxA);
  const page = await ctxA.newPage();
  page.setDefaultTimeout(15_000);
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  let conversationUrl = '';
  let mailboxId = 0;

  await step('the owner creates the account and an agent', async () => {
    mailboxId = await createAccount(page, ecp.baseUrl, { owner: OWNER, mailbox: 'Help', address: ADDRESS });
    await page.goto(ecp.baseUrl + '/settings/users/new');
    await page.getByLabel('Name', { exact: true }).fill(AGENT.name);
    await page.getByLabel('Email address (they sign in with it)').fill(AGENT.email);
    await page.getByLabel('Role').selectOption('administrator');
    await page.getByRole('radio', { name: /Set an initial password/ }).check();
    await page.getByLabel(/^Initial password/).fill(AGENT.password);
    await Promise.all([
      page.waitForURL(/\/settings\/users\?notice=user-added$/),
      page.getByRole('button', { name: 'Add user' }).click(),
    ]);
  });

  await step('an HTML mail arrives by SMTP and shows with its inline image', async () => {
    await sendMail(smtpAddrOf(ecp), 'carla@cust.example', ADDRESS, htmlMail(marker.origin));
    await page.goto(`${ecp.baseUrl}/mailboxes/${mailboxId}`);
    await page.getByRole('link', { name: 'Broken lamp (photos)' }).click();
    await page.waitForURL(/\/conversations\/\d+$/);
    conversationUrl = page.url();
    await page.waitForLoadState('load');
    const frame = page.locator('iframe.mail-frame');
    assert.equal(await frame.getAttribute('sandbox'), 'allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe.mail-frame');
      const img = f && f.contentDocument && f.contentDocument.querySelector('img[alt="inline photo"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    const inline = await frameImageWidth(page, 'inline');
    assert.equal(inline.width, 8, 'the cid image is shown');
    assert.match(inline.src, /^\/conversations\/\d+\/attachments\/\d+$/);
    const remote = await frameImageWidth(page, 'remote');
    assert.equal(remote.src, null, 'the remote image has no source yet');
    const text = await page.evaluate(() => document.querySelector('iframe.mail-frame').contentDocument.body.textContent);
    assert.match(text, /my lamp arrived broken/);
    assert.deepEqual(marker.hits, [], 'nothing was fetched from the remote host');
    await page.getByText('Remote images are blocked').waitFor();
    await screenshot(page, 'view-01-images-blocked');
  });

  await step('"Show images" loads the remote image', async () => {
    await page.getByRole('link', { name: 'Show images' }).click();
    await page.waitForURL(/\?images=\d+/);
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe.mail-frame');
      const img = f && f.contentDocument && f.contentDocument.querySelector('img[alt="remote photo"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    assert.deepEqual(marker.hits, ['/track.png']);
    await page.getByRole('link', { name: 'Block them again' }).waitFor();
    await screenshot(page, 'view-02-images-shown');
  });

  await step('a note is added in the rich editor and shown in the thread', async () => {
    await page.goto(conversationUrl);
    const editor = page.locator('.note-editor');
    await editor.click();
    await page.keyboard.type('Customer is a VIP, ');
    await page.getByRole('toolbar', { name: 'Note formatting' }).getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('refund today');
    await Promise.all([
      page.waitForURL(/#note-\d+$/),
      page.getByRole('button', { name: 'Add note' }).click(),
    ]);
    const note = page.locator('aside.note');
    await note.waitFor();
    assert.match(await note.textContent(), /Olga Owner[\s\S]*Customer is a VIP, refund today/);
    assert.equal(await note.locator('.note-body').locator('b, strong').first().textContent(), 'refund today');
    const bg = await note.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(255, 248, 214)', 'notes are yellow');
    await screenshot(page, 'view-03-note');
  });

  await step('a short mail gets a short frame; the panel stands beside the thread, below it when narrow', async () => {
    await sendMail(smtpAddrOf(ecp), 'carla@cust.example', ADDRESS, shortMail());
    await page.goto(`${ecp.baseUrl}/mailboxes/${mailboxId}`);
    await page.getByRole('link', { name: 'Thanks, solved' }).click();
    await page.waitForURL(/\/conversations\/\d+$/);
    await page.waitForLoadState('load');
    const wide = await layoutBoxes(page);
    assert.ok(wide.panel.x >= wide.thread.x + wide.thread.width - 1,
      `at 1280 px the panel is right of the thread: ${JSON.stringify(wide)}`);
    assert.ok(wide.panel.width >= 250 && wide.panel.width <= 330, `panel width ${wide.panel.width}`);
    assert.ok(wide.thread.width > 2 * wide.panel.width, 'the thread is the wide column');
    assert.ok(wide.frame.height < 200, `a one-paragraph mail's frame is ${wide.frame.height} px tall`);
    assert.ok(wide.frame.height >= 60, `the frame keeps its minimum: ${wide.frame.height} px`);
    // The frame shows all of the mail: nothing to scroll inside it.
    const inner = await page.evaluate(() => {
      const f = document.querySelector('iframe.mail-frame');
      return { client: f.contentDocument.documentElement.clientHeight, scroll: f.contentDocument.documentElement.scrollHeight };
    });
    assert.ok(inner.scroll <= inner.client, `the frame scrolls: ${JSON.stringify(inner)}`);
    await screenshot(page, 'view-06-short-mail-wide');

    await page.setViewportSize({ width: 700, height: 900 });
    await page.waitForFunction(() => {
      const t = document.querySelector('.conversation-thread').getBoundingClientRect();
      const p = document.querySelector('aside.conversation-panel').getBoundingClientRect();
      return p.top >= t.bottom - 1;
    });
    const narrow = await layoutBoxes(page);
    assert.ok(narrow.panel.y >= narrow.thread.y + narrow.thread.height - 1,
      `at 700 px the panel is below the thread: ${JSON.stringify(narrow)}`);
    assert.ok(narrow.frame.height < 200, `narrow, the frame is ${narrow.frame.height} px tall`);
    await screenshot(page, 'view-07-short-mail-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  const ctxB = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watchB = await watchContext(ctxB);
  const agent = await ctxB.newPage();
  agent.setDefaultTimeout(20_000);

  await step('another agent opens it and starts replying; each sees the other', async () => {
    await agent.goto(ecp.baseUrl + '/login');
    await agent.getByLabel('Email address').fill(AGENT.email);
    await agent.getByLabel('Password').fill(AGENT.password);
    await Promise.all([agent.waitForURL((u) => u.pathname === '/'), agent.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(conversationUrl);
    await agent.goto(conversationUrl);
    await agent.locator('#presence').getByText('Olga Owner is viewing').waitFor();
    await agent.locator('.reply-editor').click();
    await agent.keyboard.type('Hello Carla, a new lamp is on its way.');
    // Olga's page learns it at its next ping (every 15 s).
    await page.locator('#presence').getByText('Ana Agent is replying').waitFor({ timeout: 25_000 });
    await screenshot(page, 'view-04-presence');
  });

  await step('a reply sent meanwhile is noticed, and Users Online lists both', async () => {
    await Promise.all([
      agent.waitForURL(/#message-\d+$/),
      agent.getByRole('button', { name: 'Send', exact: true }).click(),
    ]);
    // Olga still has the old page: her next ping tells her.
    await page.locator('#presence').getByText('A new message arrived').waitFor({ timeout: 25_000 });
    await page.locator('.reply-editor').click();
    await page.keyboard.type('Sorry!');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Send', exact: true }).click(),
    ]);
    assert.equal(res.status(), 409);
    await page.getByText('Someone replied, or the customer wrote again').waitFor();
    await screenshot(page, 'view-05-collision');
    await page.goto(ecp.baseUrl + '/users/online');
    const list = page.locator('ul.users-online');
    assert.match(await list.textContent(), /Ana Agent[\s\S]*Olga Owner/);
  });

  await step('no dialogs, no JavaScript errors, no CSP violations', async () => {
    assert.deepEqual(dialogs, []);
    watchA.assertClean('(owner)');
    watchB.assertClean('(agent)');
  });
  await ctxA.close();
  await ctxB.close();
});
