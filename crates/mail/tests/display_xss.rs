//! Hostile mail HTML against the display sanitizer. Vectors follow the
//! usual XSS filter-evasion catalogues.

use ecp_mail::{DisplayOptions, sanitize_mail_html};

fn no_cids(_: &str) -> Option<String> {
    None
}

fn clean(html: &str) -> String {
    let opts = DisplayOptions {
        show_remote_images: false,
        cid_url: &no_cids,
        blocked_image_src: None,
    };
    sanitize_mail_html(html, &opts).html
}

const VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://x.test/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<img src=\"jav&#x09;ascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" &#14; javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<svg onload=alert(1)><circle r=1></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=\"http://x.test/\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"http://x.test/x.swf\"></object>",
    "<embed src=\"http://x.test/x.swf\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://x.test/\">",
    "<base href=\"http://x.test/\">",
    "<link rel=stylesheet href=\"http://x.test/x.css\">",
    "<style>@import 'http://x.test/x.css';</style>",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<div style=\"background-image: url(javascript:alert(1))\">x</div>",
    "<div style=\"color: red; -moz-binding: url(http://x.test/x.xml#xss)\">x</div>",
    "<div style=\"behavior: url(x.htc)\">x</div>",
    "<div style=\"wi\\dth: ex\\pression(alert(1))\">x</div>",
    "<div style=\"color:red/**/;width:expr/**/ession(alert(1))\">x</div>",
    "<form action=\"http://x.test/\"><input name=p type=password><button>go</button></form>",
    "<body onload=alert(1)>",
    "<p onclick=alert(1) onmouseover=alert(1)>x</p>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<td background=\"http://x.test/track.gif\">x</td>",
    "<a href=\"/relative/path\">x</a>",
    "<a href=\"//x.test/protocol-relative\">x</a>",
    "<img src=\"/relative.png\">",
    "<img src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\">",
    "<img srcset=\"http://x.test/a.png 1x\">",
    "<a href=\"#ecp-cid:forged\">x</a>",
    "<img src=\"#ecp-cid:forged\">",
    "<!--<img src=x onerror=alert(1)>-->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "<a href=\"http://x.test/\" target=\"_self\" rel=\"opener\">x</a>",
    "<style><img src=\"</style><img src=x onerror=alert(1)//\">",
    "<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\">",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<input autofocus onfocus=alert(1)>",
    "<form><button formaction=\"javascript:alert(1)\">go</button></form>",
    "<picture><source srcset=\"http://x.test/p.png\"><img></picture>",
    "<video poster=\"http://x.test/poster.png\"></video>",
];

const FORBIDDEN: &[&str] = &[
    "<script",
    "javascript",
    "vbscript",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "ontoggle",
    "<svg",
    "<iframe",
    "srcdoc",
    "<object",
    "<embed",
    "<meta",
    "<base",
    "<link",
    "<style",
    "@import",
    "expression",
    "url(",
    "binding",
    "behavior",
    "<form",
    "<input",
    "<button",
    "<body",
    "<video",
    "<audio",
    "<source",
    "background=",
    "data:text",
    "data:image/svg",
    "/relative",
    "//x.test/protocol",
    "srcset",
    "#ecp-cid",
    "target=\"_self\"",
    "opener\"",
    "alert(1)<",
    "<math",
    "<template",
    "formaction",
    "onfocus",
    "onbegin",
    "poster",
    "<picture",
];

#[test]
fn no_vector_survives() {
    for v in VECTORS {
        let out = clean(v);
        let lower = out.to_lowercase();
        for bad in FORBIDDEN {
            assert!(!lower.contains(bad), "{v:?} -> {out:?} contains {bad:?}");
        }
    }
}

#[test]
fn links_open_in_a_new_context() {
    let out = clean(
        "<a href=\"https://example.test/x?a=1&b=2\">site</a> <a href=\"mailto:ann@example.test\">mail</a>",
    );
    assert_eq!(out.matches("target=\"_blank\"").count(), 2, "{out}");
    assert_eq!(
        out.matches("rel=\"noopener noreferrer\"").count(),
        2,
        "{out}"
    );
    assert!(
        out.contains("href=\"https://example.test/x?a=1&amp;b=2\""),
        "{out}"
    );
}

#[test]
fn formatting_and_safe_style_survive() {
    let html = "<table border=1><tr><td colspan=2 style=\"color: #333; font-weight: bold; position: fixed\">\
<b>Bold</b> <i>it</i> <font color=red>red</font></td></tr></table><blockquote>quoted</blockquote><ul><li>one</li></ul>";
    let out = clean(html);
    for keep in [
        "<table",
        "colspan=\"2\"",
        "<b>Bold</b>",
        "<i>it</i>",
        "<font color=\"red\">",
        "<blockquote>",
        "<li>one</li>",
        "color:#333",
        "font-weight:bold",
    ] {
        assert!(out.contains(keep), "{keep} missing in {out}");
    }
    assert!(!out.contains("position"), "{out}");
}

#[test]
fn remote_images_blocked_until_asked() {
    let html = "<p>Hi</p><img src=\"https://tracker.test/pixel.gif\" alt=\"logo\">";
    let opts = DisplayOptions {
        show_remote_images: false,
        cid_url: &no_cids,
        blocked_image_src: None,
    };
    let out = sanitize_mail_html(html, &opts);
    assert!(out.blocked_remote_images);
    assert!(!out.html.contains("tracker.test"), "{}", out.html);
    assert!(out.html.contains("alt=\"logo\""), "{}", out.html);

    let placeholder = DisplayOptions {
        blocked_image_src: Some("/static/blocked.svg"),
        ..opts
    };
    let out = sanitize_mail_html(html, &placeholder);
    assert!(
        out.html.contains("src=\"/static/blocked.svg\""),
        "{}",
        out.html
    );

    let shown = DisplayOptions {
        show_remote_images: true,
        cid_url: &no_cids,
        blocked_image_src: None,
    };
    let out = sanitize_mail_html(html, &shown);
    assert!(!out.blocked_remote_images);
    assert!(
        out.html.contains("src=\"https://tracker.test/pixel.gif\""),
        "{}",
        out.html
    );

    let none = sanitize_mail_html("<p>no images</p>", &opts);
    assert!(!none.blocked_remote_images);
}

#[test]
fn cid_images_go_through_the_callers_urls() {
    let resolve = |id: &str| (id == "logo@example.test").then(|| "/attachments/42/raw".to_string());
    let opts = DisplayOptions {
        show_remote_images: false,
        cid_url: &resolve,
        blocked_image_src: None,
    };
    let out = sanitize_mail_html(
        "<img src=\"cid:logo@example.test\"><img src=\"CID:logo%40example.test\"><img src=\"cid:unknown@x\">",
        &opts,
    );
    assert_eq!(
        out.html.matches("src=\"/attachments/42/raw\"").count(),
        2,
        "{}",
        out.html
    );
    assert!(!out.html.contains("cid:"), "{}", out.html);
    assert!(!out.blocked_remote_images);
    let out = sanitize_mail_html("<a href=\"cid:logo@example.test\">x</a>", &opts);
    assert!(
        !out.html.contains("attachments"),
        "cid: is for images only: {}",
        out.html
    );
}

#[test]
fn raster_data_images_are_kept() {
    let png = "<img src=\"data:image/png;base64,iVBORw0KGgo=\">";
    assert!(clean(png).contains("data:image/png;base64,iVBORw0KGgo="));
}
