//! Message formatting: the small Markdown subset a message may use, read
//! into blocks and spans of plain text that the log renders as elements.
//!
//! - blocks: paragraphs, `> quotes` and fenced code (three backticks; an
//!   unclosed fence runs to the end, as in CommonMark);
//! - spans: `**bold**`, `_italic_` (at word edges only, so `snake_case`
//!   stays as typed), `` `code` `` and autolinked `http://` and `https://`
//!   addresses.
//!
//! Nothing here makes markup: every piece is a string the view puts in a
//! text node, and the only address that becomes a link is one that starts
//! with `http://` or `https://` ([`linkify`]). `[x](javascript:...)` and
//! `<img onerror>` stay the text that was typed. The same code runs on the
//! server and in the browser, so a hydrated message is what was served.
//!
//! Written by hand rather than with pulldown-cmark: the subset is a page of
//! code, and a full CommonMark parser in the browser bundle would cost more
//! than the budget has left (docs/benchmarks.md, "Browser bundle").

use crate::ui::format::{linkify, Segment};

/// A block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Span>),
    Quote(Vec<Span>),
    Code(String),
}

/// A run of text within a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Bold(String),
    Italic(String),
    Code(String),
    Link(String),
}

const FENCE: &str = "```";

/// The blocks of `text`, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    // The lines of the paragraph or quote being gathered.
    let mut run: Vec<&str> = Vec::new();
    let mut quoting = false;
    let flush = |run: &mut Vec<&str>, quoting: bool, blocks: &mut Vec<Block>| {
        let joined = run.join("\n");
        run.clear();
        let joined = joined.trim_matches('\n');
        if joined.trim().is_empty() {
            return;
        }
        let spans = spans(joined);
        blocks.push(if quoting {
            Block::Quote(spans)
        } else {
            Block::Paragraph(spans)
        });
    };
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with(FENCE) {
            flush(&mut run, quoting, &mut blocks);
            let code: Vec<&str> = lines
                .by_ref()
                .take_while(|line| !line.trim_start().starts_with(FENCE))
                .collect();
            blocks.push(Block::Code(code.join("\n")));
            continue;
        }
        let quote = line
            .strip_prefix('>')
            .map(|rest| rest.strip_prefix(' ').unwrap_or(rest));
        if quote.is_some() != quoting {
            flush(&mut run, quoting, &mut blocks);
            quoting = quote.is_some();
        }
        run.push(quote.unwrap_or(line));
    }
    flush(&mut run, quoting, &mut blocks);
    blocks
}

/// The spans of one block's text.
pub fn spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let marked =
            match c {
                '`' => closing(text, at, "`", false)
                    .map(|(inner, end)| (Span::Code(inner.into()), end)),
                '*' if text[at..].starts_with("**") => closing(text, at, "**", false)
                    .map(|(inner, end)| (Span::Bold(inner.into()), end)),
                '_' if opens_word(text, at) => closing(text, at, "_", true)
                    .map(|(inner, end)| (Span::Italic(inner.into()), end)),
                _ => None,
            };
        match marked {
            Some((span, end)) => {
                plain(&text[plain_from..at], &mut spans);
                spans.push(span);
                at = end;
                plain_from = end;
            }
            None => at += c.len_utf8(),
        }
    }
    plain(&text[plain_from..], &mut spans);
    spans
}

/// Plain text, with its links found.
fn plain(text: &str, spans: &mut Vec<Span>) {
    spans.extend(linkify(text).into_iter().map(|segment| match segment {
        Segment::Text(text) => Span::Text(text),
        Segment::Link(href) => Span::Link(href),
    }));
}

/// Whether a `_` at `at` may open italics: at the start of a word, and
/// alone (a run such as `__init__` is kept as typed).
fn opens_word(text: &str, at: usize) -> bool {
    !text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
        && !text[at + 1..].starts_with('_')
}

/// The text between the `mark` at `at` and the next one that closes it,
/// and where the closing mark ends. The inner text is not empty and
/// neither starts nor ends with a space; a `word_edge` mark closes only
/// at the end of a word.
fn closing<'t>(text: &'t str, at: usize, mark: &str, word_edge: bool) -> Option<(&'t str, usize)> {
    let start = at + mark.len();
    let mut from = start;
    while let Some(found) = text[from..].find(mark) {
        let end = from + found;
        let inner = &text[start..end];
        let after = &text[end + mark.len()..];
        let closes = !inner.is_empty()
            && !inner.starts_with(char::is_whitespace)
            && !inner.ends_with(char::is_whitespace)
            && !(word_edge
                && (inner.ends_with(mark)
                    || after.starts_with(mark)
                    || after.chars().next().is_some_and(char::is_alphanumeric)));
        if closes {
            return Some((inner, end + mark.len()));
        }
        from = end + mark.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Span::*;

    fn text(s: &str) -> Span {
        Text(s.into())
    }

    #[test]
    fn spans_mark_bold_italic_code_and_links() {
        assert_eq!(
            spans("a **big** _deal_ with `x = 1` at https://example.com."),
            vec![
                text("a "),
                Bold("big".into()),
                text(" "),
                Italic("deal".into()),
                text(" with "),
                Code("x = 1".into()),
                text(" at "),
                Link("https://example.com".into()),
                text("."),
            ]
        );
    }

    #[test]
    fn marks_that_do_not_close_stay_as_typed() {
        for typed in [
            "snake_case_name",
            "2 * 3 ** 4",
            "** not bold **",
            "a ` b",
            "_ no _",
            "**",
            "__init__",
            "call __init__ or __new__ here",
            "___",
        ] {
            assert_eq!(spans(typed), vec![text(typed)], "{typed}");
        }
        // A lone underscore still makes italics beside a run of them.
        assert_eq!(
            spans("_fine_ __init__"),
            vec![Italic("fine".into()), text(" __init__")]
        );
        // Code is literal: no bold and no link inside it.
        assert_eq!(
            spans("`**x** http://a.b`"),
            vec![Code("**x** http://a.b".into())]
        );
    }

    #[test]
    fn blocks_split_quotes_and_fenced_code() {
        let message = "look:\n> quoted\n>also\n```rust\nfn main() {}\n  <b>\n```\nafter";
        assert_eq!(
            blocks(message),
            vec![
                Block::Paragraph(vec![text("look:")]),
                Block::Quote(vec![text("quoted\nalso")]),
                Block::Code("fn main() {}\n  <b>".into()),
                Block::Paragraph(vec![text("after")]),
            ]
        );
        // An unclosed fence runs to the end.
        assert_eq!(
            blocks("```\nstill code"),
            vec![Block::Code("still code".into())]
        );
        // Lines of a paragraph keep their breaks.
        assert_eq!(
            blocks("one\n\ntwo"),
            vec![Block::Paragraph(vec![text("one\n\ntwo")])]
        );
    }

    #[test]
    fn hostile_text_stays_text() {
        for hostile in [
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "data:text/html,<b>x</b>",
        ] {
            assert_eq!(blocks(hostile), vec![Block::Paragraph(vec![text(hostile)])]);
        }
        // Only http(s) becomes a link, even inside brackets.
        assert_eq!(
            spans("[x](https://a.example/p)"),
            vec![text("[x]("), Link("https://a.example/p".into()), text(")")]
        );
    }
}
