//! The edit form: which fields the analyst touched, and turning them into a `FindingUpdate`. For
//! one finding it also holds the finding's current values: shown beside each untouched field, the
//! start of the choice fields' cycling, and the note `Ctrl-R` pulls in.
//! A suppression can take an expiry (Expires), parsed as the suppress prompt's.
//! Validation is the store's own: `FindingUpdate::validate`, the rules `BatchUpdateRequest::from_json`
//! applies to a request, so the form can never accept what the store would refuse.

use serde_json::Value;

use super::action::Action;
use super::effect::Effect;
use super::prompt::{confirm, REASON_REQUIRED};
use super::AppState;
use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::update::{FindingUpdate, NoteUpdate, SeverityUpdate, UpdateError};
use crate::store::expiry::SetExpiry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Workflow,
    Severity,
    Verification,
    Confidence,
    Criticality,
    Note,
    Types,
    UserFields,
    /// When a suppression expires (`store::expiry`): only with Workflow status SUPPRESSED.
    Expires,
}

impl FormField {
    pub const ALL: [FormField; 9] = [
        FormField::Workflow,
        FormField::Severity,
        FormField::Verification,
        FormField::Confidence,
        FormField::Criticality,
        FormField::Note,
        FormField::Types,
        FormField::UserFields,
        FormField::Expires,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FormField::Workflow => "Workflow status",
            FormField::Severity => "Severity label",
            FormField::Verification => "Verification",
            FormField::Confidence => "Confidence",
            FormField::Criticality => "Criticality",
            FormField::Note => "Note",
            FormField::Types => "Types (; between)",
            FormField::UserFields => "User fields k=v; k=v",
            FormField::Expires => "Expires (suppressed)",
        }
    }

    pub fn is_choice(self) -> bool {
        matches!(self, FormField::Workflow | FormField::Severity | FormField::Verification)
    }

    /// The request member a validation error names.
    fn member(self) -> &'static str {
        match self {
            FormField::Workflow => "Workflow",
            FormField::Severity => "Severity",
            FormField::Verification => "VerificationState",
            FormField::Confidence => "Confidence",
            FormField::Criticality => "Criticality",
            FormField::Note => "Note",
            FormField::Types => "Types",
            FormField::UserFields => "UserDefinedFields",
            // Not a request member: the store keeps it beside the edit.
            FormField::Expires => "Expires",
        }
    }
}

/// `None` everywhere means untouched: nothing is sent for it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormState {
    pub focus: usize,
    pub targets: usize,
    /// How many of the targets are marked but not in the current view.
    pub hidden: usize,
    pub workflow: Option<WorkflowStatus>,
    pub severity: Option<SeverityLabel>,
    pub verification: Option<VerificationState>,
    pub confidence: Option<String>,
    pub criticality: Option<String>,
    pub note: Option<String>,
    pub types: Option<String>,
    pub user_fields: Option<String>,
    /// A suppression's expiry as typed ("30d", "2w", "12h", an RFC 3339 time).
    pub expires: Option<String>,
    /// The field at fault and the store's message, after a failed submit.
    pub error: Option<(Option<FormField>, String)>,
    /// The one finding's values now; `None` for several findings.
    pub current: Option<Current>,
}

/// One finding's values as the form shows them: the row's, and the document's (note, types, user
/// fields) when the detail pane holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Current {
    pub workflow: Option<WorkflowStatus>,
    pub severity: Option<SeverityLabel>,
    pub verification: Option<VerificationState>,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
    /// `None` also when the document is not loaded yet.
    pub note: Option<String>,
    pub types: Vec<String>,
    pub user_fields: Vec<(String, String)>,
    /// The document was read: note, types and user fields are known.
    pub doc: bool,
}

