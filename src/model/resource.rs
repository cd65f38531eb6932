//! How a resource id is shown where there is little room: the CLI table and the workbench list.

/// The last non-empty segment of a resource id, split at `/` and `:`: enough to recognise it in a
/// narrow column. An id with no such segment (empty, or only separators) is shown whole.
pub fn short_id(resource_id: &str) -> &str {
    resource_id.rsplit(['/', ':']).find(|s| !s.is_empty()).unwrap_or(resource_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_non_empty_segment() {
        assert_eq!(short_id("arn:aws:ec2:us-east-1:111111111111:instance/i-0abc"), "i-0abc");
        assert_eq!(short_id("arn:aws:s3:::my-bucket"), "my-bucket");
        assert_eq!(short_id("arn:aws:iam::111111111111:user/team/alice"), "alice");
        assert_eq!(short_id("AWS::::Account:111111111111"), "111111111111");
        assert_eq!(short_id("plain-id"), "plain-id");
        // A trailing separator does not leave the column blank.
        assert_eq!(short_id("arn:aws:s3:::my-bucket/"), "my-bucket");
        assert_eq!(short_id("arn:aws:s3:::my-bucket/logs/"), "logs");
        assert_eq!(short_id(""), "");
        assert_eq!(short_id("/"), "/");
    }
}
