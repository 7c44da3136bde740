//! Words for search: a text split at Unicode word boundaries (UAX #29,
//! unicode-segmentation), each word folded so that case, accents and
//! compatibility forms do not count: decomposed by icu_normalizer's NFKD
//! (the ligature "ﬁ" is "fi", fullwidth "Ａ" is "A"), case-folded in full
//! by icu_casemap ("ß" is "ss", a final "ς" is "σ"), decomposed again and
//! its combining marks dropped: "Café" and "CAFE" are both "cafe". What the
//! index holds and what a query asks are both made here, so they always
//! agree.

use std::ops::Range;

use icu_casemap::CaseMapper;
use icu_normalizer::DecomposingNormalizerBorrowed;
use icu_properties::props::GeneralCategory;
use icu_properties::CodePointMapData;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::AppError;

/// A folded word is cut to this many characters (a longer one is found by
/// its start): index entries stay small whatever is pasted.
pub const MAX_WORD_CHARS: usize = 40;
/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most different words a query may hold.
pub const MAX_QUERY_WORDS: usize = 16;

/// A word folded: case-folded, no accents, compatibility forms as their
/// plain letters, at most [`MAX_WORD_CHARS`].
pub fn fold(word: &str) -> String {
    let marks = CodePointMapData::<GeneralCategory>::new();
    let nfkd = DecomposingNormalizerBorrowed::new_nfkd();
    let compatible = nfkd.normalize(word);
    let folded = CaseMapper::new().fold_string(&compatible);
    // A compatibility form may spell several words (U+FDFA): the index
    // keeps words apart by spaces, so they run together here.
    nfkd.normalize(&folded)
        .chars()
        .filter(|&c| marks.get(c) != GeneralCategory::NonspacingMark && !c.is_whitespace())
        .take(MAX_WORD_CHARS)
        .collect()
}

/// The words of `text` with where each is (byte ranges), folded. Words are
/// runs with a letter or digit in them (UAX #29 word segments, without
/// punctuation and spaces).
pub fn words_at(text: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    text.unicode_word_indices()
        .map(|(at, word)| (at..at + word.len(), fold(word)))
        .filter(|(_, folded)| !folded.is_empty())
}

/// The distinct folded words of `text`, in the order each first appears:
/// what the index keeps of a message.
pub fn index_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (_, word) in words_at(text) {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

/// A search: every one of `whole` words, and a word that starts with
/// `prefix` (the last word typed, perhaps not finished).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub whole: Vec<String>,
    pub prefix: String,
}

impl Query {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::BadInput(format!(
                "A search is at most {MAX_QUERY_CHARS} characters long."
            )));
        }
        let mut typed: Vec<String> = words_at(raw).map(|(_, word)| word).collect();
        let Some(prefix) = typed.pop() else {
            return Err(AppError::BadInput(
                "Type a word to search for (letters or digits).".into(),
            ));
        };
        // A word typed twice asks nothing more.
        let mut words: Vec<String> = Vec::new();
        for word in typed {
            if word != prefix && !words.contains(&word) {
                words.push(word);
            }
        }
        if words.len() + 1 > MAX_QUERY_WORDS {
            return Err(AppError::BadInput(format!(
                "A search holds at most {MAX_QUERY_WORDS} different words."
            )));
        }
        Ok(Query {
            whole: words,
            prefix,
        })
    }

    /// Where in `text` the query's words are (byte ranges, in order): what
    /// a result shows highlighted.
    pub fn matches_in(&self, text: &str) -> Vec<Range<usize>> {
        words_at(text)
            .filter(|(_, word)| self.whole.contains(word) || word.starts_with(&self.prefix))
            .map(|(range, _)| range)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_accents() {
        assert_eq!(fold("Café"), "cafe");
        assert_eq!(fold("ÉCOLE"), "ecole");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("STRASSE"), "strasse");
        assert_eq!(fold("ΣΟΦΙΑΣ"), fold("σοφιας"));
        assert_eq!(fold("σοφιας"), fold("σοφιασ"));
        assert_eq!(fold("\u{fb01}nance"), "finance");
        assert_eq!(fold("Ｆｕｌｌｗｉｄｔｈ"), "fullwidth");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert!(!fold("\u{fdfa}").contains(' '));
        assert_eq!(fold("Ångström"), "angstrom");
        assert_eq!(fold("naïve"), "naive");
        assert_eq!(fold("Привет"), "привет");
        assert_eq!(fold(&"x".repeat(100)).len(), MAX_WORD_CHARS);
    }

    #[test]
    fn a_text_splits_at_word_boundaries() {
        assert_eq!(
            index_words("Deploy v1.2 to prod-eu, then deploy again! 日本語 can't"),
            ["deploy", "v1.2", "to", "prod", "eu", "then", "again", "日", "本", "語", "can't"]
        );
        assert!(index_words("*** --- !!!").is_empty());
        assert_eq!(index_words("e\u{301}te\u{301}"), ["ete"]);
    }

    #[test]
    fn a_query_is_whole_words_and_a_prefix() {
        let query = Query::parse("  Deploy PROD de ").unwrap();
        assert_eq!(query.whole, ["deploy", "prod"]);
        assert_eq!(query.prefix, "de");
        assert_eq!(Query::parse("café").unwrap().prefix, "cafe");
        assert_eq!(Query::parse("").unwrap_err().status(), 400);
        assert_eq!(Query::parse("  * ? [ ] ").unwrap_err().status(), 400);
        assert_eq!(Query::parse(&"a".repeat(1000)).unwrap_err().status(), 400);
        assert_eq!(
            Query::parse("a b c d e f g h i j k l m n o p q").unwrap_err().status(),
            400
        );
        // A word typed twice counts once.
        let fox = Query::parse("the quick brown fox jumps over the lazy dog").unwrap();
        assert_eq!(fox.whole, ["the", "quick", "brown", "fox", "jumps", "over", "lazy"]);
        assert_eq!(fox.prefix, "dog");
        let again = Query::parse(&"a ".repeat(30)).unwrap();
        assert!(again.whole.is_empty());
        assert_eq!(again.prefix, "a");
        // Glob and Lua pattern characters are not words: only the words count.
        let hostile = Query::parse("%s* ]] deploy?").unwrap();
        assert_eq!(hostile.prefix, "deploy");
        assert_eq!(hostile.whole, ["s"]);
    }

    #[test]
    fn matches_are_the_words_the_query_names() {
        let query = Query::parse("cafe de").unwrap();
        let text = "Le Café du coin, demain";
        let shown: Vec<&str> = query
            .matches_in(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(shown, ["Café", "demain"]);
    }
}
