//! The settings page (`/settings`): the reader's API tokens, each with a
//! Revoke button, a form to make one, and the token just made, shown this
//! once; the rooms the reader made, each with a Delete button that asks to
//! be confirmed; and the people the reader blocked, each with Unblock, and
//! a form to block one by name. Plain HTML forms to the endpoints, which
//! land back here; written by the server (see `search::MessageSearch`), with or
//! without JavaScript.

use crate::model::{Room, TokenSettings, User};
use crate::ui::format::{day, escape};

use super::search::CLOSE;

/// The settings panel as HTML, every text in it escaped.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn settings_html(settings: &TokenSettings, made_rooms: &[Room], blocked: &[User]) -> String {
    let mut html = String::from("<h2>API tokens</h2>");
    html.push_str(
        "<p class=\"hint\">A token lets a program (a bot, a script) use Confab as you: \
         send it as <code>Authorization: Bearer</code>. See docs/api.md.</p>",
    );
    if let Some(made) = &settings.made {
        html.push_str("<div class=\"made\" role=\"status\"><p>Your new token “");
        escape(made.name.as_str(), &mut html);
        html.push_str("”: copy it now, it is not shown again.</p><p><code class=\"token\">");
        escape(&made.token, &mut html);
        html.push_str("</code></p></div>");
    }
    if settings.tokens.is_empty() {
        html.push_str("<p class=\"empty\">You have no API tokens.</p>");
    } else {
        html.push_str("<ul aria-label=\"API tokens\">");
        for token in &settings.tokens {
            html.push_str("<li><span>");
            escape(token.name.as_str(), &mut html);
            html.push_str(" · made ");
            html.push_str(&day(token.created, false));
            html.push_str(
                "</span><form method=\"post\" action=\"/api/tokens/revoke\"><input type=\"hidden\" name=\"id\" value=\"",
            );
            escape(&token.id.to_string(), &mut html);
            html.push_str("\"><button type=\"submit\" class=\"secondary\" aria-label=\"Revoke ");
            escape(token.name.as_str(), &mut html);
            html.push_str("\">Revoke</button></form></li>");
        }
        html.push_str("</ul>");
    }
    html.push_str(
        "<form method=\"post\" action=\"/api/tokens/create\" class=\"make-token\">\
         <label for=\"token-name\">Token name</label>\
         <input id=\"token-name\" name=\"name\" maxlength=\"64\" required>\
         <button type=\"submit\">Create token</button></form>",
    );
    rooms_html(made_rooms, &mut html);
    blocked_html(blocked, &mut html);
    html.push_str(CLOSE);
    html
}

/// The people the reader blocked, each with an Unblock form, and a form
/// to block one more by name.
fn blocked_html(blocked: &[User], html: &mut String) {
    html.push_str(
        "<h2>Blocked people</h2><p class=\"hint\">No direct room opens between you and \
         a person you block, and their mentions of you count for nothing.</p>",
    );
    if blocked.is_empty() {
        html.push_str("<p class=\"empty\">You have blocked nobody.</p>");
    } else {
        html.push_str("<ul aria-label=\"Blocked people\">");
        for user in blocked {
            html.push_str("<li><span>");
            escape(user.username.as_str(), html);
            html.push_str(
                "</span><form method=\"post\" action=\"/api/users/unblock\">\
                 <input type=\"hidden\" name=\"user_id\" value=\"",
            );
            escape(&user.id.to_string(), html);
            html.push_str("\"><button type=\"submit\" class=\"secondary\" aria-label=\"Unblock ");
            escape(user.username.as_str(), html);
            html.push_str("\">Unblock</button></form></li>");
        }
        html.push_str("</ul>");
    }
    html.push_str(
        "<form method=\"post\" action=\"/api/users/block\" class=\"make-token\">\
         <label for=\"block-name\">Username to block</label>\
         <input id=\"block-name\" name=\"username\" maxlength=\"32\" required>\
         <button type=\"submit\">Block</button></form>",
    );
}

