//! The detail pane's line layout: lines are wrapped to the pane's width here, not by the paragraph
//! widget, so that ids, ARNs and URLs are never split mid-token.
//!
//! Words wrap at spaces, and a wrapped line continues at its hang (under the value of a
//! `label value` line). A token too long for the hang's column goes on a line of its own at column
//! [`FALLBACK`] when it fits there, whole; one too long even for that is shortened with an ellipsis
//! in the middle, keeping its head (the service, the account) and its tail (the resource's name)
//! readable. The full value stays in the raw JSON (`J`).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// The column a token that does not fit at its line's hang starts at.
pub const FALLBACK: usize = 2;

type Cell = (char, Style);

fn width_of(c: char) -> usize {
    c.width().unwrap_or(0)
}

fn cells_width(cells: &[Cell]) -> usize {
    cells.iter().map(|(c, _)| width_of(*c)).sum()
}

/// `line` laid out in `width` columns, continuing at column `hang`.
pub fn lay_out(line: Line<'_>, hang: usize, width: usize) -> Vec<Line<'static>> {
    let cells: Vec<Cell> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    if width == 0 || cells_width(&cells) <= width {
        return vec![to_line(&cells)];
    }
    // A hang that leaves too little room is dropped.
    let hang = if hang + 8 > width { 0 } else { hang };
    let fallback = FALLBACK.min(hang);

    // The prefix (indentation, a label) is the first `hang` columns, kept as is.
    let mut split = 0;
    let mut prefix_w = 0;
    while split < cells.len() && prefix_w + width_of(cells[split].0) <= hang {
        prefix_w += width_of(cells[split].0);
        split += 1;
    }
    let mut out = Vec::new();
    let mut cur: Vec<Cell> = cells[..split].to_vec();
    let mut col = prefix_w;
    // Whether a word is on the current line (after its prefix or indentation).
    let mut placed = false;
    let mut first_line = true;

    let mut rest = &cells[split..];
    while !rest.is_empty() {
        let spaces = rest.iter().take_while(|(c, _)| *c == ' ').count();
        let word_len = rest[spaces..].iter().take_while(|(c, _)| *c != ' ').count();
        let (gap_cells, word) = (&rest[..spaces], &rest[spaces..spaces + word_len]);
        rest = &rest[spaces + word_len..];
        if word.is_empty() {
            break;
        }
        let gap = if placed || first_line { spaces } else { 0 };
        let w = cells_width(word);
        if col + gap + w <= width {
            if gap > 0 {
                cur.extend_from_slice(&gap_cells[..gap]);
            }
            cur.extend_from_slice(word);
            col += gap + w;
            placed = true;
            continue;
        }
        let mut newline = |indent: usize, cur: &mut Vec<Cell>, col: &mut usize| {
            out.push(to_line(cur));
            *cur = vec![(' ', Style::default()); indent];
            *col = indent;
            first_line = false;
        };
        if w <= width - hang {
            newline(hang, &mut cur, &mut col);
            cur.extend_from_slice(word);
            col += w;
        } else if w <= width - fallback {
            newline(fallback, &mut cur, &mut col);
            cur.extend_from_slice(word);
            col += w;
        } else if !placed && width.saturating_sub(col + gap) >= 12 {
            // Alone after its label: shortened in place, on the label's line.
            cur.extend_from_slice(&gap_cells[..gap]);
            let short = shorten(word, width - col - gap);
            col += gap + cells_width(&short);
            cur.extend(short);
        } else {
            newline(fallback, &mut cur, &mut col);
            let short = shorten(word, width - fallback);
            col += cells_width(&short);
            cur.extend(short);
        }
        placed = true;
    }
    out.push(to_line(&cur));
    out
}

/// `word` in at most `target` columns: its head, `…`, its tail.
fn shorten(word: &[Cell], target: usize) -> Vec<Cell> {
    if cells_width(word) <= target {
        return word.to_vec();
    }
    let keep = target.saturating_sub(1);
    let (head_w, tail_w) = (keep - keep / 2, keep / 2);
    let mut head = Vec::new();
    let mut w = 0;
    for &(c, s) in word {
        if w + width_of(c) > head_w {
            break;
        }
        w += width_of(c);
        head.push((c, s));
    }
    let mut tail = Vec::new();
    let mut w = 0;
    for &(c, s) in word.iter().rev() {
        if w + width_of(c) > tail_w {
            break;
        }
        w += width_of(c);
        tail.push((c, s));
    }
    tail.reverse();
    let style = word.first().map_or(Style::default(), |c| c.1);
    head.push(('…', style));
    head.extend(tail);
    head
}

/// Cells back into a line, one span per run of one style.
fn to_line(cells: &[Cell]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = cells.first().map_or(Style::default(), |c| c.1);
    for &(c, s) in cells {
        if s != style && !text.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut text), style));
        }
        style = s;
        text.push(c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn words_wrap_at_the_hang_and_tokens_are_never_split() {
        let arn = "arn:aws:iam::123456789012:role/service-role/a-long-role-name";
        let line = Line::raw(format!("    role         {arn}"));
        // Fits at the hang (17): the label line keeps the label, the ARN goes under the value.
        let out = texts(&lay_out(line.clone(), 17, 80));
        assert_eq!(out, vec![format!("    role         {arn}")]);
        let out = texts(&lay_out(line.clone(), 17, 50));
        // 60 columns do not fit at 17 nor at 2 in 50: shortened in place after its label.
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].chars().count(), 50, "{out:?}");
        assert!(out[0].starts_with("    role         arn:aws:iam::123…"), "{out:?}");
        assert!(out[0].contains('…') && out[0].ends_with("a-long-role-name"), "{out:?}");
        // Fits at the fallback column, whole, on a line of its own.
        let out = texts(&lay_out(Line::raw(format!("    role         x {arn}")), 17, 64));
        assert_eq!(out, vec!["    role         x".to_string(), format!("  {arn}")]);
        // Prose wraps at spaces under the hang.
        let out = texts(&lay_out(Line::raw("  one two three four five six"), 2, 14));
        assert_eq!(out, vec!["  one two", "  three four", "  five six"]);
        for w in [10usize, 20, 30, 41, 79] {
            for l in texts(&lay_out(Line::raw(format!("  x {arn} y {arn}")), 2, w)) {
                assert!(l.chars().count() <= w, "{w}: {l}");
                // Every piece of the ARN on a line is its head, its tail or both around an ellipsis.
                for tok in l.split_whitespace().filter(|t| t.len() > 1) {
                    let (h, t) = tok.split_once('…').unwrap_or((tok, ""));
                    assert!(arn.starts_with(h) && arn.ends_with(t), "{w}: {tok}");
                }
            }
        }
    }

    #[test]
    fn styles_survive_the_layout() {
        let line = Line::from(vec![
            Span::styled("Id  ", Style::default().bold()),
            Span::raw("arn:aws:guardduty:eu-west-1:111122223333:detector/abc/finding/def"),
        ]);
        let out = lay_out(line, 4, 30);
        assert_eq!(out[0].spans[0].content, "Id  ");
        assert_eq!(out[0].spans[0].style, Style::default().bold());
        assert!(out.iter().all(|l| l.width() <= 30));
    }
}
