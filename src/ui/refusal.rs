//! The refusal of a plain form post, in the page's own words. Without a
//! script in between, the server sends the browser back to the page the
//! form was on with `__path` (which form) and `__err` (the error's code,
//! [`AppError::code`](crate::error::AppError::code)) in the URL; the page
//! reads them, on the server and in the browser alike.
//!
//! The URL carries a code, never a sentence: a crafted link can only pick
//! one of the sentences below, so it cannot make the page say "sign in at
//! evil.example". Confab's account forms and composer post this way
//! whether or not JavaScript runs, so they need no action machinery in the
//! browser bundle (see docs/benchmarks.md, "Browser bundle").

use leptos::server_fn::ServerFn;

use crate::api::{CreateRoom, JoinRoom, Login, Register, SendMessage};
use crate::ui::location::Location;

/// A form that posts without a script and may come back refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    SignIn,
    CreateAccount,
    Send,
    CreateRoom,
    JoinRoom,
}

impl Form {
    /// The server function the form posts to.
    fn path(self) -> &'static str {
        match self {
            Form::SignIn => Login::PATH,
            Form::CreateAccount => Register::PATH,
            Form::Send => SendMessage::PATH,
            Form::CreateRoom => CreateRoom::PATH,
            Form::JoinRoom => JoinRoom::PATH,
        }
    }

    /// What the page says when this form was refused with `code`.
    pub fn words(self, code: &str) -> &'static str {
        match (self, code) {
            (_, "unavailable") => {
                "Confab cannot reach its database right now. Please try again in a moment."
            }
            (Form::SignIn, "unauthorized" | "bad_input") => "Wrong username or password.",
            (Form::SignIn | Form::CreateAccount, "too_many_requests") => {
                "Too many sign-in attempts. Please wait a few minutes and try again."
            }
            (Form::CreateAccount, "conflict") => "That username is taken. Please choose another.",
            (Form::CreateAccount, "bad_input" | "too_large") => {
                "A username is 3 to 32 letters, digits, _, - or ., and a password 8 to 256 characters."
            }
            (Form::Send, "unauthorized") => "You are not signed in.",
            (Form::Send, "forbidden") => "You are not a member of this room.",
            (Form::Send, "not_found") => "There is no such room.",
            (Form::Send, "bad_input") => {
                "A message needs some text, and no control characters but new lines and tabs."
            }
            (Form::Send, "too_large") => "A message is at most 4,000 characters long.",
            (Form::Send, "too_many_requests") => {
                "You are sending messages too fast. Please wait a moment."
            }
            (Form::CreateRoom, "bad_input") => {
                "A room needs a name, without control, invisible or direction-changing characters."
            }
            (Form::CreateRoom, "too_large") => "A room name is at most 64 characters long.",
            (Form::CreateRoom, "conflict") => {
                "A room of that name, or a name that looks like it, exists already."
            }
            (Form::CreateRoom, "forbidden" | "too_many_requests") => {
                "You have made as many rooms as you may for now."
            }
            (Form::JoinRoom, "not_found") => "That room no longer exists.",
            (Form::JoinRoom, "forbidden") => "That room is not open to join.",
            (Form::JoinRoom, "too_many_requests") => {
                "You are joining and leaving rooms too fast. Please wait a minute."
            }
            _ => "Something went wrong on our side. Please try again.",
        }
    }
}

/// Why the last post of `form` was refused, if that is how this page was
/// reached.
pub fn refused(form: Form) -> Option<&'static str> {
    let location = Location::current();
    if location.query_untracked("__path")? != form.path() {
        return None;
    }
    Some(form.words(&location.query_untracked("__err")?))
}

/// What the refused post of `form` kept for the page to put back (`key`
/// in the URL beside the refusal), if that is how this page was reached.
pub fn kept(form: Form, key: &str) -> Option<String> {
    let location = Location::current();
    if location.query_untracked("__path")? != form.path() {
        return None;
    }
    location.query_untracked(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_picks_one_of_the_page_s_own_sentences() {
        assert_eq!(
            Form::SignIn.words("unauthorized"),
            "Wrong username or password."
        );
        assert!(Form::CreateAccount.words("conflict").contains("taken"));
        assert!(Form::Send.words("forbidden").contains("not a member"));
        // Whatever else a link carries is never shown.
        let crafted = "Sign in at evil.example";
        assert!(Form::CreateRoom.words("conflict").contains("exists"));
        for form in [
            Form::SignIn,
            Form::CreateAccount,
            Form::Send,
            Form::CreateRoom,
            Form::JoinRoom,
        ] {
            assert!(!form.words(crafted).contains("evil"));
            assert_eq!(form.words(crafted), form.words("internal"));
        }
    }
}
