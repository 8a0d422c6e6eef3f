//! Attachment names come from strangers and end up in download headers and
//! on people's disks, so they lose paths, control and direction-override
//! characters, and names Windows reserves.

const MAX_BYTES: usize = 200;

/// A safe file name, or None when nothing usable is left.
pub fn sanitize_filename(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| {
            if c.is_control() || "<>:\"|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '_') {
        return None;
    }
    let mut out = truncate(trimmed);
    let stem = out
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if is_reserved_on_windows(&stem) {
        out.insert(0, '_');
    }
    Some(out)
}

/// A name for parts that came without one, with an extension so the
/// operating system opens it sensibly.
pub fn fallback_filename(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let ext = match essence {
        "message/rfc822" | "message/global" => "eml",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/rfc822-headers" | "message/delivery-status" => "txt",
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pgp-signature" => "asc",
        e if e.starts_with("text/") => "txt",
        _ => "bin",
    };
    format!("attachment.{ext}")
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn is_reserved_on_windows(stem: &str) -> bool {
    matches!(stem, "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.ends_with(|c: char| c.is_ascii_digit()))
}

/// Keeps the extension when cutting an overlong name.
fn truncate(name: &str) -> String {
    if name.len() <= MAX_BYTES {
        return name.to_string();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.len() <= 16 && !e.is_empty());
    let budget = MAX_BYTES - ext.map_or(0, |e| e.len() + 1);
    let mut cut = budget;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    match ext {
        Some(e) => format!("{}.{e}", &name[..cut]),
        None => name[..cut].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_paths_and_junk() {
        assert_eq!(
            sanitize_filename("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            sanitize_filename("C:\\Users\\x\\evil.exe").as_deref(),
            Some("evil.exe")
        );
        assert_eq!(
            sanitize_filename("a\u{0}b\r\n.txt").as_deref(),
            Some("a_b__.txt")
        );
        assert_eq!(
            sanitize_filename("invoice\u{202e}fdp.exe").as_deref(),
            Some("invoicefdp.exe")
        );
        assert_eq!(sanitize_filename("..."), None);
        assert_eq!(sanitize_filename("  "), None);
        assert_eq!(sanitize_filename(".bashrc").as_deref(), Some("bashrc"));
        assert_eq!(sanitize_filename("con.txt").as_deref(), Some("_con.txt"));
        assert_eq!(
            sanitize_filename("Résumé.pdf").as_deref(),
            Some("Résumé.pdf")
        );
    }

    #[test]
    fn long_names_keep_extension() {
        let long = format!("{}.pdf", "é".repeat(300));
        let out = sanitize_filename(&long).unwrap_or_default();
        assert!(out.len() <= MAX_BYTES, "{}", out.len());
        assert!(out.ends_with(".pdf"));
    }

    #[test]
    fn fallback_names() {
        assert_eq!(fallback_filename("image/png"), "attachment.png");
        assert_eq!(
            fallback_filename("text/x-one; charset=utf-8"),
            "attachment.txt"
        );
        assert_eq!(
            fallback_filename("application/x-whatever"),
            "attachment.bin"
        );
    }
}
