//! `sslmode` and `sslrootcert` taken out of a libpq connection string, in either of its forms:
//! a URL (`postgres://user@host/db?sslmode=verify-full&sslrootcert=/path`) or key=value pairs
//! (`host=h sslmode='verify-full'`, values optionally single-quoted with `\'` and `\\` escapes).
//! Everything else is passed on unchanged; `sslmode` comes back as the nearest mode
//! tokio-postgres knows (verify-* are `require` plus our own certificate check).

/// libpq's `sslmode` values (`allow` is left out: it means "plain text first", which nothing
/// here wants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }

    /// The mode tokio-postgres is given.
    fn driver_mode(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require | Self::VerifyCa | Self::VerifyFull => "require",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SplitParams {
    /// The connection string without `sslrootcert`, with the driver's `sslmode`.
    pub rest: String,
    pub mode: SslMode,
    pub root_cert: Option<String>,
}

pub(crate) fn split_tls_params(url: &str) -> Result<SplitParams, String> {
    let trimmed = url.trim();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        split_url(trimmed)
    } else {
        split_key_values(trimmed)
    }
}

fn mode_of(value: Option<String>) -> Result<SslMode, String> {
    match value {
        None => Ok(SslMode::Prefer),
        Some(text) => SslMode::parse(&text).ok_or_else(|| {
            format!(
                "sslmode {text:?} is not one of disable, prefer, require, verify-ca, verify-full"
            )
        }),
    }
}

fn split_url(url: &str) -> Result<SplitParams, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root_cert) = (None, None);
    let mut kept: Vec<&str> = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = Some(percent_decode(value)?),
            "sslrootcert" => root_cert = Some(percent_decode(value)?),
            _ => kept.push(pair),
        }
    }
    let mode = mode_of(mode)?;
    let driver = format!("sslmode={}", mode.driver_mode());
    kept.push(&driver);
    Ok(SplitParams {
        rest: format!("{base}?{}", kept.join("&")),
        mode,
        root_cert,
    })
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent-encoding in {text:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

/// key=value form: each pair is copied through byte for byte unless it is one of ours.
fn split_key_values(text: &str) -> Result<SplitParams, String> {
    let (mut mode, mut root_cert) = (None, None);
    let mut kept: Vec<&str> = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after_key) = rest
            .split_once('=')
            .ok_or_else(|| format!("expected key=value at {:?}", short(rest)))?;
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("expected key=value at {:?}", short(rest)));
        }
        let value_text = after_key.trim_start();
        let (value, remainder) = take_value(value_text)?;
        let pair = &rest[..rest.len() - remainder.len()];
        match key {
            "sslmode" => mode = Some(value),
            "sslrootcert" => root_cert = Some(value),
            _ => kept.push(pair.trim_end()),
        }
        rest = remainder.trim_start();
    }
    let mode = mode_of(mode)?;
    let driver = format!("sslmode={}", mode.driver_mode());
    kept.push(&driver);
    Ok(SplitParams {
        rest: kept.join(" "),
        mode,
        root_cert,
    })
}

/// One value, quoted or not; returns it unescaped and what follows it.
fn take_value(text: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    if text.starts_with('\'') {
        chars.next();
        while let Some((_, c)) = chars.next() {
            match c {
                '\'' => {
                    let end = chars.next().map_or(text.len(), |(i, _)| i);
                    return Ok((value, &text[end..]));
                }
                '\\' => value.push(chars.next().map(|(_, c)| c).unwrap_or('\\')),
                c => value.push(c),
            }
        }
        return Err(format!("unterminated quoted value {:?}", short(text)));
    }
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => return Ok((value, &text[i..])),
            '\\' => value.push(chars.next().map(|(_, c)| c).unwrap_or('\\')),
            c => value.push(c),
        }
    }
    Ok((value, ""))
}

/// The start of `text`, for an error message (never a whole string that may hold a password).
fn short(text: &str) -> String {
    text.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> SplitParams {
        split_tls_params(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn url_form_loses_sslrootcert_and_keeps_the_rest() {
        let s = split(
            "postgres://u:p%40ss@db:5432/app?application_name=x&sslmode=verify-full&sslrootcert=%2Fopt%2Fca%20b.pem",
        );
        assert_eq!(s.mode, SslMode::VerifyFull);
        assert_eq!(s.root_cert.as_deref(), Some("/opt/ca b.pem"));
        assert_eq!(
            s.rest,
            "postgres://u:p%40ss@db:5432/app?application_name=x&sslmode=require"
        );
        assert_eq!(
            split("postgresql://db/app").rest,
            "postgresql://db/app?sslmode=prefer"
        );
    }

    #[test]
    fn key_value_form_handles_quotes_escapes_and_spaces_around_equals() {
        let s = split(
            r"host=db password='it\'s ok' sslmode = 'verify-ca' sslrootcert=/a\ b.pem dbname=app",
        );
        assert_eq!(s.mode, SslMode::VerifyCa);
        assert_eq!(s.root_cert.as_deref(), Some("/a b.pem"));
        assert_eq!(
            s.rest,
            r"host=db password='it\'s ok' dbname=app sslmode=require"
        );
        let plain = split("host=db user=u");
        assert_eq!((plain.mode, plain.root_cert), (SslMode::Prefer, None));
        assert_eq!(
            split("host=db sslmode=disable").rest,
            "host=db sslmode=disable"
        );
    }

    #[test]
    fn unknown_modes_and_broken_strings_are_refused() {
        for bad in [
            "host=db sslmode=allow",
            "host=db sslmode=VERIFY-FULL",
            "postgres://db/app?sslmode=maybe",
            "host='db",
            "host db",
            "postgres://db/app?sslrootcert=%zz",
        ] {
            assert!(split_tls_params(bad).is_err(), "{bad} accepted");
        }
    }
}
