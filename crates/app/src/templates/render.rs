//! Filling in a template: minijinja in a sandbox. Only the documented
//! variables exist (anything else renders empty), values are HTML-escaped,
//! there is no loader and no include/import/macro (left out at compile
//! time), and every rendering has a fuel budget and an output cap. The
//! result is sanitized again, so not even `|safe` can put markup in that the
//! signature allow-list refuses. No actor, no database: the autoresponder
//! calls this directly.

use super::source::template_source;
use ecp_domain::ValidationError;
use ecp_domain::template::{MAX_RENDERED_BYTES, MAX_SUBJECT_CHARS, RENDER_FUEL, TemplateContext};
use ecp_mail::html::{sanitize_signature, to_plain_text};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, ErrorKind, context};
use serde::Serialize;
use std::io;

/// A filled-in template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// One line; empty when the template has no subject.
    pub subject: String,
    /// Sanitized HTML.
    pub html: String,
    /// The plain-text alternative of `html`.
    pub text: String,
}

/// Why a template can't be filled in, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RenderError {
    /// `subject` or `body_html`: which part holds the mistake.
    pub field: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

impl From<RenderError> for ValidationError {
    fn from(e: RenderError) -> Self {
        ValidationError::new(e.field, e.message)
    }
}

/// Fills in a stored (sanitized) body and subject.
pub fn render(
    body_html: &str,
    subject: &str,
    ctx: &TemplateContext,
) -> Result<Rendered, RenderError> {
    let values = values(ctx);
    let html = fill(
        &template_source(body_html),
        AutoEscape::Html,
        &values,
        Part::Body,
    )?;
    let html = sanitize_signature(&html);
    let subject = one_line(&fill(subject, AutoEscape::None, &values, Part::Subject)?);
    let text = to_plain_text(&html);
    Ok(Rendered {
        subject,
        html,
        text,
    })
}

/// Checks a body and subject before they are saved: both compile, and
/// both fill in with the sample values within the limits.
pub fn check(body_html: &str, subject: &str) -> Result<(), Vec<ValidationError>> {
    let values = values(&TemplateContext::sample());
    let mut errors = Vec::new();
    if let Err(e) = fill(
        &template_source(body_html),
        AutoEscape::Html,
        &values,
        Part::Body,
    ) {
        errors.push(e.into());
    }
    if let Err(e) = fill(subject, AutoEscape::None, &values, Part::Subject) {
        errors.push(e.into());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[derive(Clone, Copy)]
enum Part {
    Body,
    Subject,
}

impl Part {
    fn field(self) -> &'static str {
        match self {
            Part::Body => "body_html",
            Part::Subject => "subject",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Part::Body => "template text",
            Part::Subject => "subject",
        }
    }
}

fn values(ctx: &TemplateContext) -> Value {
    let number = match ctx.conversation_number {
        Some(n) => Value::from(n),
        // `none` would print as the word "none"; undefined prints nothing.
        None => Value::UNDEFINED,
    };
    context! {
        customer => context! { name => ctx.customer_name.clone(), email => ctx.customer_email.clone() },
        mailbox => context! { name => ctx.mailbox_name.clone() },
        agent => context! { name => ctx.agent_name.clone() },
        conversation => context! { number => number },
    }
}

fn environment(escape: AutoEscape) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(move |_| escape.clone());
    env.set_fuel(Some(RENDER_FUEL));
    env
}

fn fill(
    source: &str,
    escape: AutoEscape,
    values: &Value,
    part: Part,
) -> Result<String, RenderError> {
    let env = environment(escape);
    let refused = |e: minijinja::Error| explain(&e, part);
    let template = env.template_from_str(source).map_err(refused)?;
    let mut out = Capped::default();
    match template.render_captured_to(values.clone(), &mut out) {
        Ok(_) => {}
        Err(_) if out.over => return Err(too_long(part)),
        Err(e) => return Err(refused(e)),
    }
    String::from_utf8(out.buf).map_err(|_| RenderError {
        field: part.field(),
        line: None,
        message: format!("The {} did not produce valid text.", part.label()),
    })
}

fn explain(e: &minijinja::Error, part: Part) -> RenderError {
    let field = part.field();
    let label = part.label();
    let line = e.line();
    let at = line.map(|l| format!(" on line {l}")).unwrap_or_default();
    let detail = e.detail().unwrap_or("").to_string();
    let message = match e.kind() {
        ErrorKind::OutOfFuel => format!(
            "The {label} needs too much work to fill in (a loop that runs too long?). \
             Simplify it and try again."
        ),
        ErrorKind::SyntaxError if detail.starts_with("unknown statement") => format!(
            "The {label} has a mistake{at}: {detail}. Templates can use placeholders such as \
             {{{{ customer.name }}}}, and {{% if %}}, {{% for %}} and {{% set %}}; nothing else."
        ),
        ErrorKind::SyntaxError => format!(
            "The {label} has a mistake{at}: {detail}. Check that every {{{{ has its }}}} and \
             every {{% if %}} its {{% endif %}}."
        ),
        kind => format!("The {label} can't be filled in{at}: {kind}: {detail}."),
    };
    RenderError {
        field,
        line,
        message: message.replace(": .", "."),
    }
}

fn too_long(part: Part) -> RenderError {
    RenderError {
        field: part.field(),
        line: None,
        message: format!(
            "The filled-in {} would be longer than {} KB. Shorten it and try again.",
            part.label(),
            MAX_RENDERED_BYTES / 1000
        ),
    }
}

/// A subject is a header: one line, no control characters, bounded (a
/// customer name can be long).
fn one_line(s: &str) -> String {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .join(" ")
        .chars()
        .take(2 * MAX_SUBJECT_CHARS)
        .collect()
}

/// Collects output and refuses to grow past the cap, which stops the
/// rendering right there instead of after the fuel runs out.
#[derive(Default)]
struct Capped {
    buf: Vec<u8>,
    over: bool,
}

impl io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.buf.len() + bytes.len() > MAX_RENDERED_BYTES {
            self.over = true;
            return Err(io::Error::other("template output limit"));
        }
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_and_where() {
        let sample = TemplateContext::sample();
        for (src, line, words) in [
            (
                "<p>Hi</p>\n<p>{{ customer.name</p>",
                Some(2),
                "mistake on line 2",
            ),
            ("{% include \"x\" %}", Some(1), "unknown statement include"),
            ("{{ 1 / 0 }}", Some(1), "can't be filled in on line 1"),
            ("{{ x | nosuchfilter }}", Some(1), "unknown filter"),
            (
                "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
                Some(1),
                "too much work",
            ),
            ("{{ customer.name * 100000 }}", None, "longer than 200 KB"),
        ] {
            let e = render(src, "", &sample).unwrap_err();
            assert_eq!((e.field, e.line), ("body_html", line), "{src}: {e}");
            assert!(e.message.contains(words), "{src}: {e}");
        }
    }
}
