//! Components called from Markdown with Zola's shortcode syntax: inline
//! `{{ name(key="value", n=3) }}` and block `{% name(key="value") %}` …
//! `{% end %}`. This module finds the calls outside code, parses their
//! arguments, checks them against the component's signature and rewrites
//! the Markdown so that a block's body is parsed as part of the page (its
//! figures are the page's figures). The templates themselves are Tera 2
//! components, rendered through [`Library`] (the theme implements it).

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};
use serde::Serialize;

use crate::config::MarkdownConfig;
use crate::diagnostic::did_you_mean;

/// An argument's value, typed as the call wrote it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Value>),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
        }
    }
}

/// The type a component declares for an argument (Tera's types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    String,
    Bool,
    Integer,
    Float,
    Number,
    Array,
    /// Maps, bytes: no Markdown value has them.
    Other(&'static str),
}

impl ArgType {
    fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (ArgType::String, Value::Str(_))
                | (ArgType::Bool, Value::Bool(_))
                | (ArgType::Integer, Value::Int(_))
                | (
                    ArgType::Float | ArgType::Number,
                    Value::Float(_) | Value::Int(_)
                )
                | (ArgType::Array, Value::Array(_))
        )
    }

    fn name(self) -> &'static str {
        match self {
            ArgType::String => "a string",
            ArgType::Bool => "a boolean",
            ArgType::Integer => "an integer",
            ArgType::Float | ArgType::Number => "a number",
            ArgType::Array => "an array",
            ArgType::Other(name) => name,
        }
    }
}

/// One declared argument of a component.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub required: bool,
    pub ty: Option<ArgType>,
}

/// What a component takes: its writer-facing arguments (implicit ones,
/// which nutgraf fills, are left out).
#[derive(Debug, Clone, Default)]
pub struct Signature {
    pub params: Vec<Param>,
}

/// The components a site can call: the theme's Tera instance.
pub trait Library: Sync {
    fn signature(&self, name: &str) -> Option<Signature>;
    /// Every callable name, for "did you mean".
    fn names(&self) -> Vec<String>;
    /// Renders `name`; the error is the template's diagnostic (its file,
    /// line and message).
    fn render(
        &self,
        name: &str,
        args: &[(&str, &Value)],
        implicits: &[(&str, Value)],
        body: Option<&str>,
    ) -> Result<String, crate::diagnostic::Diagnostic>;
}

/// A problem with a call, at a byte offset of the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: usize,
    pub message: String,
    pub hint: String,
}

fn problem(at: usize, message: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        at,
        message: message.into(),
        hint: hint.into(),
    }
}

/// One argument as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    /// Offset of the argument's name in the body.
    pub at: usize,
    pub value: Value,
}

/// A component call found in a page's Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    /// The call's text: `{{ … }}`, or a block's opening `{% … %}`.
    pub range: Range<usize>,
    pub args: Vec<Arg>,
    /// A block's closing `{% end %}`; `None` for an inline call.
    pub end: Option<Range<usize>>,
    /// Zola's escaped call, `{{/* name() */}}` or `{%/* name() */%}`: not
    /// a call but this text (`{{ name() }}`), as Zola prints it.
    pub literal: Option<String>,
}

impl Call {
    pub fn is_block(&self) -> bool {
        self.end.is_some()
    }

    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|a| a.name == name).map(|a| &a.value)
    }
}

/// The built-in components and whether each takes a body. A site may
/// replace their templates, not their shape: Markdown written for one
/// theme keeps working with another.
pub const BUILTINS: &[(&str, bool)] = &[
    ("key_facts", true),
    ("pull_quote", true),
    ("timeline", true),
    ("embed", false),
    ("gallery", true),
];

