//! Strict reading of `application/x-www-form-urlencoded` bodies. Common
//! form parsers decode leniently: `%zz` passes through as text and `%FF`
//! turns into U+FFFD, so a malformed body would be stored as something
//! nobody sent. Here every `%` must start two hex digits and every decoded
//! name and value must be UTF-8, or the body is refused (400).

use crate::error::AppError;

/// The name and value pairs of a form body, in order, decoded.
pub fn pairs(body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// Refuses a body that `pairs` would refuse, without keeping the pairs.
pub fn check(body: &[u8]) -> Result<(), AppError> {
    pairs(body).map(drop)
}

/// One name or value: `+` is a space, `%XY` the byte XY.
fn decode(field: &[u8]) -> Result<String, AppError> {
    let mut bytes = Vec::with_capacity(field.len());
    let mut rest = field.iter();
    while let Some(&byte) = rest.next() {
        bytes.push(match byte {
            b'+' => b' ',
            b'%' => {
                let high = rest.next().and_then(|&b| hex(b));
                let low = rest.next().and_then(|&b| hex(b));
                match (high, low) {
                    (Some(high), Some(low)) => high << 4 | low,
                    _ => {
                        return Err(AppError::BadInput(
                            "The form is malformed: a % must start two hex digits (%20).".into(),
                        ))
                    }
                }
            }
            other => other,
        });
    }
    String::from_utf8(bytes)
        .map_err(|_| AppError::BadInput("The form is not UTF-8: send UTF-8 form fields.".into()))
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn a_well_formed_body_decodes() {
        assert_eq!(
            pairs(b"a=1&text=deploy+%F0%9F%9A%80&flag&=x&&").unwrap(),
            owned(&[("a", "1"), ("text", "deploy 🚀"), ("flag", ""), ("", "x")])
        );
        assert_eq!(pairs(b"").unwrap(), owned(&[]));
        assert_eq!(pairs(b"q=%2B%25%26").unwrap(), owned(&[("q", "+%&")]));
    }

    #[test]
    fn bad_escapes_are_refused() {
        for body in [
            &b"a=%zz"[..],
            b"a=%",
            b"a=%4",
            b"a=%4g",
            b"%=1",
            b"a=1&b=%%41",
        ] {
            let err = check(body).unwrap_err();
            assert_eq!(err.status(), 400, "{body:?}");
            assert!(err.to_string().contains('%'), "{err}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_escaped_or_raw() {
        for body in [
            &b"a=%ff%fe"[..],
            b"text=%C3",
            b"%ff=1",
            &[0xc3, 0x28],
            b"a=\xff",
        ] {
            let err = check(body).unwrap_err();
            assert_eq!(err.status(), 400, "{body:?}");
            assert!(err.to_string().contains("UTF-8"), "{err}");
        }
    }
}