/// The rooms the reader made, each with a Delete form; deleting needs its
/// box ticked (the browser asks, with or without JavaScript).
fn rooms_html(made_rooms: &[Room], html: &mut String) {
    html.push_str("<h2>Rooms you made</h2>");
    if made_rooms.is_empty() {
        html.push_str("<p class=\"empty\">You have made no rooms.</p>");
        return;
    }
    html.push_str("<ul aria-label=\"Rooms you made\">");
    for room in made_rooms {
        html.push_str("<li><span>#");
        escape(&room.name, html);
        html.push_str(
            "</span><form method=\"post\" action=\"/api/rooms/delete\" class=\"delete-room\">\
             <input type=\"hidden\" name=\"room_id\" value=\"",
        );
        escape(&room.id.to_string(), html);
        html.push_str(
            "\"><label><input type=\"checkbox\" required> for everyone, with its messages</label>",
        );
        html.push_str("<button type=\"submit\" class=\"danger\" aria-label=\"Delete ");
        escape(&room.name, html);
        html.push_str("\">Delete</button></form></li>");
    }
    html.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApiTokenInfo, CredentialId, NewApiToken, TokenName};

    #[test]
    fn names_are_text_and_the_new_token_shows_once() {
        let name = TokenName::parse("<b>ci</b> & \"bot\"").unwrap();
        let settings = TokenSettings {
            tokens: vec![ApiTokenInfo {
                id: CredentialId(3),
                name: name.clone(),
                created: 0,
            }],
            made: Some(NewApiToken {
                id: CredentialId(3),
                name,
                token: "confab_abc".into(),
                created: 0,
            }),
        };
        let html = settings_html(&settings, &[], &[]);
        assert!(!html.contains("<b>ci"), "{html}");
        assert!(
            html.contains("&lt;b&gt;ci&lt;/b&gt; &amp; &quot;bot&quot; · made 1 Jan 1970"),
            "{html}"
        );
        assert!(
            html.contains("<code class=\"token\">confab_abc</code>"),
            "{html}"
        );
        assert!(html.contains("name=\"id\" value=\"3\""), "{html}");
        let empty = settings_html(
            &TokenSettings {
                tokens: Vec::new(),
                made: None,
            },
            &[],
            &[],
        );
        assert!(
            empty.contains("You have no API tokens.") && !empty.contains("class=\"token\""),
            "{empty}"
        );
    }

    #[test]
    fn made_rooms_each_have_a_delete_form_that_asks_first() {
        let rooms = [Room {
            id: crate::model::RoomId::Public(7),
            name: "<i>ops</i>".into(),
            kind: crate::model::RoomKind::Public,
            owner: None,
        }];
        let none = TokenSettings {
            tokens: Vec::new(),
            made: None,
        };
        let html = settings_html(&none, &rooms, &[]);
        assert!(html.contains("#&lt;i&gt;ops&lt;/i&gt;"), "{html}");
        assert!(html.contains("action=\"/api/rooms/delete\""), "{html}");
        assert!(html.contains("name=\"room_id\" value=\"7\""), "{html}");
        assert!(html.contains("type=\"checkbox\" required"), "{html}");
        assert!(settings_html(&none, &[], &[]).contains("You have made no rooms."));
    }

    #[test]
    fn blocked_people_each_have_an_unblock_form() {
        let none = TokenSettings {
            tokens: Vec::new(),
            made: None,
        };
        let blocked = [User {
            id: crate::model::UserId(9),
            username: crate::model::Username::parse("mallory").unwrap(),
        }];
        let html = settings_html(&none, &[], &blocked);
        assert!(html.contains("aria-label=\"Unblock mallory\""), "{html}");
        assert!(html.contains("name=\"user_id\" value=\"9\""), "{html}");
        assert!(html.contains("action=\"/api/users/block\""), "{html}");
        assert!(settings_html(&none, &[], &[]).contains("You have blocked nobody."));
    }
}
