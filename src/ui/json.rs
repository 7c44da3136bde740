//! One JSON reader for the whole page. serde_json builds its parser once
//! per type *and* per input kind: server functions read their answers from
//! bytes (`from_slice`), while Leptos's default resource codec and a plain
//! `from_str` read from a `&str`, which compiled every page type twice.
//! Resources and socket events read through `from_slice` here too, so the
//! browser bundle carries one parser per type.

use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// Reads JSON text as server functions do.
pub fn from_text<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}

/// A resource codec: JSON, read through [`from_text`].
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        from_text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::User;

    #[test]
    fn reads_back_what_it_writes() {
        let user: User = from_text(r#"{"id":"7","username":"alice"}"#).unwrap();
        let text = <Json as Encoder<User>>::encode(&user).unwrap();
        assert_eq!(<Json as Decoder<User>>::decode(&text).unwrap(), user);
        assert!(from_text::<User>("{").is_err());
    }
}