/// Every component call in `body` outside code spans and code blocks, in
/// order of their opening, and the problems met (an unclosed block, a
/// stray `{% end %}`, a malformed argument list).
pub fn find(body: &str, markdown: &MarkdownConfig) -> (Vec<Call>, Vec<Problem>) {
    let bytes = body.as_bytes();
    if memchr::memmem::find(bytes, b"{{").is_none() && memchr::memmem::find(bytes, b"{%").is_none()
    {
        return (Vec::new(), Vec::new());
    }
    let code = code_ranges(body, markdown);
    let mut calls: Vec<Call> = Vec::new();
    let mut problems = Vec::new();
    // Indices in `calls` of the blocks still open.
    let mut open: Vec<usize> = Vec::new();
    let mut code_at = 0;
    let mut pos = 0;
    while let Some(found) = memchr::memchr(b'{', &bytes[pos..]) {
        let at = pos + found;
        pos = at + 1;
        let block = match bytes.get(at + 1) {
            Some(b'{') => false,
            Some(b'%') => true,
            _ => continue,
        };
        while code_at < code.len() && code[code_at].end <= at {
            code_at += 1;
        }
        if code.get(code_at).is_some_and(|r| r.start <= at) {
            continue;
        }
        if bytes[at + 2..].starts_with(b"/*") {
            // Zola's escape: the call's text, printed without the `/* */`.
            let close = if block { "*/%}" } else { "*/}}" };
            if let Some(j) = body[at + 4..].find(close).map(|j| at + 4 + j) {
                let (open, shut) = if block { ("{%", "%}") } else { ("{{", "}}") };
                calls.push(Call {
                    name: String::new(),
                    range: at..j + close.len(),
                    args: Vec::new(),
                    end: None,
                    literal: Some(format!("{open}{}{shut}", &body[at + 4..j])),
                });
                pos = j + close.len();
            }
            continue;
        }
        let mut p = Scanner {
            text: body,
            pos: at + 2,
        };
        p.skip_space();
        let name = p.ident();
        if name.is_empty() {
            continue;
        }
        if block && name == "end" {
            p.skip_space();
            if !p.eat("%}") {
                continue;
            }
            match open.pop() {
                Some(k) => calls[k].end = Some(at..p.pos),
                None => problems.push(problem(
                    at,
                    "`{% end %}` closes no component",
                    "remove it, or open the block before it with `{% name(…) %}`",
                )),
            }
            pos = p.pos;
            continue;
        }
        p.skip_space();
        if !p.eat("(") {
            // `{{ title }}` in prose is text, as in Zola: only a name
            // followed by `(` is a call.
            continue;
        }
        let close = if block { "%}" } else { "}}" };
        match p.args().and_then(|args| {
            p.skip_space();
            if p.eat(close) {
                Ok(args)
            } else {
                Err(problem(
                    p.pos,
                    format!("expected `{close}` to end the call of `{name}`"),
                    format!(
                        "write the call as `{}{name}(key=\"value\"){}`",
                        if block { "{% " } else { "{{ " },
                        if block { " %}" } else { " }}" }
                    ),
                ))
            }
        }) {
            Ok(args) => {
                if block {
                    open.push(calls.len());
                }
                calls.push(Call {
                    name: name.to_string(),
                    range: at..p.pos,
                    args,
                    end: block.then_some(0..0),
                    literal: None,
                });
                pos = p.pos;
            }
            Err(e) => problems.push(e),
        }
    }
    for k in open.into_iter().rev() {
        let call = calls.remove(k);
        problems.push(problem(
            call.range.start,
            format!("block component `{}` is never closed", call.name),
            "end its body with `{% end %}` on a line of its own",
        ));
    }
    (calls, problems)
}

/// `text` with Zola's escaped calls unescaped: `{{/* name() */}}` becomes
/// `{{ name() }}` and `{%/* name() */%}` becomes `{% name() %}`. Zola does
/// this everywhere, code included, so the pages that document its
/// shortcodes show them as their authors meant.
pub fn unescape_zola(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("{{/*") && !text.contains("{%/*") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = [("{{/*", "*/}}", "{{", "}}"), ("{%/*", "*/%}", "{%", "%}")]
            .into_iter()
            .filter_map(|(o, c, no, nc)| rest.find(o).map(|i| (i, o, c, no, nc)))
            .min_by_key(|&(i, ..)| i);
        let Some((i, open, close, new_open, new_close)) = next else {
            break;
        };
        let inner_start = i + open.len();
        match rest[inner_start..].find(close) {
            Some(j) => {
                out.push_str(&rest[..i]);
                out.push_str(new_open);
                out.push_str(&rest[inner_start..inner_start + j]);
                out.push_str(new_close);
                rest = &rest[inner_start + j + close.len()..];
            }
            None => {
                out.push_str(&rest[..inner_start]);
                rest = &rest[inner_start..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Byte ranges of code spans and code blocks (sorted): calls there are
/// text, so a page can show the syntax.
fn code_ranges(body: &str, markdown: &MarkdownConfig) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut parser = super::new_cmark_parser(body, markdown).into_offset_iter();
    while let Some((event, range)) = parser.next() {
        match event {
            Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_) => ranges.push(range),
            Event::Start(Tag::CodeBlock(_)) => {
                ranges.push(range);
                for (e, _) in parser.by_ref() {
                    if matches!(e, Event::End(TagEnd::CodeBlock)) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// A cursor over a call's text.
#[derive(Clone, Copy)]
struct Scanner<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Scanner<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> &'t str {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        &rest[..len]
    }

    /// `key=value, …)`, after the `(`.
    fn args(&mut self) -> Result<Vec<Arg>, Problem> {
        let mut args: Vec<Arg> = Vec::new();
        loop {
            self.skip_space();
            if self.eat(")") {
                return Ok(args);
            }
            let at = self.pos;
            let name = self.ident();
            if name.is_empty() {
                return Err(problem(
                    at,
                    "expected an argument name or `)`",
                    "arguments are written `key=\"value\"`, separated by commas",
                ));
            }
            self.skip_space();
            if !self.eat("=") {
                return Err(problem(
                    self.pos,
                    format!("expected `=` after argument `{name}`"),
                    format!("write `{name}=\"value\"`"),
                ));
            }
            self.skip_space();
            let value_at = self.pos;
            let value = self.value()?;
            let quote = self.text[value_at..]
                .chars()
                .next()
                .filter(|c| "\"'`".contains(*c));
            if let Some(q) = quote.filter(|_| self.rest().starts_with(char::is_alphanumeric)) {
                // `text='Quan s'utilitza…'`: the apostrophe ended the string.
                let other = if q == '"' { "'" } else { "\"" };
                return Err(problem(
                    self.pos - q.len_utf8(),
                    format!("the string of `{name}` ends here, inside a word"),
                    format!(
                        "a `{q}` inside the text ends it: quote the value with `{other}` instead (`{name}={other}…{other}`)"
                    ),
                ));
            }
            if args.iter().any(|a| a.name == name) {
                return Err(problem(
                    at,
                    format!("argument `{name}` is given twice"),
                    "keep one of them",
                ));
            }
            args.push(Arg {
                name: name.to_string(),
                at,
                value,
            });
            self.skip_space();
            if !self.eat(",") {
                self.skip_space();
                if self.eat(")") {
                    return Ok(args);
                }
                // Zola's grammar also takes arguments separated by spaces
                // alone (`src="a.webp" alt="tabs"`), and sites use it.
                let mut next = *self;
                let named = !next.ident().is_empty();
                next.skip_space();
                if named && next.eat("=") {
                    continue;
                }
                return Err(problem(
                    self.pos,
                    "expected `,` or `)` after an argument",
                    "separate arguments with commas",
                ));
            }
        }
    }

    fn value(&mut self) -> Result<Value, Problem> {
        let at = self.pos;
        let rest = self.rest();
        let Some(first) = rest.chars().next() else {
            return Err(problem(at, "the call ends in the middle", "close the call"));
        };
        match first {
            '"' | '\'' | '`' => self.string(first),
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.eat("]") {
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.skip_space();
                    if !self.eat(",") {
                        self.skip_space();
                        if self.eat("]") {
                            return Ok(Value::Array(items));
                        }
                        return Err(problem(
                            self.pos,
                            "expected `,` or `]` in an array",
                            "write arrays as `[\"a\", \"b\"]`",
                        ));
                    }
                }
            }
            _ => {
                let len = rest
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_'))
                    })
                    .unwrap_or(rest.len());
                let word = &rest[..len];
                let value = match word {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => word.parse::<i64>().map(Value::Int).ok().or_else(|| {
                        word.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite() && word.bytes().any(|b| b.is_ascii_digit()))
                            .map(Value::Float)
                    }),
                };
                match value {
                    Some(v) => {
                        self.pos += len;
                        Ok(v)
                    }
                    None => Err(problem(
                        at,
                        format!(
                            "`{}` is not a value",
                            if word.is_empty() {
                                &rest[..first.len_utf8()]
                            } else {
                                word
                            }
                        ),
                        "quote strings (\"text\"); numbers, true, false and [arrays] stand bare",
                    )),
                }
            }
        }
    }

    /// A quoted string; in double quotes `\"` and `\\` are escapes.
    fn string(&mut self, quote: char) -> Result<Value, Problem> {
        let at = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += i + 1;
                return Ok(Value::Str(out));
            }
            if c == '\\' && quote == '"' {
                if let Some((_, next)) = chars.next() {
                    match next {
                        '"' | '\\' => out.push(next),
                        'n' => out.push('\n'),
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                    continue;
                }
            }
            out.push(c);
        }
        Err(problem(
            at,
            "this string is never closed",
            format!("end it with {quote}"),
        ))
    }
}