impl Current {
    pub fn of(row: &super::row::Row, doc: Option<&Value>) -> Current {
        let mut c = Current {
            workflow: row.workflow,
            severity: row.severity,
            verification: row.verification,
            confidence: row.confidence,
            criticality: row.criticality,
            ..Current::default()
        };
        if let Some(doc) = doc {
            c.doc = true;
            c.note = doc.pointer("/Note/Text").and_then(Value::as_str).map(str::to_string);
            c.types =
                doc["Types"].as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
            c.user_fields = doc["UserDefinedFields"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
        }
        c
    }

    /// A field's current value as the form writes it; `None` when the finding has none (or it is
    /// not known yet).
    pub fn text(&self, f: FormField) -> Option<String> {
        let joined = |v: Vec<String>| (!v.is_empty()).then(|| v.join("; "));
        match f {
            FormField::Workflow => self.workflow.map(|v| v.as_str().to_string()),
            FormField::Severity => self.severity.map(|v| v.as_str().to_string()),
            FormField::Verification => self.verification.map(|v| v.as_str().to_string()),
            FormField::Confidence => self.confidence.map(|n| n.to_string()),
            FormField::Criticality => self.criticality.map(|n| n.to_string()),
            FormField::Note => self.note.clone(),
            FormField::Types => joined(self.types.clone()),
            FormField::UserFields => joined(self.user_fields.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            // The rows and the document do not say when a suppression expires.
            FormField::Expires => None,
        }
    }
}

fn cycle<T: Copy + PartialEq>(all: &[T], cur: Option<T>, forward: bool) -> Option<T> {
    let n = all.len();
    // Positions 0..n are the values, n is "untouched".
    let pos = cur.and_then(|c| all.iter().position(|v| *v == c)).unwrap_or(n);
    let next = if forward { (pos + 1) % (n + 1) } else { (pos + n) % (n + 1) };
    all.get(next).copied()
}

impl FormState {
    pub fn new(targets: usize) -> FormState {
        FormState { targets, ..FormState::default() }
    }

    pub fn field(&self) -> FormField {
        FormField::ALL[self.focus.min(FormField::ALL.len() - 1)]
    }

    pub fn move_focus(&mut self, forward: bool) {
        let n = FormField::ALL.len();
        self.focus = if forward { (self.focus + 1) % n } else { (self.focus + n - 1) % n };
    }

    /// The next (or previous) value of a choice field. Untouched, it starts from the finding's
    /// current value, so one step reaches its neighbour.
    pub fn cycle(&mut self, forward: bool) {
        let cur = self.current.clone().unwrap_or_default();
        match self.field() {
            FormField::Workflow => {
                self.workflow = cycle(WorkflowStatus::ALL, self.workflow.or(cur.workflow), forward);
            }
            FormField::Severity => {
                self.severity = cycle(SeverityLabel::ALL, self.severity.or(cur.severity), forward);
            }
            FormField::Verification => {
                self.verification = cycle(VerificationState::ALL, self.verification.or(cur.verification), forward);
            }
            _ => {}
        }
        self.error = None;
    }

    /// `Ctrl-R` on the Note: the finding's current note, to edit rather than retype.
    pub fn pull_note(&mut self) -> Result<(), &'static str> {
        let current = self.current.as_ref().ok_or("Only one finding's note can be pulled in")?;
        if !current.doc {
            return Err("The finding's document is still loading; try again in a moment");
        }
        let note = current.note.clone().ok_or("This finding has no note")?;
        self.focus = FormField::ALL.iter().position(|f| *f == FormField::Note).unwrap_or(0);
        self.note = Some(note);
        self.error = None;
        Ok(())
    }

    /// What the bottom line says of the focused field: Types and user fields replace the finding's.
    pub fn field_hint(&self) -> Option<String> {
        let now = |f| self.current.as_ref().and_then(|c| c.text(f));
        match self.field() {
            FormField::Types => Some(match now(FormField::Types) {
                Some(t) => format!("Types typed here replace all the finding's types (now: {t})"),
                None => {
                    "Types typed here replace all the findings' types (BatchUpdateFindings sets the whole list)".into()
                }
            }),
            FormField::UserFields => Some("User fields typed here are added; a key given replaces its value".into()),
            FormField::Expires => Some(
                "Expires: 30d, 2w, 12h or 2027-01-31T00:00:00Z; only with Workflow status SUPPRESSED; empty: never"
                    .into(),
            ),
            FormField::Note if self.current.as_ref().is_some_and(|c| c.note.is_some()) => {
                Some("Typing replaces the note; Ctrl-R starts from the current one".into())
            }
            _ => None,
        }
    }

    fn text_mut(&mut self) -> Option<&mut Option<String>> {
        match self.field() {
            FormField::Confidence => Some(&mut self.confidence),
            FormField::Criticality => Some(&mut self.criticality),
            FormField::Note => Some(&mut self.note),
            FormField::Types => Some(&mut self.types),
            FormField::UserFields => Some(&mut self.user_fields),
            FormField::Expires => Some(&mut self.expires),
            _ => None,
        }
    }

    pub fn type_char(&mut self, c: char) {
        if let Some(t) = self.text_mut() {
            t.get_or_insert_with(String::new).push(c);
        } else if c == ' ' {
            self.cycle(true);
        }
        self.error = None;
    }

    pub fn backspace(&mut self) {
        if let Some(t) = self.text_mut() {
            if let Some(s) = t {
                s.pop();
                if s.is_empty() {
                    *t = None;
                }
            }
        } else {
            // Clearing a choice makes it untouched again.
            match self.field() {
                FormField::Workflow => self.workflow = None,
                FormField::Severity => self.severity = None,
                FormField::Verification => self.verification = None,
                _ => {}
            }
        }
        self.error = None;
    }

    /// The value shown for a field; `None` when untouched.
    pub fn shown(&self, f: FormField) -> Option<String> {
        match f {
            FormField::Workflow => self.workflow.map(|v| v.as_str().to_string()),
            FormField::Severity => self.severity.map(|v| v.as_str().to_string()),
            FormField::Verification => self.verification.map(|v| v.as_str().to_string()),
            FormField::Confidence => self.confidence.clone(),
            FormField::Criticality => self.criticality.clone(),
            FormField::Note => self.note.clone(),
            FormField::Types => self.types.clone(),
            FormField::UserFields => self.user_fields.clone(),
            FormField::Expires => self.expires.clone(),
        }
    }

    /// The expiry typed, parsed as `s`'s prompt parses it (`store::expiry::parse_expiry`), for the
    /// update `u` the form makes: only a suppression expires. `None` when none was typed.
    pub fn expiry(
        &self,
        u: &FindingUpdate,
        now: time::OffsetDateTime,
        user: &str,
    ) -> Result<Option<SetExpiry>, (Option<FormField>, String)> {
        let Some(typed) = self.expires.as_deref().map(str::trim).filter(|e| !e.is_empty()) else { return Ok(None) };
        let at_fault = |e: String| (Some(FormField::Expires), e);
        if u.workflow_status != Some(WorkflowStatus::Suppressed) {
            return Err(at_fault(
                "Expires: only a suppression expires; set Workflow status to SUPPRESSED, or empty Expires".into(),
            ));
        }
        let expires = crate::store::expiry::parse_expiry(typed, now).map_err(|e| at_fault(format!("Expires: {e}")))?;
        let reason = u.note.as_ref().map(|n| n.text.clone()).unwrap_or_default();
        Ok(Some(SetExpiry { expires, set_by: user.to_string(), reason }))
    }

    /// The touched fields as a validated update, or the field at fault and why.
    pub fn to_update(&self, user: &str) -> Result<FindingUpdate, (Option<FormField>, String)> {
        // Typed numbers that are not integers are refused as the request JSON carrying them would be.
        let number = |member: &'static str, text: &Option<String>| match text {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| UpdateError::NotARatio { member, value: Value::from(s.as_str()).to_string() }),
        };
        let confidence = number("Confidence", &self.confidence);
        let criticality = number("Criticality", &self.criticality);
        let mut user_defined_fields = None;
        if let Some(u) = &self.user_fields {
            let mut pairs: Vec<(String, String)> = Vec::new();
            for pair in u.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let (k, v) = pair.split_once('=').ok_or_else(|| {
                    (Some(FormField::UserFields), format!("\"{pair}\" is not KEY=VALUE; separate pairs with ;"))
                })?;
                let (k, v) = (k.trim(), v.trim());
                // A key given twice keeps its first place and its last value, as in a JSON object.
                match pairs.iter_mut().find(|(key, _)| key == k) {
                    Some(p) => p.1 = v.to_string(),
                    None => pairs.push((k.to_string(), v.to_string())),
                }
            }
            user_defined_fields = Some(pairs);
        }
        let update = FindingUpdate {
            workflow_status: self.workflow,
            severity: self.severity.map(|l| SeverityUpdate { label: Some(l), ..SeverityUpdate::default() }),
            verification_state: self.verification,
            confidence: confidence.as_ref().ok().copied().flatten(),
            criticality: criticality.as_ref().ok().copied().flatten(),
            note: self.note.as_ref().map(|n| NoteUpdate { text: n.clone(), updated_by: user.to_string() }),
            types: self
                .types
                .as_ref()
                .map(|t| t.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()),
            user_defined_fields,
            related_findings: None,
            v2: None,
        };
        // The fault the store would name first: a number that is not one, or a broken rule.
        let unparsed = [confidence.err(), criticality.err()].into_iter().flatten().next();
        let fault = match (update.validate().err(), unparsed) {
            (Some(rule), Some(number)) if number.precedes(&rule) => Some(number),
            (rule, number) => rule.or(number),
        };
        match fault {
            None => Ok(update),
            Some(e) => {
                let field = FormField::ALL.iter().copied().find(|f| e.member() == Some(f.member()));
                Err((field, e.to_string()))
            }
        }
    }
}

