//! The edit form's Expires field: a suppression typed with an expiry, and the preview saying when
//! it expires, at 80×24 and 160×48.

use super::tests::{draw, screen};
use crate::app::action::Action;
use crate::app::form::FormField;
use crate::app::update;
use crate::model::enums::WorkflowStatus;

#[test]
fn the_edit_form_with_an_expiry() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = screen(w, h);
        for a in [Action::ToggleMark, Action::MoveDown, Action::ToggleMark, Action::Edit] {
            update(&mut s, a);
        }
        while s.form.as_ref().unwrap().workflow != Some(WorkflowStatus::Suppressed) {
            update(&mut s, Action::CycleNext);
        }
        while s.form.as_ref().unwrap().field() != FormField::Note {
            update(&mut s, Action::NextField);
        }
        "accepted risk, SEC-42".chars().for_each(|c| drop(update(&mut s, Action::Input(c))));
        while s.form.as_ref().unwrap().field() != FormField::Expires {
            update(&mut s, Action::NextField);
        }
        "30d".chars().for_each(|c| drop(update(&mut s, Action::Input(c))));
        insta::assert_snapshot!(format!("form_expires_{w}x{h}"), draw(&s, w, h).backend());
        update(&mut s, Action::Submit);
        insta::assert_snapshot!(format!("form_expires_preview_{w}x{h}"), draw(&s, w, h).backend());
    }
}
