//! Names a reader could take for one another. Two public room names that
//! share a [`NameSkeleton`] name one room: the second is refused as taken.
//! The skeleton is the name in NFKC (fullwidth and styled letters become
//! plain ones: "ＲＵＳＴ" and "𝐑𝐮𝐬𝐭" are "RUST" and "Rust"), lowercased, then
//! mapped by the confusable table of Unicode's UTS #39 (unicode-security:
//! the Cyrillic "руст"-style spellings of Latin words, "rn" for "m", "0"
//! for "O"), and lowercased again. A hand-kept list would miss most of the
//! table's six thousand entries.

use icu_normalizer::ComposingNormalizerBorrowed;
use unicode_security::confusable_detection::skeleton;

/// What a name looks like, for comparing: never shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSkeleton(String);

impl NameSkeleton {
    pub fn of(name: &str) -> Self {
        let plain = ComposingNormalizerBorrowed::new_nfkc().normalize(name);
        let mapped: String = skeleton(&plain.to_lowercase()).collect();
        NameSkeleton(mapped.to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        NameSkeleton::of(a) == NameSkeleton::of(b)
    }

    #[test]
    fn names_that_differ_only_in_case_width_or_style_look_alike() {
        assert!(same("Rust", "rust"));
        assert!(same("RUST", "rust"));
        assert!(same("ＲＵＳＴ", "rust"), "fullwidth");
        assert!(same("𝐑𝐮𝐬𝐭", "rust"), "mathematical bold");
    }

    #[test]
    fn letters_of_other_scripts_that_look_latin_look_alike() {
        // Cyrillic а, е, о, р, с in place of the Latin letters.
        assert!(same("\u{0440}\u{0430}\u{0443}\u{0440}\u{0430}l", "paypal"));
        assert!(same("ann\u{043E}unc\u{0435}ments", "announcements"));
        assert!(same("team", "tearn"), "rn reads as m");
        assert!(same("r00m", "room"), "zero reads as o");
    }

    #[test]
    fn different_names_stay_different() {
        assert!(!same("rust", "rest"));
        assert!(!same("general", "generals"));
        assert!(!same("café", "cafe"), "an accent is visible");
        assert!(!same("日本", "中国"));
    }
}
