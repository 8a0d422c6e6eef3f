// Email Center Pro: the little script the pages need. No framework.
(function () {
  "use strict";

  // "Go back" links on error pages.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (history.length > 1) { e.preventDefault(); history.back(); }
    });
  });

  // Buttons that need a second thought: data-confirm="question".
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });

  // Sliders that show their value: data-range-output="id of an <output>".
  document.querySelectorAll("input[type=range][data-range-output]").forEach(function (r) {
    var out = document.getElementById(r.getAttribute("data-range-output"));
    if (!out) { return; }
    r.addEventListener("input", function () { out.textContent = r.value; });
  });

  // Read-only fields holding something to copy (invite links, new tokens):
  // selected on focus so Ctrl+C is all it takes.
  document.querySelectorAll("input.secret[readonly], textarea.secret[readonly]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });

  // Rich-text signature editors: a contenteditable div mirrored into a
  // hidden textarea that the form submits. The server sanitizes whatever
  // arrives, so this only has to be convenient, not safe.
  document.querySelectorAll("[data-rich-editor]").forEach(function (wrap) {
    var area = wrap.querySelector("textarea");
    var editor = wrap.querySelector(".editor");
    if (!area || !editor) { return; }
    editor.innerHTML = area.value;
    area.hidden = true;
    editor.hidden = false;
    var sync = function () { area.value = editor.innerHTML; };
    editor.addEventListener("input", sync);
    wrap.querySelectorAll("[data-cmd]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function (e) {
        e.preventDefault();
        editor.focus();
        var cmd = btn.getAttribute("data-cmd");
        if (cmd === "createLink") {
          var url = window.prompt("Link address (https://...)", "https://");
          if (!url) { return; }
          document.execCommand("createLink", false, url);
        } else {
          document.execCommand(cmd, false, null);
        }
        sync();
      });
    });
    var form = wrap.closest("form");
    if (form) { form.addEventListener("submit", sync); }
  });
})();

// "Test connection" on the POP account form: answered in place, so the
// password typed into the form stays there (the server never sends it
// back). Without script, or when the answer is not a test result (a field
// to correct), the button submits the form the ordinary way.
(function () {
  "use strict";
  document.querySelectorAll("button[data-inline-test]").forEach(function (btn) {
    btn.addEventListener("click", function (e) {
      var form = btn.form;
      var out = document.getElementById(btn.getAttribute("data-inline-test"));
      if (btn.hasAttribute("data-plain") || !form || !out || !window.fetch || !window.DOMParser) { return; }
      e.preventDefault();
      var plain = function () {
        btn.disabled = false;
        btn.setAttribute("data-plain", "");
        btn.click();
      };
      btn.disabled = true;
      out.textContent = "Testing the connection\u2026";
      fetch(btn.formAction, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
        .then(function (res) { return res.text().then(function (text) { return { ok: res.ok, text: text }; }); })
        .then(function (r) {
          var got = new DOMParser().parseFromString(r.text, "text/html").getElementById(out.id);
          if (!r.ok || !got || !got.firstElementChild) { plain(); return; }
          out.replaceChildren.apply(out, Array.prototype.slice.call(got.childNodes));
          btn.disabled = false;
        })
        .catch(plain);
    });
  });
})();

// Template placeholders: "Insert" puts one where the cursor was in the
// template editor (the rich editor, or its textarea without it).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-insert-placeholder]");
  var wrap = document.querySelector("#template-form [data-rich-editor]");
  var area = wrap && wrap.querySelector("textarea");
  var editor = wrap && wrap.querySelector(".editor");
  if (!buttons.length || !area) { return; }
  var saved = null;
  if (editor) {
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (sel && sel.rangeCount && editor.contains(sel.anchorNode)) { saved = sel.getRangeAt(0).cloneRange(); }
    });
  }
  buttons.forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var code = btn.getAttribute("data-insert-placeholder");
      if (editor && !editor.hidden) {
        editor.focus();
        var sel = window.getSelection();
        if (sel && saved) { sel.removeAllRanges(); sel.addRange(saved); }
        else if (sel) { sel.selectAllChildren(editor); sel.collapseToEnd(); }
        document.execCommand("insertText", false, code);
        area.value = editor.innerHTML;
      } else {
        var start = typeof area.selectionStart === "number" ? area.selectionStart : area.value.length;
        var end = typeof area.selectionEnd === "number" ? area.selectionEnd : start;
        area.setRangeText(code, start, end, "end");
        area.focus();
      }
    });
  });
})();

