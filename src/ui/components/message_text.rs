//! A message's text as the log shows it: the Markdown subset of
//! `ui::markdown` as elements, every piece of text a text node, and links
//! (http and https only) opening apart from the page.

use leptos::either::{EitherOf3, EitherOf5};
use leptos::prelude::*;

use crate::ui::markdown::{blocks, Block, Span};

/// The blocks of `text`: paragraphs, quotes and code.
pub fn message_text(text: &str) -> impl IntoView {
    blocks(text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(spans) => EitherOf3::A(view! { <p>{spans_view(spans)}</p> }),
            Block::Quote(spans) => {
                EitherOf3::B(view! { <blockquote>{spans_view(spans)}</blockquote> })
            }
            Block::Code(code) => EitherOf3::C(view! { <pre><code>{code}</code></pre> }),
        })
        .collect_view()
}

fn spans_view(spans: Vec<Span>) -> impl IntoView {
    spans
        .into_iter()
        .map(|span| match span {
            Span::Text(text) => EitherOf5::A(text),
            Span::Bold(text) => EitherOf5::B(view! { <strong>{text}</strong> }),
            Span::Italic(text) => EitherOf5::C(view! { <em>{text}</em> }),
            Span::Code(text) => EitherOf5::D(view! { <code>{text}</code> }),
            Span::Link(href) => {
                let shown = href.clone();
                EitherOf5::E(
                    view! { <a href=href target="_blank" rel="noopener noreferrer nofollow">{shown}</a> },
                )
            }
        })
        .collect_view()
}
