//! A tiny command-line parser: `--name value`, `--name=value`, repeatable options and flags.
//! Anything else (an unknown option, a positional argument, a missing value) is an error, so a
//! mistyped option never goes unnoticed.

use crate::Error;

/// How an option is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `--name` alone.
    Flag,
    /// `--name VALUE`, at most once.
    Value,
    /// `--name VALUE`, any number of times.
    Repeated,
}

/// Parsed options.
#[derive(Debug, Default)]
pub struct Args {
    given: Vec<(String, Option<String>)>,
}

impl Args {
    /// Parses `args` (without the program name) against `spec`: `(name without "--", kind)`.
    pub fn parse(args: &[String], spec: &[(&str, Kind)]) -> Result<Args, Error> {
        let mut given: Vec<(String, Option<String>)> = Vec::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}").into());
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (body, None),
            };
            let kind = spec
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| *k)
                .ok_or_else(|| format!("unknown option --{name}"))?;
            let value = match (kind, inline) {
                (Kind::Flag, None) => None,
                (Kind::Flag, Some(_)) => return Err(format!("--{name} takes no value").into()),
                (_, Some(v)) => Some(v),
                (_, None) => Some(
                    it.next()
                        .ok_or_else(|| format!("--{name} needs a value"))?
                        .clone(),
                ),
            };
            if kind != Kind::Repeated && given.iter().any(|(n, _)| n == name) {
                return Err(format!("--{name} given twice").into());
            }
            given.push((name.to_owned(), value));
        }
        Ok(Args { given })
    }

    /// Whether the flag or option was given.
    pub fn flag(&self, name: &str) -> bool {
        self.given.iter().any(|(n, _)| n == name)
    }

    /// The value of a single-valued option.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.given
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The value of a required option.
    pub fn required(&self, name: &str) -> Result<&str, Error> {
        self.value(name)
            .ok_or_else(|| format!("--{name} is required").into())
    }

    /// Every value of a repeatable option, in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.given
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_and_rejects() {
        let spec = [
            ("trust", Kind::Repeated),
            ("at", Kind::Value),
            ("json", Kind::Flag),
        ];
        let a = Args::parse(
            &strings(&["--trust", "a", "--trust=b", "--json", "--at", "x"]),
            &spec,
        )
        .unwrap();
        assert_eq!(a.values("trust"), ["a", "b"]);
        assert_eq!(a.value("at"), Some("x"));
        assert!(a.flag("json"));
        for bad in [
            &["--nope"][..],
            &["--at"],
            &["--at", "1", "--at", "2"],
            &["file"],
            &["--json=yes"],
        ] {
            assert!(Args::parse(&strings(bad), &spec).is_err(), "{bad:?}");
        }
    }
}