/// Checks a call against its component: known name, known and required
/// arguments, their types, a body where one is needed.
pub fn check(call: &Call, library: &dyn Library) -> Result<(), Problem> {
    let Some(signature) = library.signature(&call.name) else {
        let names = library.names();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint = match did_you_mean(&call.name, &refs) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!(
                "components are Tera components in templates/components/<name>.html; available: {}",
                refs.join(", ")
            ),
        };
        return Err(problem(
            call.range.start,
            format!("unknown component `{}`", call.name),
            hint,
        ));
    };
    for arg in &call.args {
        let Some(param) = signature.params.iter().find(|p| p.name == arg.name) else {
            let names: Vec<&str> = signature.params.iter().map(|p| p.name.as_str()).collect();
            let hint = match did_you_mean(&arg.name, &names) {
                Some(m) => format!("did you mean `{m}`?"),
                None if names.is_empty() => format!("`{}` takes no arguments", call.name),
                None => format!("`{}` takes: {}", call.name, names.join(", ")),
            };
            return Err(problem(
                arg.at,
                format!(
                    "unknown argument `{}` for component `{}`",
                    arg.name, call.name
                ),
                hint,
            ));
        };
        if let Some(ty) = param.ty.filter(|t| !t.accepts(&arg.value)) {
            return Err(problem(
                arg.at,
                format!(
                    "argument `{}` of `{}` must be {}, not {}",
                    arg.name,
                    call.name,
                    ty.name(),
                    arg.value.type_name()
                ),
                match ty {
                    ArgType::String => format!("quote it: {}=\"…\"", arg.name),
                    _ => format!("write it as {}", ty.name()),
                },
            ));
        }
    }
    if let Some(missing) = signature
        .params
        .iter()
        .find(|p| p.required && call.arg(&p.name).is_none())
    {
        return Err(problem(
            call.range.start,
            format!(
                "component `{}` needs argument `{}`",
                call.name, missing.name
            ),
            format!("add `{}=…` to the call", missing.name),
        ));
    }
    if let Some(&(_, takes_body)) = BUILTINS.iter().find(|(n, _)| *n == call.name) {
        if takes_body && !call.is_block() {
            return Err(problem(
                call.range.start,
                format!("`{}` is a block component and needs a body", call.name),
                format!(
                    "write `{{% {0}(…) %}}`, its body, then `{{% end %}}`; a site's templates/components/{0}.html replaces the built-in's template, not its shape, so give an inline component of your own another name",
                    call.name
                ),
            ));
        }
        if !takes_body && call.is_block() {
            return Err(problem(
                call.range.start,
                format!("`{}` takes no body", call.name),
                format!(
                    "write `{{{{ {0}(…) }}}}` and remove its `{{% end %}}`; a site's templates/components/{0}.html replaces the built-in's template, not its shape, so give a block component of your own another name",
                    call.name
                ),
            ));
        }
    }
    Ok(())
}

