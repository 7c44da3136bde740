//! Completing `@` in the composer, as text: which name is being typed
//! before the caret, what the text becomes when one is picked, and moving
//! through the offered names. The composer owns the box and the list; this
//! holds none of the page's state.
//!
//! Positions are byte offsets into the text; the browser's caret counts
//! UTF-16 units, converted at the edge ([`byte_offset`], [`utf16_offset`]).

use crate::model::Username;

/// Whether `c` can be part of a username (ASCII: letters, digits, `_`,
/// `-`, `.`). What is typed after `@` is completed only while it is made
/// of these, and the word ends at the first other character.
fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Whether `c`, just before `@`, makes it part of a word (as in `a@b.c`),
/// as [`crate::model::mentioned_names`] reads it.
fn joins_a_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// A name being typed: `@` at byte `at`, the name's characters up to the
/// caret (`typed`), and where the word ends (at or after the caret).
#[derive(Debug, Clone, PartialEq)]
pub struct TypedName {
    pub at: usize,
    pub end: usize,
    pub typed: String,
}

/// The name the caret (a byte offset) is in, after an `@` that starts a
/// word (as [`crate::model::mentioned_names`] reads it); `None` when the
/// caret is not in one, or what is typed cannot begin a username.
pub fn typed_name(text: &str, caret: usize) -> Option<TypedName> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let typed = &before[at + 1..];
    if !typed.chars().all(is_username_char) || typed.len() > Username::MAX_LEN {
        return None;
    }
    if before[..at].chars().next_back().is_some_and(joins_a_word) {
        return None;
    }
    let after = &text[caret..];
    let end = caret
        + after
            .find(|c: char| !is_username_char(c))
            .unwrap_or(after.len());
    Some(TypedName {
        at,
        end,
        typed: typed.to_owned(),
    })
}

/// The text with `name` in place of the typed one, and the caret after it
/// and the space that follows it (added unless one is there).
pub fn complete(text: &str, name: &TypedName, with: &str) -> (String, usize) {
    let rest = &text[name.end..];
    let space = if rest.starts_with(' ') { "" } else { " " };
    let done = format!("{}@{with}{space}", &text[..name.at]);
    let caret = done.len() + usize::from(space.is_empty());
    (done + rest, caret)
}

/// The option after (or before) `active` among `len`, round the ends.
pub fn step(active: usize, len: usize, down: bool) -> usize {
    match (down, active) {
        _ if len == 0 => 0,
        (true, _) => (active + 1) % len,
        (false, 0) => len - 1,
        (false, _) => active - 1,
    }
}

/// The byte offset of the UTF-16 offset `units` in `text` (its end when
/// past it).
pub fn byte_offset(text: &str, units: u32) -> usize {
    let mut counted = 0;
    for (at, c) in text.char_indices() {
        if counted >= units as usize {
            return at;
        }
        counted += c.len_utf16();
    }
    text.len()
}

/// The UTF-16 offset of the byte offset `at` in `text`.
pub fn utf16_offset(text: &str, at: usize) -> u32 {
    text.get(..at)
        .map_or(0, |s| s.encode_utf16().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Option<String> {
        let caret = text.find('|').expect("a caret");
        let text = text.replace('|', "");
        typed_name(&text, caret).map(|name| name.typed)
    }

    #[test]
    fn a_name_is_typed_after_an_at_that_starts_a_word() {
        assert_eq!(typed("@|").as_deref(), Some(""));
        assert_eq!(typed("hi @al|").as_deref(), Some("al"));
        assert_eq!(typed("(@Al.b|").as_deref(), Some("Al.b"));
        assert_eq!(typed("@al|ice, hi").as_deref(), Some("al"));
        assert_eq!(typed("mail a@b|"), None);
        assert_eq!(typed("@al ice|"), None);
        assert_eq!(typed("no at|"), None);
        assert_eq!(typed(&format!("@{}|", "x".repeat(33))), None);
        // Not a username's letters; after a letter of any script, not a
        // mention; after an emoji or a guillemet, one.
        assert_eq!(typed("@émi|"), None);
        assert_eq!(typed("é@al|"), None);
        assert_eq!(typed("😀@al|").as_deref(), Some("al"));
        assert_eq!(typed("«@al|").as_deref(), Some("al"));
    }

    #[test]
    fn picking_a_name_replaces_the_whole_word_and_moves_past_it() {
        let text = "hi @al";
        let name = typed_name(text, text.len()).unwrap();
        assert_eq!(complete(text, &name, "alice"), ("hi @alice ".into(), 10));
        let text = "@al, and @bo yes";
        let name = typed_name(text, 11).unwrap();
        assert_eq!(name.end, 12);
        let (done, caret) = complete(text, &name, "bob");
        assert_eq!(done, "@al, and @bob yes");
        assert_eq!(&done[caret..], "yes");
        // The word ends where a username's letters do; only a space is
        // stepped over.
        let text = "@bo’s idea";
        let name = typed_name(text, 3).unwrap();
        assert_eq!(complete(text, &name, "bob"), ("@bob ’s idea".into(), 5));
        let text = "@al\nnext";
        let name = typed_name(text, 3).unwrap();
        assert_eq!(complete(text, &name, "alice"), ("@alice \nnext".into(), 7));
    }

    #[test]
    fn options_wrap_round_both_ends() {
        assert_eq!(step(0, 3, true), 1);
        assert_eq!(step(2, 3, true), 0);
        assert_eq!(step(0, 3, false), 2);
        assert_eq!(step(1, 3, false), 0);
        assert_eq!(step(0, 0, true), 0);
    }

    #[test]
    fn carets_convert_between_utf16_and_bytes() {
        let text = "😀é @a";
        assert_eq!(byte_offset(text, 0), 0);
        assert_eq!(byte_offset(text, 2), 4);
        assert_eq!(byte_offset(text, 3), 6);
        assert_eq!(byte_offset(text, 99), text.len());
        assert_eq!(utf16_offset(text, 6), 3);
        assert_eq!(utf16_offset(text, text.len()), 6);
    }
}
