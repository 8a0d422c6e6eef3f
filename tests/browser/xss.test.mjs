// Hostile mail: known XSS vectors arrive by SMTP as HTML bodies, text
// bodies, subjects, sender names and attachment names. Every page that
// shows them is opened in Chromium: no dialog opens, no script of theirs
// runs (no console error, no CSP violation), no request leaves for another
// host (all are intercepted and counted, and a local "remote" server
// counts what would slip past), and every message frame is sandboxed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEcp, launchBrowser, watchContext, screenshot } from './lib/harness.mjs';
import { stepper } from './lib/steps.mjs';
import { smtpAddrOf, sendMail, startMarker, createAccount } from './lib/mail.mjs';

const OWNER = { name: 'Xena Owner', email: 'xena@xss.example', password: 'xena-long-password-1' };
const ADDRESS = 'help@xss.example';

// M is the "remote" marker server: a vector that manages to fetch anything
// reaches it (or is caught by the interception first).
const VECTORS = (M) => [
  '<script>alert(1)</script>',
  `<script src="${M}/s.js"></script>`,
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  `<img src=x onerror="alert(1)">`,
  `<img src=x onerror="new Image().src='${M}/onerror'">`,
  '<img src="javascript:alert(1)">',
  '<img src="jav&#x09;ascript:alert(1)">',
  '<img src="jav&#x0A;ascript:alert(1)">',
  '<img """><script>alert(1)</script>">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">click</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
  '<a href="&#x6A;avascript:alert(1)">click</a>',
  '<a href=" &#14; javascript:alert(1)">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  `<svg><image href="${M}/svgimage" /></svg>`,
  '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<math href="javascript:alert(1)">CLICK</math>',
  `<iframe src="${M}/iframe"></iframe>`,
  '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
  '<iframe src="javascript:alert(1)"></iframe>',
  `<object data="${M}/object"></object>`,
  `<embed src="${M}/embed">`,
  `<meta http-equiv="refresh" content="0;url=${M}/refresh">`,
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  `<base href="${M}/base/"><img src="rel.png">`,
  `<link rel=stylesheet href="${M}/link.css">`,
  `<style>@import '${M}/import.css';</style>`,
  `<style>body{background:url(${M}/style-url)}</style>`,
  '<div style="width: expression(alert(1))">x</div>',
  `<div style="background-image: url(${M}/inline-style)">x</div>`,
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<div style="-moz-binding: url(http://x.test/xss.xml#xss)">x</div>',
  '<div style="wi\\dth: ex\\pression(alert(1))">x</div>',
  `<form action="${M}/form"><input name=p><button>go</button></form>`,
  '<form><button formaction="javascript:alert(1)">go</button></form>',
  '<body onload=alert(1)>',
  '<p onclick=alert(1) onmouseover=alert(1)>hover</p>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror=alert(1)></video>',
  `<video poster="${M}/poster"></video>`,
  '<audio src=x onerror=alert(1)>',
  `<table background="${M}/table-bg"><tr><td>x</td></tr></table>`,
  `<img srcset="${M}/srcset 1x">`,
  `<picture><source srcset="${M}/picture"><img></picture>`,
  '<input autofocus onfocus=alert(1)>',
  '<marquee onstart=alert(1)>x</marquee>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<template><script>alert(1)</script></template>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<style><img src="</style><img src=x onerror=alert(1)//">',
  '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
  '<a href="#" target="_self" rel="opener" onclick="alert(1)">x</a>',
  '"><script>alert(1)</script>',
  "'-alert(1)-'",
  '{{constructor.constructor(\'alert(1)\')()}}',
  '<isindex type=image src=1 onerror=alert(1)>',
  `<img src="${M}/plain-remote">`,
];

/// RFC 2047 encoded words (UTF-8, base64) carrying `s` exactly, folded.
function encodedWords(s) {
  const bytes = Buffer.from(s, 'utf8');
  const words = [];
  for (let i = 0; i < bytes.length; i += 30) {
    words.push(`=?utf-8?B?${bytes.subarray(i, i + 30).toString('base64')}?=`);
  }
  return words.join('\r\n ');
}

function hostileMail(n, v) {
  const b64 = (s) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: ${encodedWords(`${v} ${n}`)} <sender${n}@cust.example>`,
    `To: ${ADDRESS}`,
    `Subject: ${encodedWords(`#${n} ${v}`)}`,
    `Message-ID: <xss-${n}@cust.example>`,
    'Date: Mon, 2 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mix"',
    '',
    '--mix',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(`Plain #${n}: ${v}`),
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(`<p>Vector #${n}</p>${v}<p>end</p>`),
    '--alt--',
    '--mix',
    'Content-Type: text/html',
    `Content-Disposition: attachment; filename*=utf-8''${encodeURIComponent(`${v}.html`).replace(/'/g, '%27')}`,
    'Content-Transfer-Encoding: base64',
    '',
    b64(v),
    '--mix--',
    '',
  ].join('\r\n');
}