/// Marks an inline call in the Markdown nutgraf parses: these private-use
/// characters, with the call's index between them.
const INLINE_OPEN: char = '\u{E000}';
const INLINE_CLOSE: char = '\u{E001}';

/// The body as pulldown-cmark reads it: every call replaced by text of
/// the same byte length, so that event offsets stay the body's offsets
/// (and positions stay the file's). An inline call becomes a marker that
/// cannot occur in text; a block's opening and its `{% end %}` become a
/// blank line, so its body starts and ends blocks of its own.
pub fn parse_copy(body: &str, calls: &[Call]) -> Result<String, Problem> {
    let mut copy = body.as_bytes().to_vec();
    for (k, call) in calls.iter().enumerate() {
        match &call.end {
            None => {
                let len = call.range.len();
                let digits = len.saturating_sub(2 * INLINE_OPEN.len_utf8());
                let index = format!("{k:0digits$}");
                if digits == 0 || index.len() > digits {
                    return Err(problem(
                        call.range.start,
                        "too many components on this page for so short a call",
                        "add spaces inside the braces: `{{ name() }}`",
                    ));
                }
                let marker = format!("{INLINE_OPEN}{index}{INLINE_CLOSE}");
                copy[call.range.clone()].copy_from_slice(marker.as_bytes());
            }
            Some(end) => {
                for r in [&call.range, end] {
                    blank(&mut copy[r.clone()]);
                }
            }
        }
    }
    // Only ASCII and whole markers replaced whole calls, which began and
    // ended on character boundaries.
    String::from_utf8(copy).map_err(|_| {
        problem(
            0,
            "internal error: the page's text could not be prepared for components",
            "report this as a bug",
        )
    })
}

/// The bytes of a block's tag as a line of its own holding an empty HTML
/// comment: unlike a blank line, that ends a list before it (two lists
/// around a blank line are one list in CommonMark). The comment's events
/// are dropped again in `State::weave`. A tag too short for it becomes
/// a blank line.
fn blank(bytes: &mut [u8]) {
    const COMMENT: &[u8] = b"<!---->";
    bytes.fill(b' ');
    let n = bytes.len();
    if n >= COMMENT.len() + 2 {
        bytes[1..=COMMENT.len()].copy_from_slice(COMMENT);
    }
    if let Some(first) = bytes.first_mut() {
        *first = b'\n';
    }
    if n > 1 {
        bytes[n - 1] = b'\n';
    }
}

/// Whether `text` holds an inline call's marker.
pub fn has_marker(text: &str) -> bool {
    text.contains(INLINE_OPEN)
}

/// `text` cut at inline call markers: `Ok(text)` pieces and `Err(index)`
/// for each call.
pub fn split_markers(text: &str) -> Vec<Result<&str, usize>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(INLINE_OPEN) {
        let after = &rest[start + INLINE_OPEN.len_utf8()..];
        let Some(end) = after.find(INLINE_CLOSE) else {
            break;
        };
        let Ok(index) = after[..end].parse::<usize>() else {
            break;
        };
        if start > 0 {
            out.push(Ok(&rest[..start]));
        }
        out.push(Err(index));
        rest = &after[end + INLINE_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Ok(rest));
    }
    out
}

/// Marks where a block component's body starts and ends in the event
/// stream (as raw HTML events, which nothing else writes: they hold the
/// private-use marker).
pub fn block_marker(open: bool, index: usize) -> String {
    format!(
        "{INLINE_OPEN}{}{index}{INLINE_CLOSE}",
        if open { "open" } else { "close" }
    )
}

/// The block marker `html` is, if any: (opens, call index).
pub fn read_block_marker(html: &str) -> Option<(bool, usize)> {
    let inner = html.strip_prefix(INLINE_OPEN)?.strip_suffix(INLINE_CLOSE)?;
    if let Some(k) = inner.strip_prefix("open") {
        return k.parse().ok().map(|k| (true, k));
    }
    inner
        .strip_prefix("close")?
        .parse()
        .ok()
        .map(|k| (false, k))
}

/// The providers `embed` knows: what the facade shows and what the frame
/// loads once the reader asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub provider: &'static str,
    pub provider_name: &'static str,
    pub kind: &'static str,
    pub src: String,
}

pub const EMBED_PROVIDERS: &str = "YouTube (youtube.com, youtu.be), Vimeo (vimeo.com), Datawrapper (datawrapper.dwcdn.net) and Flourish (public.flourish.studio, flo.uri.sh)";

