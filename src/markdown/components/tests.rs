use super::*;

fn calls(body: &str) -> (Vec<Call>, Vec<Problem>) {
    find(body, &MarkdownConfig::default())
}

#[test]
fn arguments_are_typed_strings_numbers_booleans_and_arrays() {
    let body = "{{ chart(title=\"A \\\"b\\\"\", n=3, share=-0.5, on=true, tags=['x', \"y\"]) }}";
    let (found, problems) = calls(body);
    assert_eq!(problems, Vec::new());
    let args: Vec<(&str, &Value)> = found[0]
        .args
        .iter()
        .map(|a| (a.name.as_str(), &a.value))
        .collect();
    assert_eq!(
        args,
        [
            ("title", &Value::Str("A \"b\"".into())),
            ("n", &Value::Int(3)),
            ("share", &Value::Float(-0.5)),
            ("on", &Value::Bool(true)),
            (
                "tags",
                &Value::Array(vec![Value::Str("x".into()), Value::Str("y".into())])
            ),
        ]
    );
    assert_eq!(found[0].range, 0..body.len());
    assert!(!found[0].is_block());
}

#[test]
fn calls_in_code_spans_and_blocks_are_text() {
    let body = "`{{ a() }}` and\n\n```\n{% b() %}\n{% end %}\n```\n\n{{ c() }}\n";
    let (found, problems) = calls(body);
    assert_eq!(problems, Vec::new());
    let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["c"]);
}

#[test]
fn prose_braces_without_a_call_are_text() {
    let (found, problems) = calls("Tera prints {{ title }} and {% if x %} tags.");
    assert!(
        found.is_empty() && problems.is_empty(),
        "{found:?} {problems:?}"
    );
}

#[test]
fn blocks_nest_and_close_in_order() {
    let body = "{% outer() %}\n{% inner(x=1) %}\nhi\n{% end %}\n{% end %}\n";
    let (found, problems) = calls(body);
    assert_eq!(problems, Vec::new());
    assert_eq!(found[0].name, "outer");
    assert_eq!(
        found[0].end.as_ref().map(|r| &body[r.clone()]),
        Some("{% end %}")
    );
    assert_eq!(
        found[0].end.as_ref().map(|r| r.start),
        Some(body.rfind("{% end").unwrap_or(0))
    );
    assert_eq!(found[1].end.as_ref().map(|r| r.start), body.find("{% end"));
}

#[test]
fn an_unclosed_block_and_a_stray_end_are_reported_where_they_are() {
    let (found, problems) = calls("{% end %}\n\n{% quote(a=1) %}\ntext\n");
    assert!(found.is_empty());
    let at: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.at, p.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (0, "`{% end %}` closes no component"),
            (11, "block component `quote` is never closed"),
        ]
    );
}

#[test]
fn malformed_arguments_point_at_the_problem() {
    for (body, at, message) in [
        ("{{ a(x) }}", 6, "expected `=` after argument `x`"),
        ("{{ a(x=\"open) }}", 7, "this string is never closed"),
        ("{{ a(x=bare) }}", 7, "`bare` is not a value"),
        ("{{ a(x=1 ]) }}", 9, "expected `,` or `)` after an argument"),
        ("{{ a(x=1, x=2) }}", 10, "argument `x` is given twice"),
        // An apostrophe in single-quoted text: found in a Zola site's
        // Catalan page, where Zola printed the call as text.
        (
            "{{ a(text='Quan s'utilitza') }}",
            17,
            "the string of `text` ends here, inside a word",
        ),
        ("{{ a(x=1) %}", 10, "expected `}}` to end the call of `a`"),
    ] {
        let (_, problems) = calls(body);
        assert_eq!(
            problems.first().map(|p| (p.at, p.message.as_str())),
            Some((at, message)),
            "{body}"
        );
    }
}

/// The hints name the fix: which quote to use, where the comma goes.
#[test]
fn malformed_arguments_hint_at_the_fix() {
    let hint = |body: &str| {
        let (_, problems) = calls(body);
        problems.first().map(|p| p.hint.clone()).unwrap_or_default()
    };
    assert_eq!(
        hint("{{ a(text='Quan s'utilitza') }}"),
        "a `'` inside the text ends it: quote the value with `\"` instead (`text=\"…\"`)"
    );
    assert_eq!(hint("{{ a(x=1 ]) }}"), "separate arguments with commas");
}