// A text-only mail per vector as well: the plain-text view's escaping and
// link making.
function textMail(n, v) {
  return [
    `From: Text Sender <text${n}@cust.example>`,
    `To: ${ADDRESS}`,
    `Subject: Text ${n}`,
    `Message-ID: <xss-text-${n}@cust.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(`${v}\nhttp://x.test/"onmouseover="alert(1) ${v}`, 'utf8').toString('base64'),
    '',
  ].join('\r\n');
}

let ecp;
let browser;
let marker;

before(async () => {
  process.env.ECP_MAIL_AUTH = 'false';
  ecp = await startEcp({ label: 'xss' });
  browser = await launchBrowser();
  marker = await startMarker();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
  await marker?.stop();
});

test('hostile mail runs no script and fetches nothing remote', async (t) => {
  const step = stepper(t);
  const vectors = VECTORS(marker.origin);
  assert.ok(vectors.length >= 50, `${vectors.length} vectors`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watch = await watchContext(context);
  const remote = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(ecp.baseUrl + '/')) return route.continue();
    remote.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(`${page.url()}: ${d.message()}`); await d.dismiss(); });
  let mailboxId = 0;
  const conversations = [];

  await step(`${vectors.length} vectors arrive by SMTP in every part of a mail`, async () => {
    mailboxId = await createAccount(page, ecp.baseUrl, { owner: OWNER, mailbox: 'Help', address: ADDRESS });
    const smtp = smtpAddrOf(ecp);
    for (const [i, v] of vectors.entries()) {
      await sendMail(smtp, `sender${i}@cust.example`, ADDRESS, hostileMail(i, v));
      await sendMail(smtp, `text${i}@cust.example`, ADDRESS, textMail(i, v));
    }
  });

  await step('the mailbox list, every page of it', async () => {
    let url = `${ecp.baseUrl}/mailboxes/${mailboxId}`;
    while (url) {
      await page.goto(url);
      for (const a of await page.locator('a[href^="/conversations/"]').all()) {
        conversations.push(await a.getAttribute('href'));
      }
      const older = page.getByRole('link', { name: 'Older conversations' });
      url = (await older.count()) ? new URL(await older.getAttribute('href'), ecp.baseUrl).href : '';
    }
    assert.equal(new Set(conversations).size, vectors.length * 2, 'every mail became a conversation');
    await screenshot(page, 'xss-01-mailbox');
  });

  await step('every conversation, its message frame and its source', async () => {
    let frames = 0;
    for (const [i, href] of [...new Set(conversations)].entries()) {
      await page.goto(ecp.baseUrl + href);
      await page.waitForLoadState('load');
      const info = await page.evaluate(() => ({
        frames: [...document.querySelectorAll('iframe')].map((f) => f.getAttribute('sandbox')),
        scripts: [...document.scripts].map((s) => s.getAttribute('src')),
        handlers: [...document.querySelectorAll('*')].flatMap((el) =>
          [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`)),
      }));
      for (const s of info.frames) {
        assert.equal(s, 'allow-same-origin allow-popups allow-popups-to-escape-sandbox', `${href}: frame sandbox`);
      }
      frames += info.frames.length;
      assert.deepEqual(info.scripts, ['/static/app.js'], `${href}: only our script`);
      assert.deepEqual(info.handlers, [], `${href}: no event handler attributes`);
      if (i === 0) await screenshot(page, 'xss-02-conversation');
    }
    assert.ok(frames >= vectors.length, `${frames} message frames checked`);
  });

  await step('each message document opened on its own, and the source as text', async () => {
    let opened = 0;
    for (const href of [...new Set(conversations)].slice(0, 40)) {
      await page.goto(ecp.baseUrl + href);
      const srcs = await page.evaluate(() => [...document.querySelectorAll('iframe.mail-frame')].map((f) => f.getAttribute('src')));
      const sources = await page.evaluate(() => [...document.querySelectorAll('a[href$="/source.txt"]')].map((a) => a.getAttribute('href')));
      for (const src of [...srcs, ...sources]) {
        const res = await page.goto(ecp.baseUrl + src);
        assert.equal(res.status(), 200, src);
        assert.equal(res.headers()['x-content-type-options'], 'nosniff', src);
        assert.match(res.headers()['content-security-policy'], /^(default-src 'none'|sandbox)/, src);
        opened += 1;
      }
    }
    assert.ok(opened >= 40, `${opened} documents opened`);
  });

  await step('nothing ran, nothing was fetched from elsewhere', async () => {
    assert.deepEqual(dialogs, [], 'no dialog opened');
    assert.deepEqual(remote, [], 'no request left for another host');
    assert.deepEqual(marker.hits, [], 'the marker server saw nothing');
    watch.assertClean();
  });
  await context.close();
});
