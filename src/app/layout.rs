//! Screen geometry shared by `update` (how many rows a page holds) and `ui` (where panes go), so
//! scrolling and drawing agree on one arithmetic.

use super::state::Mode;

/// Lines above and below the main area: header (1), status (1), hints (1).
pub const CHROME: u16 = 3;
/// From this width the list and detail sit side by side.
pub const WIDE: u16 = 120;

/// Height of the list block (borders included) in the split view, given the terminal size.
pub fn list_block_height(width: u16, height: u16) -> u16 {
    let main = height.saturating_sub(CHROME);
    if width >= WIDE {
        main
    } else {
        (main * 11 / 20).max(5.min(main))
    }
}

/// Rows the list shows at once: the block minus its two borders and the column header.
pub fn list_page(width: u16, height: u16, mode: Mode) -> usize {
    match mode {
        Mode::Split => usize::from(list_block_height(width, height).saturating_sub(3)).max(1),
        Mode::DetailFull | Mode::Group => usize::from(height.saturating_sub(CHROME + 3)).max(1),
    }
}
