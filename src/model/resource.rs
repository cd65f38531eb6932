//! How a resource id is shown where there is little room: the CLI table and the workbench list.

/// The last non-empty segment of a resource id: enough to recognise it in a narrow column. An ARN
/// (and Security Hub's `AWS::::Account:ID`) is split at `/` and `:`; any other id only at `/`, since
/// its `:` is part of the name (a container image `golang:1.12-alpine (alpine 3.11.3)` keeps its
/// image name). An id with no such segment (empty, or only separators) is shown whole.
pub fn short_id(resource_id: &str) -> &str {
    let structured = resource_id.starts_with("arn:") || resource_id.starts_with("AWS::");
    let segments = |seps: &[char]| resource_id.rsplit(seps).find(|s| !s.is_empty());
    if structured { segments(&['/', ':']) } else { segments(&['/']) }.unwrap_or(resource_id)
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
        // Outside ARNs a `:` belongs to the name: an image keeps its name and tag.
        assert_eq!(short_id("golang:1.12-alpine (alpine 3.11.3)"), "golang:1.12-alpine (alpine 3.11.3)");
        assert_eq!(short_id("registry.example.com/team/golang:1.12"), "golang:1.12");
        // A trailing separator does not leave the column blank.
        assert_eq!(short_id("arn:aws:s3:::my-bucket/"), "my-bucket");
        assert_eq!(short_id("arn:aws:s3:::my-bucket/logs/"), "logs");
        assert_eq!(short_id(""), "");
        assert_eq!(short_id("/"), "/");
    }
}
