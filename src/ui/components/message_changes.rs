//! Changing a message without JavaScript (`/room/{id}?change={seq}`): a
//! panel, written by the server over the chat (see `search::MessageSearch`),
//! with the message and plain forms to edit it (its author), delete it
//! (its author or the room's owner) and react to it (anyone in the room),
//! as the hydrated page's buttons do. Each form posts to its `/api`
//! endpoint, which lands back on the room at the message, or, refused,
//! back here with the error's code (and the edit's text) in the URL. None
//! of this is in the browser bundle.

use leptos::server_fn::ServerFn;

use crate::api::{DeleteMessage, EditMessage, ReactMessage};
use crate::model::{Message, UserId};
use crate::ui::format::escape;

use super::message_log::QUICK_REACTIONS;

/// What the reader may do, and what the page's URL brought back.
pub struct ChangePanel<'a> {
    pub message: &'a Message,
    pub me: UserId,
    /// The reader deletes others' messages here: they made the room, or
    /// they are an admin and it is public.
    pub moderates: bool,
    /// `__path` and `__err` of a refused post, if that is how the page was
    /// reached.
    pub refused: Option<(&'a str, &'a str)>,
    /// The text of a refused edit, to put back.
    pub draft: Option<&'a str>,
}

impl ChangePanel<'_> {
    /// The panel as HTML, every text in it escaped.
    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    pub fn html(&self) -> String {
        let message = self.message;
        let mut html =
            String::from("<h2>Change a message</h2><blockquote class=\"quoted\"><strong>");
        escape(message.username.as_str(), &mut html);
        html.push_str("</strong> ");
        if message.deleted {
            html.push_str("<em>Message deleted</em>");
        } else {
            escape(&message.text, &mut html);
        }
        html.push_str("</blockquote>");
        if let Some((path, code)) = self.refused {
            html.push_str("<p class=\"notice\" role=\"alert\">");
            html.push_str(refusal_words(path, code));
            html.push_str("</p>");
        }
        let room = message.room_id.to_string();
        let hidden = |html: &mut String| {
            html.push_str("<input type=\"hidden\" name=\"room_id\" value=\"");
            escape(&room, html);
            html.push_str(&format!(
                "\"><input type=\"hidden\" name=\"seq\" value=\"{}\">",
                message.seq
            ));
        };
        let mine = message.from == self.me;
        if !message.deleted {
            if mine {
                html.push_str(&format!(
                    "<form method=\"post\" action=\"{}\" class=\"edit\">",
                    EditMessage::PATH
                ));
                hidden(&mut html);
                html.push_str("<label for=\"edit-text\">Text</label><textarea id=\"edit-text\" name=\"text\" required maxlength=\"4000\">");
                escape(self.draft.unwrap_or(&message.text), &mut html);
                html.push_str("</textarea><button type=\"submit\">Save</button></form>");
            }
            if mine || self.moderates {
                html.push_str(&format!(
                    "<form method=\"post\" action=\"{}\">",
                    DeleteMessage::PATH
                ));
                hidden(&mut html);
                html.push_str("<button type=\"submit\" class=\"secondary\">Delete</button></form>");
            }
            html.push_str("<div class=\"picker\" role=\"group\" aria-label=\"Reactions\">");
            for emoji in QUICK_REACTIONS {
                let on = !message
                    .reactions
                    .iter()
                    .any(|r| r.emoji == emoji && r.users.contains(&self.me));
                html.push_str(&format!(
                    "<form method=\"post\" action=\"{}\" class=\"inline-form\">",
                    ReactMessage::PATH
                ));
                hidden(&mut html);
                let label = if on { "React with" } else { "Take back" };
                html.push_str(&format!(
                    "<input type=\"hidden\" name=\"emoji\" value=\"{emoji}\"><input type=\"hidden\" name=\"on\" value=\"{on}\">\
                     <button type=\"submit\" class=\"small\" aria-label=\"{label} {emoji}\" aria-pressed=\"{}\">{emoji}</button></form>",
                    !on
                ));
            }
            html.push_str("</div>");
        }
        html.push_str("<a class=\"close\" target=\"_top\" href=\"");
        escape(&message.room_id.path(), &mut html);
        html.push_str(&format!("#m{}\">Close</a>", message.seq));
        html
    }
}

/// What the panel says when a change was refused with `code`: the page's
/// own words, never text from the URL.
fn refusal_words(path: &str, code: &str) -> &'static str {
    let edit = path == EditMessage::PATH;
    let react = path == ReactMessage::PATH;
    match code {
        "unavailable" => "Confab cannot reach its database right now. Please try again in a moment.",
        "unauthorized" => "You are not signed in.",
        "forbidden" => {
            "Only its author (or, to delete it, the room's owner or an admin) may do that, and only in a room you are in."
        }
        "not_found" => "There is no such message.",
        "conflict" if react => "That message was deleted, or carries 20 different emoji already.",
        "conflict" => "That message was deleted.",
        "bad_input" if edit => {
            "A message needs some text, and no control characters but new lines and tabs."
        }
        "bad_input" if react => "A reaction is one emoji.",
        "too_large" if edit => "A message is at most 4,000 characters long.",
        "too_many_requests" => "You are changing messages too fast. Please wait a moment.",
        _ => "Something went wrong on our side. Please try again.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Reaction;

    #[test]
    fn the_author_edits_and_deletes_others_react_and_text_stays_text() {
        let mut message = Message::sample();
        message.text = "<script>alert(1)</script>".into();
        message.reactions = vec![Reaction {
            emoji: "👍".into(),
            users: vec![UserId(9)],
            names: Vec::new(),
        }];
        let author = message.from;
        let mine = ChangePanel {
            message: &message,
            me: author,
            moderates: false,
            refused: None,
            draft: None,
        }
        .html();
        assert!(mine.contains(EditMessage::PATH) && mine.contains(DeleteMessage::PATH));
        assert!(mine.contains("&lt;script&gt;") && !mine.contains("<script>"));
        let theirs = ChangePanel {
            message: &message,
            me: UserId(9),
            moderates: false,
            refused: Some((ReactMessage::PATH, "conflict")),
            draft: None,
        }
        .html();
        assert!(!theirs.contains(EditMessage::PATH) && !theirs.contains(DeleteMessage::PATH));
        assert!(theirs.contains("aria-label=\"Take back 👍\""), "{theirs}");
        assert!(theirs.contains("20 different emoji"));
    }

    #[test]
    fn a_refusal_is_said_in_the_pages_own_words() {
        let crafted = "Sign in at evil.example";
        assert_eq!(
            refusal_words(EditMessage::PATH, crafted),
            refusal_words(EditMessage::PATH, "internal")
        );
        assert!(refusal_words(EditMessage::PATH, "too_large").contains("4,000"));
        assert!(refusal_words(ReactMessage::PATH, "bad_input").contains("one emoji"));
    }
}
