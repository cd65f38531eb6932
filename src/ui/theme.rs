//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::model::enums::{SeverityLabel, WorkflowStatus};

pub fn severity(s: Option<SeverityLabel>) -> Style {
    match s {
        Some(SeverityLabel::Critical) => Style::new().fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
        Some(SeverityLabel::High) => Style::new().fg(Color::LightRed),
        Some(SeverityLabel::Medium) => Style::new().fg(Color::Yellow),
        Some(SeverityLabel::Low) => Style::new().fg(Color::LightBlue),
        Some(SeverityLabel::Informational) | None => Style::new().fg(Color::DarkGray),
    }
}

pub fn workflow(w: Option<WorkflowStatus>) -> Style {
    match w {
        Some(WorkflowStatus::New) => Style::new().fg(Color::White),
        Some(WorkflowStatus::Notified) => Style::new().fg(Color::Cyan),
        Some(WorkflowStatus::Resolved) => Style::new().fg(Color::Green),
        Some(WorkflowStatus::Suppressed) | None => Style::new().fg(Color::DarkGray),
    }
}

pub fn cursor() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn marked() -> Style {
    Style::new().bg(Color::Rgb(40, 40, 90)).add_modifier(Modifier::BOLD)
}

/// A remote's edit not yet confirmed.
pub fn pending() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn failed() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn header() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn label() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn error() -> Style {
    Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD)
}

pub fn focused_border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}