/// `e`: the form for the targets, all fields untouched.
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    let targets = s.targets();
    if targets.is_empty() {
        s.error("No finding to edit");
    } else {
        let hidden = super::prompt::hidden_targets(s, &targets);
        let current = match targets.as_slice() {
            [one] => s.rows.get(*one).map(|row| {
                let doc = s.detail.doc.as_ref().filter(|_| s.detail.key.as_ref() == Some(&row.key));
                Current::of(row, doc)
            }),
            _ => None,
        };
        s.form = Some(FormState { hidden, current, ..FormState::new(targets.len()) });
    }
    Vec::new()
}

/// The form's keys; Enter previews the update once it validates, else shows why at the field.
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(form) = &mut s.form else { return Vec::new() };
    match a {
        Action::NextField | Action::MoveDown => form.move_focus(true),
        Action::PrevField | Action::MoveUp => form.move_focus(false),
        Action::CycleNext => form.cycle(true),
        Action::CyclePrev => form.cycle(false),
        Action::Input(c) => form.type_char(c),
        Action::Backspace => form.backspace(),
        Action::PullNote => {
            if let Err(e) = form.pull_note() {
                form.error = Some((Some(FormField::Note), e.to_string()));
            }
        }
        Action::Back => s.form = None,
        Action::Submit => match form.to_update(&s.config.user) {
            // The same rule as `s`: with suppress_reason_required, the Note is the reason.
            Ok(u)
                if s.config.suppress_reason_required
                    && u.workflow_status == Some(WorkflowStatus::Suppressed)
                    && u.note.is_none() =>
            {
                form.error = Some((Some(FormField::Note), REASON_REQUIRED.to_string()));
            }
            // The form stays behind its preview: a no returns to it as it was, a yes closes it.
            Ok(u) => match form.expiry(&u, s.now, &s.config.user) {
                Ok(expiry) => {
                    confirm(s, u);
                    if let Some(expiry) = expiry {
                        super::prompt::expiring(s, expiry);
                    }
                }
                Err(e) => form.error = Some(e),
            },
            Err(e) => form.error = Some(e),
        },
        _ => s.dirty = false,
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(f: FormField, text: &str) -> FormState {
        let mut s = FormState::new(1);
        s.focus = FormField::ALL.iter().position(|x| *x == f).unwrap();
        text.chars().for_each(|c| s.type_char(c));
        s
    }

    #[test]
    fn only_touched_fields_are_sent() {
        let mut s = FormState::new(3);
        s.cycle(true);
        assert_eq!(s.workflow, Some(WorkflowStatus::New));
        s.cycle(true);
        s.cycle(true);
        let u = s.to_update("me").unwrap();
        assert_eq!(u.workflow_status, Some(WorkflowStatus::Resolved));
        assert_eq!(u.note, None);
        assert_eq!(u.confidence, None);
        s.cycle(false);
        s.cycle(false);
        s.cycle(false);
        assert_eq!(s.workflow, None, "cycling past the last value returns to untouched");
    }

    #[test]
    fn validation_is_the_stores() {
        let (field, msg) = typed(FormField::Confidence, "101").to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::Confidence));
        assert!(msg.contains("0 to 100"), "{msg}");
        let (field, msg) = typed(FormField::Confidence, "lots").to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::Confidence));
        assert!(msg.contains("lots"), "{msg}");
        let (field, msg) = typed(FormField::Types, "Threats/Foo").to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::Types));
        assert!(msg.contains("namespace"), "{msg}");
        let (field, msg) = typed(FormField::Note, &"x".repeat(513)).to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::Note));
        assert!(msg.contains("512"), "{msg}");
        let (field, _) = typed(FormField::UserFields, "novalue").to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::UserFields));
        let (field, msg) = FormState::new(1).to_update("me").unwrap_err();
        assert_eq!(field, None);
        assert!(msg.contains("no field"), "{msg}");
        let u = typed(FormField::UserFields, "ticket=SEC-1; owner = ops").to_update("me").unwrap();
        assert_eq!(
            u.user_defined_fields,
            Some(vec![("ticket".into(), "SEC-1".into()), ("owner".into(), "ops".into())])
        );
        let u = typed(FormField::Note, "accepted").to_update("alice").unwrap();
        assert_eq!(u.note.unwrap().updated_by, "alice");
    }

    #[test]
    fn the_first_fault_is_the_one_the_request_would_name() {
        let mut s = typed(FormField::Confidence, "lots");
        s.note = Some(" ".into());
        let (field, msg) = s.to_update("me").unwrap_err();
        assert_eq!((field, msg.as_str()), (Some(FormField::Note), "Note.Text must not be blank"));
        s.note = None;
        s.types = Some("Bogus/x".into());
        let (field, msg) = s.to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::Confidence));
        assert_eq!(msg, "Confidence must be an integer from 0 to 100, not \"lots\"");
        s.confidence = None;
        s.criticality = Some(" 7x ".into());
        let (field, msg) = s.to_update("me").unwrap_err();
        assert_eq!(field, Some(FormField::Criticality));
        assert!(msg.ends_with("not \" 7x \""), "{msg}");
    }

    #[test]
    fn a_user_field_given_twice_keeps_its_place_and_last_value() {
        let u = typed(FormField::UserFields, "a=1; b=2; a=3").to_update("me").unwrap();
        assert_eq!(u.user_defined_fields, Some(vec![("a".into(), "3".into()), ("b".into(), "2".into())]));
    }
}
