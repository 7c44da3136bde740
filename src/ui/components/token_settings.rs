//! The reader's API tokens, on the settings page (`/settings`): the list,
//! each with a Revoke button, a form to make one, and the token just made,
//! shown this once. Plain HTML forms to the token endpoints, which land
//! back here; written by the server (see `search::MessageSearch`), with or
//! without JavaScript.

use crate::model::TokenSettings;
use crate::ui::format::{day, escape};

use super::search::CLOSE;

/// The settings panel as HTML, every text in it escaped.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn settings_html(settings: &TokenSettings) -> String {
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
    html.push_str(CLOSE);
    html
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
        let html = settings_html(&settings);
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
        let empty = settings_html(&TokenSettings {
            tokens: Vec::new(),
            made: None,
        });
        assert!(
            empty.contains("You have no API tokens.") && !empty.contains("class=\"token\""),
            "{empty}"
        );
    }
}