/// The embed for `url`, or why there is none.
pub fn embed(url: &str) -> Result<Embed, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(format!("`{url}` is not an http(s) URL"));
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches("www.");
    let segments: Vec<&str> = parsed
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let id_ok = |id: &str| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    };
    let unknown = || format!("`{url}` is not an embed nutgraf knows");
    match host {
        "youtube.com" | "m.youtube.com" | "youtu.be" | "youtube-nocookie.com" => {
            let id = if host == "youtu.be" {
                segments.first().map(|s| s.to_string())
            } else {
                match segments.as_slice() {
                    ["watch"] => parsed
                        .query_pairs()
                        .find(|(k, _)| k == "v")
                        .map(|(_, v)| v.into_owned()),
                    ["embed" | "shorts" | "live", id, ..] => Some(id.to_string()),
                    _ => None,
                }
            };
            let id = id.filter(|id| id_ok(id)).ok_or_else(|| {
                format!(
                    "`{url}` names no YouTube video (expected youtube.com/watch?v=… or youtu.be/…)"
                )
            })?;
            Ok(Embed {
                provider: "youtube",
                provider_name: "YouTube",
                kind: "video",
                src: format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1"),
            })
        }
        "vimeo.com" | "player.vimeo.com" => {
            let id = segments
                .iter()
                .rev()
                .find(|s| s.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    format!("`{url}` names no Vimeo video (expected vimeo.com/<number>)")
                })?;
            Ok(Embed {
                provider: "vimeo",
                provider_name: "Vimeo",
                kind: "video",
                src: format!("https://player.vimeo.com/video/{id}?autoplay=1&dnt=1"),
            })
        }
        "datawrapper.dwcdn.net" => {
            let id = segments.first().filter(|id| id_ok(id)).ok_or_else(|| {
                format!("`{url}` names no Datawrapper chart (expected datawrapper.dwcdn.net/<id>/)")
            })?;
            let version = segments
                .get(1)
                .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
                .map(|v| format!("{v}/"))
                .unwrap_or_default();
            Ok(Embed {
                provider: "datawrapper",
                provider_name: "Datawrapper",
                kind: "chart",
                src: format!("https://datawrapper.dwcdn.net/{id}/{version}"),
            })
        }
        "public.flourish.studio" | "flo.uri.sh" => match segments.as_slice() {
            [kind @ ("visualisation" | "story"), id, ..]
                if id.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Embed {
                    provider: "flourish",
                    provider_name: "Flourish",
                    kind: "chart",
                    src: format!("https://flo.uri.sh/{kind}/{id}/embed"),
                })
            }
            _ => Err(format!(
                "`{url}` names no Flourish visualisation (expected public.flourish.studio/visualisation/<number>/)"
            )),
        },
        _ => Err(unknown()),
    }
}

