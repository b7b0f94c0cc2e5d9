//! Where output goes: data on stdout, status, warnings and hints on stderr. Colour follows
//! `--color`, then `NO_COLOR`, then whether stdout is a terminal (anstream decides). Messages on
//! stderr may quote files, revisions and commits, so they pass through the terminal escaper.
#![allow(clippy::print_stderr)]

use std::io::{self, Write};

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

use crate::cli::{ColorWhen, OutputFormat};
use crate::render::escape::terminal;

pub struct Ui {
    pub format: OutputFormat,
    pub quiet: bool,
    color: bool,
    out: Stdout,
    /// `--color` for stderr (JSON and markdown on stdout do not change it).
    err_choice: ColorChoice,
}

pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BAD: Style = AnsiColor::Red.on_default();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

impl Ui {
    pub fn new(format: OutputFormat, color: ColorWhen, quiet: bool) -> Ui {
        let choice = match color {
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        };
        // JSON and markdown never carry colour.
        let out_choice = if format == OutputFormat::Human { choice } else { ColorChoice::Never };
        let out = AutoStream::new(io::stdout(), out_choice);
        let color = !matches!(out.current_choice(), ColorChoice::Never);
        Ui {
            format,
            quiet,
            color,
            out: Stdout { stream: out, forgive: false, closed: false },
            err_choice: choice,
        }
    }

    /// Keep going when stdout's reader goes away (`accord demo | head`): what follows is
    /// dropped, as nobody reads it, and the work it reports is finished. Other commands stop
    /// at a closed pipe, as git does, because their output is all they do.
    pub fn keep_going_if_stdout_closes(&mut self) {
        self.out.forgive = true;
    }

    fn err(&self) -> AutoStream<io::Stderr> {
        AutoStream::new(io::stderr(), self.err_choice)
    }

    /// Whether data written to stdout is coloured (word diffs switch to `[-…-]{+…+}` without).
    pub fn color(&self) -> bool {
        self.color
    }

    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Print a value as pretty JSON on stdout.
    pub fn json<T: serde::Serialize>(&mut self, value: &T) -> crate::Result<()> {
        write_json(&mut self.out, value)
    }

    /// A status line on stderr (suppressed by `-q`).
    pub fn status(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(self.err(), "{}", terminal(&msg.to_string()));
        }
    }

    /// A hint on stderr: what to do next (suppressed by `-q`).
    pub fn hint(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(self.err(), "{DIM}hint{DIM:#}: {}", terminal(&msg.to_string()));
        }
    }

    /// A warning on stderr; `-q` does not hide warnings.
    pub fn warn(&self, msg: impl std::fmt::Display) {
        let _ = writeln!(self.err(), "{WARN}warning{WARN:#}: {}", terminal(&msg.to_string()));
    }

    /// Print a top-level error with its hint on stderr.
    pub fn error(&self, err: &crate::Error) {
        let mut e = self.err();
        // One line each, line breaks written out: a name or argument quoted in the message
        // cannot print a line of its own that looks like accord's (`hint: …`).
        let _ = writeln!(e, "{ERROR}error{ERROR:#}: {}", crate::render::escape::line(&err.message));
        if let Some(h) = &err.hint {
            let _ = writeln!(e, "{DIM}hint{DIM:#}: {}", crate::render::escape::line(h));
        }
    }
}

/// Standard output, which may drop what it is given once its reader has gone (see
/// [`Ui::keep_going_if_stdout_closes`]).
struct Stdout {
    stream: AutoStream<io::Stdout>,
    forgive: bool,
    closed: bool,
}

impl Stdout {
    /// A write's result `r`, or `dropped` when the reader has gone and that is forgiven.
    fn forgiven<T>(&mut self, r: io::Result<T>, dropped: T) -> io::Result<T> {
        match r {
            Err(e) if self.forgive && crate::error::is_broken_pipe(&e) => {
                self.closed = true;
                Ok(dropped)
            }
            r => r,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.stream.write(buf);
        self.forgiven(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.stream.flush();
        self.forgiven(r, ())
    }
}

/// Write a value as pretty JSON and a newline, as [`Ui::json`] prints it.
pub fn write_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> crate::Result<()> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| crate::Error::new(format!("json: {e}")))?;
    writeln!(out, "{}", crate::render::escape::json(&text))?;
    Ok(())
}