/// Zola's grammar takes arguments separated by spaces alone, and Zola
/// sites use it (the tabi theme's docs, 45 calls): so does nutgraf.
#[test]
fn arguments_may_be_separated_by_spaces_as_in_zola() {
    let (found, problems) = calls("{{ a(src=\"a.webp\" alt=\"tabs\",n=2\n  ok=true) }}");
    assert!(problems.is_empty(), "{problems:?}");
    let names: Vec<&str> = found[0].args.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["src", "alt", "n", "ok"]);
}

#[test]
fn the_parse_copy_keeps_every_offset() {
    let body = "Intro {{ embed(url=\"u\") }} text.\n{% key_facts() %}\n- a\n{% end %}\n- b\n";
    let (found, _) = calls(body);
    let copy = parse_copy(body, &found).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(copy.len(), body.len());
    // Text outside calls is untouched, at the same offsets.
    for text in ["Intro ", " text.", "- a", "- b"] {
        assert_eq!(copy.find(text), body.find(text), "{text}");
    }
    assert_eq!(
        split_markers(&copy[..copy.find(" text").unwrap_or(0)]),
        [Ok("Intro "), Err(0)]
    );
    // The block's tags are lines of their own that end the list above.
    assert!(copy.contains("\n<!---->"), "{copy:?}");
}

#[test]
fn embeds_of_the_four_providers_and_nothing_else() {
    let cases = [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=5",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        ),
        (
            "https://vimeo.com/76979871",
            "vimeo",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1",
        ),
        (
            "https://datawrapper.dwcdn.net/Ab3dE/2/",
            "datawrapper",
            "https://datawrapper.dwcdn.net/Ab3dE/2/",
        ),
        (
            "https://public.flourish.studio/visualisation/1234567/",
            "flourish",
            "https://flo.uri.sh/visualisation/1234567/embed",
        ),
    ];
    for (url, provider, src) in cases {
        let e = embed(url).unwrap_or_else(|m| panic!("{m}"));
        assert_eq!((e.provider, e.src.as_str()), (provider, src), "{url}");
    }
    for url in [
        "https://youtube.com.example.org/watch?v=x",
        "https://example.org/video",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=<script>",
        "not a url",
    ] {
        assert!(embed(url).is_err(), "{url}");
    }
}

#[test]
fn timeline_dates_are_iso_and_shown_in_ap_style() {
    assert_eq!(
        timeline_date("2024-10-18"),
        Some(("2024-10-18".into(), "Oct. 18, 2024".into()))
    );
    assert_eq!(
        timeline_date("1972-06-30"),
        Some(("1972-06-30".into(), "June 30, 1972".into()))
    );
    assert_eq!(
        timeline_date("2016-12"),
        Some(("2016-12".into(), "December 2016".into()))
    );
    assert_eq!(timeline_date("2035"), Some(("2035".into(), "2035".into())));
    for bad in [
        "2024-02-30",
        "2024-13",
        "24-10-18",
        "October 2024",
        "2024-1-5",
        "",
    ] {
        assert_eq!(timeline_date(bad), None, "{bad}");
    }
}

#[test]
fn zola_escapes_are_unescaped_only_when_closed() {
    assert_eq!(unescape_zola("a {{/* b() */}} c"), "a {{ b() }} c");
    assert_eq!(
        unescape_zola("{%/* q() */%}x{%/* end */%}"),
        "{% q() %}x{% end %}"
    );
    assert_eq!(unescape_zola("{{/* open"), "{{/* open");
    assert_eq!(unescape_zola("{{ plain() }}"), "{{ plain() }}");
    let (found, problems) = calls("See {{/* a(x=1) */}} and {%/* b() */%}.");
    assert_eq!(problems, Vec::new());
    let literals: Vec<Option<&str>> = found.iter().map(|c| c.literal.as_deref()).collect();
    assert_eq!(literals, [Some("{{ a(x=1) }}"), Some("{% b() %}")]);
}