/// A timeline entry's date as written (`2024-10-18`, `2024-10` or
/// `2024`): the `datetime` value and the date as readers see it, in
/// Associated Press style ("Oct. 18, 2024", "October 2024", "2024").
pub fn timeline_date(text: &str) -> Option<(String, String)> {
    const MONTHS: [(&str, &str); 12] = [
        ("Jan.", "January"),
        ("Feb.", "February"),
        ("March", "March"),
        ("April", "April"),
        ("May", "May"),
        ("June", "June"),
        ("July", "July"),
        ("Aug.", "August"),
        ("Sept.", "September"),
        ("Oct.", "October"),
        ("Nov.", "November"),
        ("Dec.", "December"),
    ];
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if digits(y, 4) => Some((y.to_string(), y.to_string())),
        [y, m] if digits(y, 4) && digits(m, 2) => {
            let month = m.parse::<usize>().ok().filter(|m| (1..=12).contains(m))?;
            Some((text.to_string(), format!("{} {y}", MONTHS[month - 1].1)))
        }
        [y, m, _] if digits(y, 4) && digits(m, 2) => {
            let date: jiff::civil::Date = text.parse().ok()?;
            let month = MONTHS[usize::try_from(date.month()).ok()? - 1].0;
            Some((text.to_string(), format!("{month} {}, {y}", date.day())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;

type Spanned<'a> = (Event<'a>, Range<usize>);

/// A block's start or end in the event stream: (offset, is the end, call).
type Boundary = (usize, bool, usize);

impl<'a> super::State<'_, 'a> {
    /// Reports a problem with a call at its place in the file.
    pub(super) fn component_error(&mut self, p: Problem) {
        let d =
            crate::diagnostic::Diagnostic::error(self.ctx.display, self.position(p.at), p.message)
                .with_hint(p.hint);
        self.diagnostics.push(d);
    }

    /// Checks every call, puts each inline call's output where its marker
    /// is and marks each block's body with [`block_marker`] events (which
    /// [`Self::render_blocks`] replaces with the component's output once
    /// the body is rendered). A timeline's list gets its dates here.
    pub(super) fn weave(&mut self, events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
        for k in 0..self.calls.len() {
            if self.calls[k].literal.is_some() {
                // Text, not a call: printed as a failed call is.
                self.call_ok[k] = false;
                continue;
            }
            let checked = match self.ctx.components {
                Some(library) => check(&self.calls[k], library),
                None => Err(problem(
                    self.calls[k].range.start,
                    format!("unknown component `{}`", self.calls[k].name),
                    "components can be called from articles and section pages",
                )),
            };
            if let Err(p) = checked {
                self.call_ok[k] = false;
                self.component_error(p);
            }
        }
        let mut bounds: Vec<Boundary> = Vec::new();
        for (k, call) in self.calls.iter().enumerate() {
            if let (Some(end), true) = (&call.end, self.call_ok[k]) {
                bounds.push((call.range.end, false, k));
                bounds.push((end.start, true, k));
            }
        }
        bounds.sort_unstable();
        let mut bounds = bounds.into_iter().peekable();
        let mut out: Vec<Spanned<'a>> = Vec::with_capacity(events.len() + 8);
        // (call, index of its start marker, of its end marker, offset)
        let mut placed: Vec<(usize, usize, usize, usize)> = Vec::new();
        let mut depth = 0usize;
        let mut open_at: Vec<(usize, usize, usize)> = Vec::new();
        // The blocks' tags, which hold only what `blank` put there.
        let mut tags: Vec<Range<usize>> = self
            .calls
            .iter()
            .filter_map(|c| Some([c.range.clone(), c.end.clone()?]))
            .flatten()
            .collect();
        tags.sort_unstable_by_key(|r| r.start);
        let in_tag = |at: usize| {
            let k = tags.partition_point(|r| r.start <= at);
            k > 0 && tags[k - 1].contains(&at)
        };
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            if in_tag(range.start) {
                i += 1;
                continue;
            }
            if !matches!(event, Event::End(_)) {
                while let Some(&(pos, is_end, k)) = bounds.peek() {
                    if pos > range.start {
                        break;
                    }
                    bounds.next();
                    self.place(&mut out, &mut open_at, &mut placed, (pos, is_end, k), depth);
                }
            }
            match event {
                Event::Start(Tag::Paragraph) => {
                    let end = super::find_end(&events, i);
                    if let Some(calls) = self.only_calls(&events[i + 1..end]) {
                        for k in calls {
                            let html = self.inline_output(k, true);
                            out.push((Event::Html(html.into()), self.calls[k].range.clone()));
                        }
                        i = end + 1;
                        continue;
                    }
                    depth += 1;
                    out.push(events[i].clone());
                }
                Event::Start(_) => {
                    depth += 1;
                    out.push(events[i].clone());
                }
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    out.push(events[i].clone());
                }
                Event::Text(t) if has_marker(t) => {
                    for piece in split_markers(t) {
                        match piece {
                            Ok(text) => {
                                out.push((Event::Text(text.to_string().into()), range.clone()))
                            }
                            Err(k) => {
                                // Zola's escaped call is text of the page
                                // (its summary and word count see it).
                                if let Some(text) =
                                    self.calls.get(k).and_then(|c| c.literal.clone())
                                {
                                    out.push((Event::Text(text.into()), range.clone()));
                                    continue;
                                }
                                let html = self.inline_output(k, false);
                                out.push((Event::InlineHtml(html.into()), range.clone()));
                            }
                        }
                    }
                }
                Event::Html(t) | Event::InlineHtml(t) if has_marker(t) => {
                    let mut html = String::new();
                    for piece in split_markers(t) {
                        match piece {
                            Ok(text) => html.push_str(text),
                            Err(k) => html.push_str(&self.inline_output(k, false)),
                        }
                    }
                    let e = if matches!(event, Event::Html(_)) {
                        Event::Html(html.into())
                    } else {
                        Event::InlineHtml(html.into())
                    };
                    out.push((e, range.clone()));
                }
                _ => out.push(events[i].clone()),
            }
            i += 1;
        }
        for b in bounds {
            self.place(&mut out, &mut open_at, &mut placed, b, depth);
        }
        // Events a timeline replaces with several: (index, replacement).
        let mut edits: Vec<(usize, Vec<Spanned<'a>>)> = Vec::new();
        for &(k, from, to, _) in &placed {
            if self.call_ok[k] {
                self.check_body(k, &mut out, from, to, &mut edits);
            }
        }
        if !edits.is_empty() {
            edits.sort_by_key(|(at, _)| *at);
            let mut edits = edits.into_iter().peekable();
            let mut edited = Vec::with_capacity(out.len() + 8);
            for (j, e) in out.into_iter().enumerate() {
                match edits.next_if(|(at, _)| *at == j) {
                    Some((_, with)) => edited.extend(with),
                    None => edited.push(e),
                }
            }
            out = edited;
        }
        // A block that failed a check keeps no markers: its body renders
        // as plain Markdown.
        out.retain(|(e, _)| match e {
            Event::Html(h) => read_block_marker(h).is_none_or(|(_, k)| self.call_ok[k]),
            _ => true,
        });
        out
    }

    /// Puts a block's start or end marker into `out`, where `depth` says
    /// whether it sits between blocks (0) or inside a list, quote or table.
    fn place(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        open_at: &mut Vec<(usize, usize, usize)>,
        placed: &mut Vec<(usize, usize, usize, usize)>,
        (pos, is_end, k): Boundary,
        depth: usize,
    ) {
        if !self.call_ok[k] {
            return;
        }
        if depth != 0 {
            self.call_ok[k] = false;
            let name = self.calls[k].name.clone();
            let at = if is_end {
                self.calls[k].end.clone().map_or(pos, |r| r.start)
            } else {
                self.calls[k].range.start
            };
            self.component_error(problem(
                at,
                format!(
                    "block component `{name}` {} inside a list, quote or table",
                    if is_end { "ends" } else { "starts" }
                ),
                "put `{% name(…) %}` and `{% end %}` on lines of their own, outside other blocks",
            ));
            return;
        }
        out.push((Event::Html(block_marker(!is_end, k).into()), pos..pos));
        if is_end {
            if let Some(p) = open_at.iter().rposition(|(c, _, _)| *c == k) {
                let (_, from, _) = open_at.remove(p);
                placed.push((k, from, out.len() - 1, pos));
            }
        } else {
            open_at.push((k, out.len() - 1, pos));
        }
    }

    /// The calls a paragraph holds when it holds nothing else (spaces
    /// aside): their output then stands as blocks of its own, as in Zola.
    fn only_calls(&self, inner: &[Spanned<'a>]) -> Option<Vec<usize>> {
        let mut calls = Vec::new();
        for (e, _) in inner {
            match e {
                Event::Text(t) => {
                    for piece in split_markers(t) {
                        match piece {
                            Ok(text) if text.trim().is_empty() => {}
                            Ok(_) => return None,
                            // Zola's escaped call is text of the paragraph.
                            Err(k) if self.calls.get(k).is_some_and(|c| c.literal.is_some()) => {
                                return None;
                            }
                            Err(k) => calls.push(k),
                        }
                    }
                }
                Event::SoftBreak | Event::HardBreak => {}
                _ => return None,
            }
        }
        (!calls.is_empty()).then_some(calls)
    }

    /// An inline call's output; a call that failed stays as its text.
    fn inline_output(&mut self, k: usize, block: bool) -> String {
        let Some(call) = self.calls.get(k) else {
            return String::new();
        };
        if !self.call_ok[k] {
            let text = match &call.literal {
                Some(text) => text.as_str(),
                None => self.source.get(call.range.clone()).unwrap_or_default(),
            };
            let mut html = crate::html::escape(text);
            if block {
                html = format!("<p>{html}</p>\n");
            }
            return html;
        }
        let mut html = self.render_call(k, None);
        if block && !html.ends_with('\n') {
            html.push('\n');
        }
        html
    }

    /// Renders call `k` with its arguments, the implicit ones nutgraf
    /// works out, and `body`.
    fn render_call(&mut self, k: usize, body: Option<&str>) -> String {
        let Some(library) = self.ctx.components else {
            return String::new();
        };
        let call = self.calls[k].clone();
        let mut implicits: Vec<(&str, Value)> = Vec::new();
        if call.name == "embed" {
            let url = match call.arg("url") {
                Some(Value::Str(url)) => url.as_str(),
                _ => "",
            };
            match embed(url) {
                Ok(e) => {
                    implicits.push(("provider", Value::Str(e.provider.into())));
                    implicits.push(("provider_name", Value::Str(e.provider_name.into())));
                    implicits.push(("kind", Value::Str(e.kind.into())));
                    implicits.push(("embed_src", Value::Str(e.src)));
                }
                Err(message) => {
                    let at = call
                        .args
                        .iter()
                        .find(|a| a.name == "url")
                        .map_or(call.range.start, |a| a.at);
                    self.call_ok[k] = false;
                    self.component_error(problem(
                        at,
                        message,
                        format!("embed supports {EMBED_PROVIDERS}"),
                    ));
                    return String::new();
                }
            }
        }
        if call.name == "gallery" {
            let count = body.map_or(0, |b| b.matches("<figure").count());
            implicits.push(("count", Value::Int(i64::try_from(count).unwrap_or(0))));
        }
        let args: Vec<(&str, &Value)> = call
            .args
            .iter()
            .map(|a| (a.name.as_str(), &a.value))
            .collect();
        match library.render(&call.name, &args, &implicits, body) {
            Ok(html) => html,
            Err(d) => {
                self.call_ok[k] = false;
                self.component_error(problem(
                    call.range.start,
                    format!("component `{}` failed to render: {}", call.name, d.message),
                    format!(
                        "the error is in its template, {}:{}:{}",
                        d.path.display(),
                        d.line,
                        d.col
                    ),
                ));
                String::new()
            }
        }
    }

    /// What a block's body must hold: a timeline a list of dated items
    /// (whose dates become `<time>` elements here), a gallery two or three
    /// figures.
    fn check_body(
        &mut self,
        k: usize,
        out: &mut [Spanned<'a>],
        from: usize,
        to: usize,
        edits: &mut Vec<(usize, Vec<Spanned<'a>>)>,
    ) {
        let name = self.calls[k].name.clone();
        let at = self.calls[k].range.start;
        let body = &mut out[from + 1..to];
        match name.as_str() {
            "timeline" => {
                for (j, with) in self.date_timeline(k, body) {
                    edits.push((from + 1 + j, with));
                }
            }
            "gallery" => {
                let mut figures = 0;
                let mut other = None;
                let mut j = 0;
                while j < body.len() {
                    let end = if matches!(body[j].0, Event::Start(_)) {
                        super::find_end(body, j)
                    } else {
                        j
                    };
                    let is_figure = matches!(body[j].0, Event::Start(Tag::Paragraph))
                        && super::figure::image_end(body, j + 1).is_some();
                    if is_figure {
                        figures += 1;
                    } else if other.is_none() {
                        other = Some(body[j].1.start);
                    }
                    j = end + 1;
                }
                if let Some(at) = other {
                    self.call_ok[k] = false;
                    self.component_error(problem(
                        at,
                        "a gallery holds only figures",
                        "each figure is an image line, a caption line and a credit line, with a blank line between figures",
                    ));
                } else if !(2..=3).contains(&figures) {
                    self.call_ok[k] = false;
                    self.component_error(problem(
                        at,
                        format!("a gallery shows two or three figures, not {figures}"),
                        "use single figures for one photo; split more than three into galleries",
                    ));
                } else {
                    self.galleries.push((k, figures));
                }
            }
            _ => {}
        }
    }

    /// A timeline's body: one list whose items each open with a date and
    /// a colon (`- 2024-10-18: text`). The list becomes ordered and each
    /// date a `<time datetime>`.
    fn date_timeline(
        &mut self,
        k: usize,
        body: &mut [Spanned<'a>],
    ) -> Vec<(usize, Vec<Spanned<'a>>)> {
        let mut edits = Vec::new();
        let at = self.calls[k].range.start;
        let is_list = matches!(body.first(), Some((Event::Start(Tag::List(_)), _)))
            && super::find_end(body, 0) + 1 == body.len();
        if !is_list {
            self.call_ok[k] = false;
            self.component_error(problem(
                body.first().map_or(at, |(_, r)| r.start),
                "a timeline holds one list, each item opening with its date",
                "write `- 2024-10-18: what happened` for each event",
            ));
            return edits;
        }
        let last = body.len() - 1;
        body[0].0 = Event::Start(Tag::List(Some(1)));
        body[last].0 = Event::End(TagEnd::List(true));
        let mut depth = 0usize;
        let mut j = 0;
        while j < body.len() {
            match &body[j].0 {
                Event::Start(Tag::Item) if depth == 1 => {
                    // The item's first text, inside its paragraph if any.
                    let text_at = (j + 1..body.len())
                        .find(|&t| !matches!(body[t].0, Event::Start(Tag::Paragraph)))
                        .filter(|&t| matches!(body[t].0, Event::Text(_)));
                    let dated = text_at.and_then(|t| {
                        let Event::Text(text) = &body[t].0 else {
                            return None;
                        };
                        let (date, rest) = text.split_once(':')?;
                        let (datetime, shown) = timeline_date(date.trim())?;
                        Some((t, datetime, shown, rest.trim_start().to_string()))
                    });
                    match dated {
                        Some((t, datetime, shown, rest)) => {
                            // The date stays text inside its `<time>`, so
                            // an FAQ answer that holds the timeline keeps it.
                            let r = body[t].1.clone();
                            let open =
                                format!("<time datetime=\"{}\">", crate::html::escape(&datetime));
                            edits.push((
                                t,
                                vec![
                                    (Event::InlineHtml(open.into()), r.clone()),
                                    (Event::Text(shown.into()), r.clone()),
                                    (Event::InlineHtml("</time>".into()), r.clone()),
                                    (Event::Text(format!(" {rest}").into()), r),
                                ],
                            ));
                        }
                        None => {
                            self.call_ok[k] = false;
                            let pos = text_at.map_or(body[j].1.start, |t| body[t].1.start);
                            let written = text_at.and_then(|t| match &body[t].0 {
                                Event::Text(text) => {
                                    let head = text.split(':').next().unwrap_or_default().trim();
                                    head.starts_with(|c: char| c.is_ascii_digit())
                                        .then(|| head.to_string())
                                }
                                _ => None,
                            });
                            let message = match written {
                                Some(date) => format!("`{date}` is not a date"),
                                None => "this timeline entry does not open with a date".to_string(),
                            };
                            self.component_error(problem(
                                pos,
                                message,
                                "start each entry with an ISO date and a colon: `2024-10-18:`, `2024-10:` or `2024:`",
                            ));
                        }
                    }
                    depth += 1;
                }
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            j += 1;
        }
        edits
    }

    /// The rendered events with each block's body rendered and handed to
    /// its component.
    pub(super) fn render_blocks(&mut self, out: Vec<Event<'a>>) -> String {
        let mut stack: Vec<(Option<usize>, Vec<Event<'a>>)> = vec![(None, Vec::new())];
        for e in out {
            let marker = match &e {
                Event::Html(h) => read_block_marker(h),
                _ => None,
            };
            match marker {
                Some((true, k)) => stack.push((Some(k), Vec::new())),
                Some((false, _)) if stack.len() > 1 => {
                    let (k, events) = stack.pop().unwrap_or_default();
                    let body = crate::html::render(events);
                    let html = match k {
                        Some(k) if self.call_ok[k] => self.render_call(k, Some(&body)),
                        _ => body,
                    };
                    if let Some(top) = stack.last_mut() {
                        top.1
                            .push(Event::Html(format!("{}\n", html.trim_end()).into()));
                    }
                }
                _ => {
                    if let Some(top) = stack.last_mut() {
                        top.1.push(e);
                    }
                }
            }
        }
        // Markers come in pairs; anything left open is rendered as it is.
        let mut events = Vec::new();
        for (_, part) in stack {
            events.extend(part);
        }
        crate::html::render(events)
    }
}