// Conversation page: "r" jumps to the reply box (not while typing).
(function () {
  "use strict";
  var box = document.getElementById("reply");
  if (!box) { return; }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "r" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) { return; }
    var target = box.querySelector(".editor:not([hidden])") || box.querySelector("textarea");
    if (!target) { return; }
    e.preventDefault();
    box.scrollIntoView();
    target.focus();
  });
})();

// Workspace lists and the conversation panel: selects that act on change
// (their button is only for browsers without script), "select all", and
// the bulk buttons enabled only while something is checked.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { if (sel.form) { sel.form.requestSubmit(); } });
  });
  document.querySelectorAll("[data-hide-with-js]").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("form[data-bulk]").forEach(function (form) {
    var all = form.querySelector("input[data-select-all]");
    var boxes = form.querySelectorAll("input[type=checkbox][name=id]");
    var buttons = form.querySelectorAll(".bulk-toolbar button");
    var update = function () {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; } });
      buttons.forEach(function (b) { b.disabled = n === 0; });
      if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
    };
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
// Message frames: a mail's HTML lives in a sandboxed iframe (no scripts in
// it; see ui/message_body.rs). Its sandbox keeps our origin so the page may
// measure the document and fit the frame to it: as tall as the mail, at
// least MIN and at most MAX (then the frame scrolls). Without that it keeps
// its fixed, resizable height from app.css.
(function () {
  "use strict";
  var MIN = 64;
  var MAX = 20000;
  var fit = function (f) {
    try {
      var doc = f.contentDocument;
      var win = f.contentWindow;
      // Before the mail arrives the frame holds an empty about:blank.
      if (!doc || !win || !doc.body || doc.URL === "about:blank") { return; }
      var root = doc.documentElement;
      // The root's box is the body with its margins, whatever the frame's
      // height; the body's scroll height adds what overflows it (floats,
      // positioned boxes). Not root.scrollHeight: that is never less than
      // the frame's current height, so a frame could only ever grow.
      var h = Math.max(root.getBoundingClientRect().height, doc.body.scrollHeight);
      // A horizontal scrollbar (a wide table) takes room of its own.
      h += Math.max(0, win.innerHeight - root.clientHeight);
      h = Math.ceil(h);
      if (h > 0) { f.style.height = Math.min(Math.max(h, MIN), MAX) + "px"; }
    } catch (e) { /* not readable: keep the fixed height */ }
  };
  var frames = document.querySelectorAll("iframe.mail-frame");
  frames.forEach(function (f) {
    f.addEventListener("load", function () {
      fit(f);
      // Images arriving later change the height once more.
      setTimeout(function () { fit(f); }, 500);
    });
    fit(f);
  });
  // A narrower or wider page wraps the mail's lines anew.
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(function () { pending = null; frames.forEach(fit); }, 100);
  });
})();

// Collision detection: while a conversation is open, tell the server every
// 15 s whether we are viewing or replying, and show who else is here and
// whether a new message arrived since the page loaded.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-presence-url");
  var csrf = box.getAttribute("data-csrf");
  var shown = Number(box.getAttribute("data-last-message") || "0");
  var reply = document.getElementById("reply");
  var focused = false;
  if (reply) {
    reply.addEventListener("focusin", function () { focused = true; ping(); });
    reply.addEventListener("focusout", function () { focused = false; });
  }
  var typed = function () {
    if (!reply) { return false; }
    var area = reply.querySelector("textarea");
    var editor = reply.querySelector(".editor:not([hidden])");
    var text = editor ? editor.textContent : (area ? area.value : "");
    return text.trim() !== "";
  };
  var render = function (answer) {
    var lines = [];
    (answer.others || []).forEach(function (o) {
      lines.push(o.name + (o.state === "replying" ? " is replying" : " is viewing"));
    });
    var newer = answer.last_message_id && answer.last_message_id > shown;
    box.replaceChildren();
    lines.forEach(function (l) {
      var p = document.createElement("p");
      p.className = "presence-person";
      p.textContent = l;
      box.appendChild(p);
    });
    if (newer) {
      var w = document.createElement("p");
      w.className = "presence-new";
      w.textContent = "A new message arrived in this conversation. ";
      var a = document.createElement("a");
      a.href = window.location.pathname;
      a.textContent = "Reload to read it";
      w.appendChild(a);
      box.appendChild(w);
    }
  };
  var busy = false;
  var ping = function () {
    if (busy) { return; }
    busy = true;
    var state = (focused || typed()) ? "replying" : "viewing";
    var body = new URLSearchParams({ csrf: csrf, state: state });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (answer) { if (answer) { render(answer); } })
      .catch(function () { /* offline: try again at the next tick */ })
      .then(function () { busy = false; });
  };
  ping();
  setInterval(ping, 15000);
})();
