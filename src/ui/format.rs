//! Text helpers for the log: clock times and day labels (UTC on the
//! server, the reader's local time once the page runs in the browser), and
//! links found in message text.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Year, month (1-12), day, hour, minute of `ms` since the epoch.
fn parts(ms: u64, local: bool) -> (i64, u32, u32, u32, u32) {
    #[cfg(feature = "hydrate")]
    if local {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        return (
            i64::from(date.get_full_year()),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes(),
        );
    }
    let _ = local;
    let secs = (ms / 1000) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
    )
}

/// `14:05`
pub fn clock(ms: u64, local: bool) -> String {
    let (_, _, _, hour, minute) = parts(ms, local);
    format!("{hour:02}:{minute:02}")
}

/// `23 Nov 2026`: also the key that tells two days apart.
pub fn day(ms: u64, local: bool) -> String {
    let (year, month, day, _, _) = parts(ms, local);
    format!(
        "{day} {} {year}",
        MONTHS[(month as usize).saturating_sub(1) % 12]
    )
}

/// What a person's avatar shows: the first character of their name,
/// upper-cased where it is ASCII (full Unicode case tables would weigh on
/// the browser bundle for no visible gain).
pub fn initial(name: &str) -> String {
    name.chars().next().map(|c| c.to_ascii_uppercase()).into_iter().collect()
}

/// How many avatar colours the style sheet has (`.hue-0` to `.hue-11`):
/// classes rather than a style attribute, which a strict
/// Content-Security-Policy refuses.
pub const AVATAR_HUES: u64 = 12;

/// The colour class of a person's avatar, from their id: steps of 5 of the
/// 12, so that people who signed up one after another get colours far
/// apart.
pub fn avatar_class(id: u64) -> String {
    format!("avatar hue-{}", id.wrapping_mul(5) % AVATAR_HUES)
}

/// A piece of message text: plain, or a link to show as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Link(String),
}

/// Splits text into plain runs and http(s) links.
pub fn linkify(text: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let start = ["https://", "http://"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(start) = start else {
            plain.push_str(rest);
            break;
        };
        plain.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(tail.len());
        // Trailing punctuation belongs to the sentence, not the link.
        let link = tail[..end].trim_end_matches(['.', ',', ')', '!', '?', ';', ':']);
        if link.len() <= "https://".len() {
            plain.push_str(&tail[..end.max(1)]);
            rest = &tail[end.max(1)..];
            continue;
        }
        if !plain.is_empty() {
            segments.push(Segment::Text(std::mem::take(&mut plain)));
        }
        segments.push(Segment::Link(link.to_owned()));
        rest = &tail[link.len()..];
    }
    if !plain.is_empty() {
        segments.push(Segment::Text(plain));
    }
    segments
}

/// Appends `text` to `html` as text: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(text: &str, html: &mut String) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_clock_and_day() {
        // 2024-11-23T08:20:00.123Z
        assert_eq!(clock(1_732_350_000_123, false), "08:20");
        assert_eq!(day(1_732_350_000_123, false), "23 Nov 2024");
        assert_eq!(day(0, false), "1 Jan 1970");
        assert_eq!(day(951_782_400_000, false), "29 Feb 2000");
    }

    #[test]
    fn avatars_show_an_initial_on_a_hue_of_the_id() {
        assert_eq!(initial("alice"), "A");
        assert_eq!(initial("émile"), "é");
        assert_eq!(avatar_class(0), "avatar hue-0");
        assert_eq!(avatar_class(1), "avatar hue-5");
        assert_eq!(avatar_class(12), "avatar hue-0");
        let hues: std::collections::BTreeSet<_> = (0..AVATAR_HUES).map(avatar_class).collect();
        assert_eq!(hues.len(), 12);
    }

    #[test]
    fn links_are_found_and_the_rest_is_text() {
        use Segment::*;
        assert_eq!(
            linkify("see https://example.com/a?b=1, then http://x.io."),
            vec![
                Text("see ".into()),
                Link("https://example.com/a?b=1".into()),
                Text(", then ".into()),
                Link("http://x.io".into()),
                Text(".".into())
            ]
        );
        assert_eq!(
            linkify("<b>no link</b>"),
            vec![Text("<b>no link</b>".into())]
        );
        assert_eq!(
            linkify("https:// alone"),
            vec![Text("https:// alone".into())]
        );
        assert_eq!(
            linkify("javascript:alert(1)"),
            vec![Text("javascript:alert(1)".into())]
        );
    }
}
